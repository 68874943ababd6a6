/**
 * `preflight` without the command line: reads every registry of a topology
 * (through the shared access layer), finds out which stacks of this
 * deployment exist there and what they hold, and runs the checks.
 */
import {
  DestinationModel,
  groupRepositories,
  registryStackName,
  repositoriesRoutedTo,
  repositoriesStackName,
  SourceModel,
  sourceOwnerValue,
  TopologyModel,
} from '@ecr-kms-replication/stacks';
import {
  checkCreationTemplate,
  checkKeyAlias,
  checkRegistryPolicy,
  checkReplicationConfiguration,
  checkRepositories,
  checkStacks,
  ExistingRepository,
  Ownership,
  ownerOf,
} from './checks';
import { checkForeignTemplates } from './namespaces';
import { CallerIdentityError, ForEachOptions, forEachRegistry } from '../registry/access';
import { isArchived, StackData } from '../registry/data';
import { describeAwsError } from '../registry/errors';
import { mapLimit } from '../registry/pool';
import { RegistryReader } from '../registry/reader';
import { buildReport, CheckResult, EnvironmentReport, failedReport, VerifyReport } from '../report/result';
import { CREATION_TEMPLATE_PREFIX, deploysCreationTemplate } from '../verify/checks';
import { checkUnmanaged } from '../verify/namespaces';

export type PreflightOptions = ForEachOptions;

type Target = (SourceModel & { kind: 'source' }) | (DestinationModel & { kind: 'destination' });

/** Reads every registry of the topology and reports what stands in the way of deploying it. */
export async function preflightTopology(topology: TopologyModel, options: PreflightOptions): Promise<VerifyReport> {
  const targets: Target[] = [
    { ...topology.source, kind: 'source' },
    ...topology.destinations.map((dest) => ({ ...dest, kind: 'destination' as const })),
  ];
  try {
    const reports = await forEachRegistry(targets, { sessionName: 'ecr-kms-replication-preflight', ...options }, async (registry): Promise<EnvironmentReport> => {
      const { env } = registry;
      const base = { id: env.id, kind: env.kind, account: env.account, region: env.region, role: registry.role };
      if ('error' in registry.identity) {
        return { ...base, checks: [{ check: 'access', status: 'error', detail: registry.identity.error }] };
      }
      const access: CheckResult = { check: 'access', status: 'pass', detail: `read as ${registry.identity.arn}` };
      return { ...base, checks: [access, ...await checkEnvironment(topology, env, registry.reader)] };
    });
    return buildReport(reports);
  } catch (e) {
    if (e instanceof CallerIdentityError) return failedReport(e.detail);
    throw e;
  }
}

/** The stacks this product names for the environment that exist, with their resources. */
export async function readOwnership(topology: TopologyModel, env: Target, reader: RegistryReader): Promise<Ownership> {
  const groups = [...groupRepositories(topology.repositories).keys()];
  const [registryStack, ...repositoriesStacks] = await mapLimit(
    [registryStackName(env.kind, env), ...groups.map((g) => repositoriesStackName(env.kind, env, g))],
    4,
    (name) => reader.stackResources(name),
  );
  return {
    registryStack,
    repositoriesStacks: repositoriesStacks.filter((s): s is StackData => s !== undefined),
    source: sourceOwnerValue(topology.source),
  };
}

async function checkEnvironment(topology: TopologyModel, env: Target, reader: RegistryReader): Promise<CheckResult[]> {
  const guard = async (check: CheckResult['check'], fn: () => Promise<CheckResult[]>): Promise<CheckResult[]> => {
    try {
      return await fn();
    } catch (e) {
      return [{ check, status: 'error', detail: describeAwsError(e, env.region) }];
    }
  };

  let ownership: Ownership;
  try {
    ownership = await readOwnership(topology, env, reader);
  } catch (e) {
    // Without the stacks nothing can be told apart from this deployment's own: stop here.
    return [{ check: 'stack', status: 'error', detail: `cannot read the stacks of this deployment: ${describeAwsError(e, env.region)}` }];
  }

  const dest = env.kind === 'destination' ? env : undefined;
  const namespaceChecks = Promise.all([
    guard('creation-template', async () => checkForeignTemplates(
      topology,
      env,
      await reader.allCreationTemplates().catch((e): { error: string } => ({ error: describeAwsError(e, env.region) })),
      ownership,
      dest !== undefined && deploysCreationTemplate(dest),
    )),
    !dest
      ? guard('unmanaged', async () => checkUnmanaged(topology, (await reader.allRepositories()).map((r) => r.name), await reader.replicationRules(), 'warn'))
      : Promise.resolve([]),
  ]).then((parts) => parts.flat());
  const [repositories, keyAlias, registry] = await Promise.all([
    guard('repository', async () => checkRepositories(topology, env, await existingRepositories(topology, env, reader, ownership), ownership)),
    guard('key-alias', async () => [checkKeyAlias(topology, env, await reader.keyAliasTarget(topology.keyAlias), ownership)]),
    !dest
      ? guard('replication-configuration', async () => [checkReplicationConfiguration(topology, await reader.replicationRules(), ownership)])
      : Promise.all([
        dest.crossAccount
          ? guard('registry-policy', async () => checkRegistryPolicy(topology, dest, await reader.registryPolicy(), ownership))
          : Promise.resolve([]),
        deploysCreationTemplate(dest)
          ? guard('creation-template', async () => [checkCreationTemplate(dest, await reader.creationTemplates([CREATION_TEMPLATE_PREFIX]), ownership)])
          : Promise.resolve([]),
      ]).then((parts) => parts.flat()),
  ]);
  return [...checkStacks(env, ownership), ...keyAlias, ...registry, ...repositories, ...await namespaceChecks];
}

/** The topology's repositories that exist; those not owned by this deployment with their image count (every status). */
async function existingRepositories(
  topology: TopologyModel,
  env: Target,
  reader: RegistryReader,
  ownership: Ownership,
): Promise<Map<string, ExistingRepository>> {
  const listed = env.kind === 'source' ? topology.repositories : repositoriesRoutedTo(topology, env.id);
  const found = await reader.repositories(listed.map((r) => r.name));
  const foreign = [...found.values()].filter((r) => !ownerOf(ownership, 'AWS::ECR::Repository', r.name));
  const counted = await mapLimit(foreign, 4, async (r): Promise<ExistingRepository> => {
    const images = await reader.images(r.name);
    return { ...r, imageCount: images.length, archivedImageCount: images.filter(isArchived).length };
  });
  return new Map<string, ExistingRepository>([...found, ...counted.map((r) => [r.name, r] as const)]);
}
