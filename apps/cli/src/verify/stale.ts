/**
 * Stacks of this topology's stages that the current topology no longer
 * produces: a repository group left empty, a registry that changed role, the
 * alerts stack after `alerts: false`. CDK Pipelines never deletes the stacks
 * of a stage or stack removed from the app, so they stay deployed (with
 * their schedules and rules) until someone deletes them.
 *
 * A stack is this topology's when its name follows the stages' naming for the
 * registry it is in, and its `ReplicationSource` output names this topology's
 * source (stacks deployed before that output existed have none: counted as
 * ours by name). Stacks of a registry the topology no longer lists (a removed
 * destination) cannot be seen from the topology: the README gives the commands.
 */
import {
  alertsStackName,
  Environment,
  environmentId,
  groupRepositories,
  registryStackName,
  repositoriesStackName,
  sourceOwnerValue,
  STACK_NAME_PREFIX,
  TopologyModel,
} from '@ecr-kms-replication/stacks';
import { registryName } from './checks';
import { AccessOptions, callerAccountOf, openRegistry } from '../registry/access';
import { StackData, stackSource } from '../registry/data';
import { describeAwsError } from '../registry/errors';
import { RegistryReader } from '../registry/reader';
import { CheckResult } from '../report/result';

/** The stacks the topology's stages deploy in `env` (an account and Region). */
export function producedStackNames(topology: TopologyModel, env: Environment): Set<string> {
  const names = new Set<string>();
  const id = environmentId(env);
  const roles = [
    ...(environmentId(topology.source) === id ? ['source' as const] : []),
    ...(topology.destinations.some((d) => environmentId(d) === id) ? ['destination' as const] : []),
  ];
  // Every group any repository of the topology falls in: a superset of what a stage creates,
  // so that no stack still in use is ever reported (at worst, a stale group goes unreported).
  const groups = [...groupRepositories(topology.repositories).keys()];
  for (const role of roles) {
    names.add(registryStackName(role, env));
    for (const group of groups) names.add(repositoriesStackName(role, env, group));
  }
  if (topology.alerts && environmentId(topology.pipeline) === id) names.add(alertsStackName());
  return names;
}

/** The names our stages could give a stack in `env`, whatever the topology. */
function isOurName(name: string, env: Environment): boolean {
  return name === alertsStackName()
    || (['source', 'destination'] as const).some((role) => {
      const registry = registryStackName(role, env);
      return name === registry || name.startsWith(`${registry}-repositories-`);
    });
}

/** One `warn` per stack of ours in `stacks` (read in `env`) that the topology no longer produces. */
export function checkStaleStacks(topology: TopologyModel, env: Environment, stacks: readonly StackData[]): CheckResult[] {
  const produced = producedStackNames(topology, env);
  const source = sourceOwnerValue(topology.source);
  return stacks
    .filter((s) => isOurName(s.name, env) && !produced.has(s.name))
    .filter((s) => (stackSource(s) ?? source) === source)
    .map((s) => ({
      check: 'stale-stack' as const,
      status: 'warn' as const,
      detail: `the stack ${s.name} in ${registryName(env)} (${s.status}) is of this topology but the topology no longer produces it: `
        + `${whyStale(topology, s.name)}; CDK Pipelines does not delete it, so what it holds stays deployed${holding(s)}`,
      fix: `delete it with credentials of account ${env.account}: aws cloudformation delete-stack --stack-name ${s.name} --region ${env.region}`
        + `${deletes(s)}`,
    }));
}

/** Reads the stacks of `env` that follow our naming and reports those the topology no longer produces. */
export async function staleStacks(topology: TopologyModel, env: Environment, reader: RegistryReader): Promise<CheckResult[]> {
  const produced = producedStackNames(topology, env);
  try {
    const names = (await reader.stackNames(`${STACK_NAME_PREFIX}-`)).filter((s) => isOurName(s.name, env) && !produced.has(s.name));
    const stacks = await Promise.all(names.map(async (s): Promise<StackData> =>
      (await reader.stackResources(s.name)) ?? { name: s.name, status: s.status, resources: [] }));
    return checkStaleStacks(topology, env, stacks);
  } catch (e) {
    // Left-over stacks are worth a look, not a reason to fail verify: a role without CloudFormation read gets a warning.
    return [{ check: 'stale-stack', status: 'warn', detail: `cannot look for left-over stacks in ${registryName(env)}: ${describeAwsError(e, env.region)}` }];
  }
}

function whyStale(topology: TopologyModel, name: string): string {
  if (name === alertsStackName()) return topology.alerts ? 'alerts live in another account or Region now' : 'the topology says alerts: false';
  if (name.includes('-repositories-')) return 'no repository of the topology falls in its group any more';
  return 'this registry no longer plays that role in the topology';
}

function holding(s: StackData): string {
  const count = (type: string) => s.resources.filter((r) => r.type === type && !r.status.startsWith('DELETE_')).length;
  const parts = [
    [count('AWS::ECR::Repository'), 'repositor(y/ies)'],
    [count('AWS::KMS::Key'), 'KMS key(s)'],
    [count('AWS::Events::Rule') + count('AWS::Scheduler::Schedule'), 'event rule(s) or schedule(s)'],
  ].filter(([n]) => (n as number) > 0).map(([n, what]) => `${n} ${what}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** What deleting the stack does to what it holds. */
function deletes(s: StackData): string {
  const has = (type: string) => s.resources.some((r) => r.type === type && !r.status.startsWith('DELETE_'));
  const notes: string[] = [];
  if (has('AWS::ECR::Repository') || has('AWS::KMS::Key')) {
    notes.push('its repositories and KMS key are retained when the stack was deployed with removal: retain (the default): they stay, unmanaged, '
      + 'with their images; delete them separately only once nothing needs them');
  }
  const wiped = ['AWS::ECR::RegistryPolicy', 'AWS::ECR::ReplicationConfiguration', 'AWS::ECR::RepositoryCreationTemplate'].filter(has);
  if (wiped.length > 0) {
    notes.push(`deleting it deletes its ${wiped.map((t) => t.replace('AWS::ECR::', '')).join(', ')} (the registry's whole one): `
      + 'make sure no stack of the topology relies on it');
  }
  return notes.length > 0 ? `; ${notes.join('; ')}` : '';
}

/**
 * With `alerts: false`, the alerts stack left in the pipeline account and
 * Region, when that is not one of the registries (those are read anyway).
 */
export async function staleAlertsStack(topology: TopologyModel, options: AccessOptions): Promise<CheckResult[]> {
  const pipeline = { account: topology.pipeline.account, region: topology.pipeline.region };
  const id = environmentId(pipeline);
  if (topology.alerts || [topology.source, ...topology.destinations].some((e) => environmentId(e) === id)) return [];
  const where = `the pipeline account and Region ${registryName(pipeline)}`;
  try {
    const opened = await openRegistry(pipeline, await callerAccountOf(options), options);
    if ('error' in opened.identity) {
      return [{ check: 'stale-stack', status: 'warn', detail: `cannot look for a left-over ${alertsStackName()} stack in ${where}: ${opened.identity.error}` }];
    }
    const stack = await opened.reader.stackResources(alertsStackName());
    return stack ? checkStaleStacks(topology, pipeline, [stack]) : [];
  } catch (e) {
    return [{ check: 'stale-stack', status: 'warn', detail: `cannot look for a left-over ${alertsStackName()} stack in ${where}: ${describeAwsError(e, pipeline.region)}` }];
  }
}
