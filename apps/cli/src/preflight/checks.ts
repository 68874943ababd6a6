/**
 * The checks of `preflight`, as pure functions over what the reader read:
 * everything already in a registry that stands in the way of a deployment,
 * each with what would happen and what to do. Blocking findings are `fail`,
 * the rest `warn`. A resource is this deployment's own when a stack that the
 * product names for that environment holds it (see {@link Ownership}).
 */
import {
  DestinationModel,
  Environment,
  isAdopted,
  RepositoryModel,
  repositoriesRoutedTo,
  SOURCE_OUTPUT,
  SourceModel,
  TopologyModel,
} from '@ecr-kms-replication/stacks';
import { stackStatusRule } from './stack-status';
import { CreationTemplateData, KeyData, RepositoryData, ReplicationRuleData, StackData, stackSource } from '../registry/data';
import { sortCreateRepositoryGrants } from '../registry/namespaces';
import { describeGrant, describeStatements, grantsBeyondReplication, parsePolicy } from '../registry/policy';
import { CheckResult } from '../report/result';
import { CREATION_TEMPLATE_PREFIX, registryName } from '../verify/checks';

/** The stacks of this deployment in one environment, as far as they exist. */
export interface Ownership {
  /** The registry stack (key, alias, registry-wide settings); absent when it does not exist. */
  readonly registryStack?: StackData;
  /** The repositories stacks that exist. */
  readonly repositoriesStacks: readonly StackData[];
  /**
   * The `ReplicationSource` output this topology's stacks carry (its source
   * registry): a stack whose output names another source belongs to another
   * topology sharing the registry, and holds nothing of this one.
   * @default - not compared
   */
  readonly source?: string;
}

function isForeign(ownership: Ownership, stack: StackData): boolean {
  const owner = stackSource(stack);
  return ownership.source !== undefined && owner !== undefined && owner !== ownership.source;
}

function isLive(stack: StackData): boolean {
  return stackStatusRule(stack.status).holdsResources;
}

/**
 * The stack of ours that holds a resource of `type` (and `physicalId`, when
 * given), or `undefined`. A stack left in ROLLBACK_COMPLETE holds nothing:
 * what it retained is an orphan (see `STACK_STATUS_RULES`).
 */
export function ownerOf(ownership: Ownership, type: string, physicalId?: string): string | undefined {
  const stacks = [...(ownership.registryStack ? [ownership.registryStack] : []), ...ownership.repositoriesStacks];
  return stacks.find((stack) => isLive(stack) && !isForeign(ownership, stack) && stack.resources.some((r) =>
    r.type === type
    && !r.status.startsWith('DELETE_')
    && (physicalId === undefined || r.physicalId === physicalId)))?.name;
}

const RETAINED = 'If a removed repository, a deleted stack or a failed first create left it behind, it is retained and no longer managed.';

/** One row per stack of ours that blocks deployments; one pass row when none does. */
export function checkStacks(env: Environment, ownership: Ownership): CheckResult[] {
  const stacks = [...(ownership.registryStack ? [ownership.registryStack] : []), ...ownership.repositoriesStacks];
  const results: CheckResult[] = [];
  for (const stack of stacks) {
    const rule = stackStatusRule(stack.status);
    if (isForeign(ownership, stack)) {
      results.push(foreignStack(env, stack, ownership.source!));
    } else if (rule.verdict === 'fail') {
      const retained = stack.resources.filter((r) => r.status === 'DELETE_SKIPPED' && r.physicalId);
      results.push({
        check: 'stack',
        status: 'fail',
        detail: `the stack ${stack.name} in ${registryName(env)} is in ${stack.status} (${rule.reason}): every deployment of it fails until it is `
          + `${stack.status === 'UPDATE_ROLLBACK_FAILED' ? 'rolled back' : 'deleted'}`
          + (retained.length > 0 ? `; it retained ${retained.map((r) => `${r.type} ${r.physicalId}`).join(', ')}` : ''),
        fix: `${rule.fix!(stack.name, env.region)}, then run preflight again${retained.length > 0 ? ' (what the stack retained is reported as not this deployment\'s own)' : ''}`,
      });
    } else if (rule.verdict === 'wait') {
      results.push({
        check: 'stack',
        status: 'warn',
        detail: `the stack ${stack.name} in ${registryName(env)} is in ${stack.status}: ${rule.reason}, a deployment now would fail`,
        fix: 'wait for it to finish, then run preflight again',
      });
    }
  }
  if (results.length === 0) {
    results.push({
      check: 'stack',
      status: 'pass',
      detail: stacks.length === 0 ? 'no stack of this deployment yet' : `${stacks.length} stack(s) of this deployment, none blocked`,
    });
  }
  return results;
}

/**
 * A stack under this topology's name that another topology (another source
 * registry) deployed: stack names carry only role, account and Region.
 * Deploying would take it over: replace its registry policy and creation
 * template and drop the other topology's repositories from it.
 */
function foreignStack(env: Environment, stack: StackData, source: string): CheckResult {
  const other = stackSource(stack)!;
  return {
    check: 'stack',
    status: 'fail',
    detail: `the stack ${stack.name} in ${registryName(env)} belongs to the topology whose source is ${other} (its ${SOURCE_OUTPUT} output), `
      + `not to this one (source ${source}): deploying would take it over, replace its registry settings and drop that topology's repositories from it`,
    fix: `a registry belongs to one topology only (its stacks are named by role, account and Region): take ${env.account}-${env.region} out of this `
      + `topology (source ${source}) or use another account or Region; if the topology of ${other} is gone, delete its stacks first `
      + `(${stack.name} and the others: aws cloudformation delete-stack --stack-name ${stack.name} --region ${env.region}; keys and repositories are retained)`,
  };
}

/** Source: a replication configuration that is not this deployment's own blocks the source stage. */
export function checkReplicationConfiguration(
  topology: TopologyModel,
  rules: readonly ReplicationRuleData[],
  ownership: Ownership,
): CheckResult {
  const base = { check: 'replication-configuration' } as const;
  const where = registryName(topology.source);
  if (rules.length === 0) {
    return { ...base, status: 'pass', detail: 'no replication configuration yet: the source stage creates it' };
  }
  const owner = ownerOf(ownership, 'AWS::ECR::ReplicationConfiguration');
  if (owner) return { ...base, status: 'pass', detail: `this deployment's own (stack ${owner})` };

  const described = rules.map((rule, i) => {
    const filters = (rule.repositoryFilters ?? []).map((f) => f.filter);
    return `rule ${i + 1}: ${filters.length > 0 ? filters.join(', ') : 'every repository'} → ${rule.destinations.map((d) => registryName({ account: d.registryId, region: d.region })).join(', ')}`;
  });
  const lost = lostReplication(topology, rules);
  return {
    ...base,
    status: 'fail',
    detail: `the source registry ${where} already has a replication configuration that this deployment did not make `
      + `(${described.join('; ')}): the source stage would fail with AlreadyExists`
      + (lost.length > 0 ? `; replacing it with the topology's would stop replication of ${lost.join(', ')}` : ''),
    fix: `add what it replicates to the topology (ecr-kms-replication import --region ${topology.source.region} writes it out), then delete it `
      + `just before the source stage is deployed: aws ecr put-replication-configuration --replication-configuration '{"rules":[]}' --region ${topology.source.region} `
      + '(replication pauses until the source stage is deployed)',
  };
}

/** `filter to account/region` pairs of `rules` that the topology's configuration would not carry on. */
function lostReplication(topology: TopologyModel, rules: readonly ReplicationRuleData[]): string[] {
  const names = new Set(topology.repositories.map((r) => r.name));
  const lost: string[] = [];
  for (const rule of rules) {
    const filters = (rule.repositoryFilters ?? []).map((f) => f.filter);
    for (const d of rule.destinations) {
      const to = registryName({ account: d.registryId, region: d.region });
      const kept = topology.destinations.some((dest) => dest.account === d.registryId && dest.region === d.region);
      if (filters.length === 0) {
        lost.push(`${kept ? 'repositories not in the topology' : 'every repository'} to ${to}`);
        continue;
      }
      for (const filter of filters) {
        if (!kept || !names.has(filter)) lost.push(`${filter} to ${to}`);
      }
    }
  }
  return [...new Set(lost)];
}

/**
 * Cross-account destination: a registry policy that is not this deployment's
 * own blocks the destination stage; grants beyond replication are warnings.
 */
export function checkRegistryPolicy(
  topology: TopologyModel,
  dest: DestinationModel,
  policyText: string | undefined,
  ownership: Ownership,
): CheckResult[] {
  const base = { check: 'registry-policy' } as const;
  const where = registryName(dest);
  if (policyText === undefined) return [{ ...base, status: 'pass', detail: 'no registry policy yet: the destination stage creates it' }];
  let policy;
  try {
    policy = parsePolicy(policyText);
  } catch (e) {
    return [{ ...base, status: 'fail', detail: `${where}: ${(e as Error).message}`, fix: `replace it: aws ecr delete-registry-policy --region ${dest.region}` }];
  }
  const results: CheckResult[] = [];
  const owner = ownerOf(ownership, 'AWS::ECR::RegistryPolicy');
  if (owner) {
    results.push({ ...base, status: 'pass', detail: `this deployment's own (stack ${owner})` });
  } else {
    const statements = describeStatements(policy);
    results.push({
      ...base,
      status: 'fail',
      detail: `${where} already has a registry policy that this deployment did not make (${statements.length} statement(s): ${statements.join('; ')}): `
        + 'the destination stage would fail with AlreadyExists, and its policy would replace all of these statements',
      fix: `keep what still matters elsewhere, then delete it just before the destination stage is deployed: aws ecr delete-registry-policy --region ${dest.region} `
        + `(the deployed policy lets only ${topology.source.account} replicate in)`,
    });
  }
  const extra = grantsBeyondReplication(policy, topology.source.account);
  // Correct exactly on repository/<prefix>/* of a namespace routed here whose template is this deployment's own.
  for (const sorted of sortCreateRepositoryGrants(topology, dest, extra.createRepository)) {
    const withoutTemplate = sorted.routed.filter((r) => !ownerOf(ownership, 'AWS::ECR::RepositoryCreationTemplate', r.prefix)).map((r) => r.resource);
    const drift = [...sorted.beyond, ...withoutTemplate];
    if (drift.length === 0) continue;
    results.push({
      ...base,
      status: 'warn',
      detail: `the registry policy of ${where} grants ecr:CreateRepository in ${describeGrant(sorted.grant)} on ${drift.join(', ')}: `
        + 'replication may create missing repositories there that no creation template of this deployment encrypts (AES-256 unless some template matches)',
      fix: 'remove ecr:CreateRepository from the statement: the pipeline creates every listed repository beforehand, and grants it only on '
        + 'repository/<namespace>/* of the namespaces routed here, once their templates exist',
    });
  }
  for (const grant of extra.otherPrincipals) {
    results.push({
      ...base,
      status: 'warn',
      detail: `the registry policy of ${where} grants principals other than the source account ${topology.source.account} in ${describeGrant(grant)}`,
      fix: 'check who still needs it: the deployed policy grants only the source account',
    });
  }
  return results;
}

/** Same-account destination with the safety net: a `ROOT` creation template that is not ours blocks the stage. */
export function checkCreationTemplate(
  dest: DestinationModel,
  templates: readonly CreationTemplateData[],
  ownership: Ownership,
): CheckResult {
  const base = { check: 'creation-template' } as const;
  const template = templates.find((t) => t.prefix === CREATION_TEMPLATE_PREFIX);
  if (!template) return { ...base, status: 'pass', detail: `no ${CREATION_TEMPLATE_PREFIX} creation template yet: the destination stage creates it` };
  const owner = ownerOf(ownership, 'AWS::ECR::RepositoryCreationTemplate');
  if (owner) return { ...base, status: 'pass', detail: `this deployment's own (stack ${owner})` };
  const encryption = template.encryptionType === 'KMS' || template.encryptionType === 'KMS_DSSE'
    ? `KMS with ${template.kmsKey ?? 'an unnamed key'}` : (template.encryptionType ?? 'AES256');
  return {
    ...base,
    status: 'fail',
    detail: `${registryName(dest)} already has a ${CREATION_TEMPLATE_PREFIX} repository creation template that this deployment did not make `
      + `(applies to ${template.appliedFor.join(', ') || 'nothing'}, encrypts with ${encryption}): the destination stage would fail with AlreadyExists`,
    fix: `delete it: aws ecr delete-repository-creation-template --prefix ${CREATION_TEMPLATE_PREFIX} --region ${dest.region}; `
      + `or keep it and set creationTemplate: false for destination ${dest.id}`,
  };
}

/** The topology's key alias already points at a key that no stack of ours holds. */
export function checkKeyAlias(
  topology: TopologyModel,
  env: SourceModel | DestinationModel,
  target: KeyData | undefined,
  ownership: Ownership,
): CheckResult {
  const base = { check: 'key-alias' } as const;
  const alias = topology.keyAlias;
  if (!target) return { ...base, status: 'pass', detail: `${alias} does not exist yet: the registry stack creates it` };
  const owner = ownerOf(ownership, 'AWS::KMS::Alias', alias);
  if (owner) return { ...base, status: 'pass', detail: `this deployment's own (stack ${owner}), key ${target.keyArn}` };
  return {
    ...base,
    status: 'fail',
    detail: `${alias} already exists in ${registryName(env)} and points at ${target.keyArn}, which this deployment does not own: `
      + `the registry stack would fail with AlreadyExists. ${RETAINED}`,
    fix: `delete the alias (the key and whatever it encrypts stay): aws kms delete-alias --alias-name ${alias} --region ${env.region}; `
      + 'or set keyAlias to another name in the topology',
  };
}

/** What preflight knows about a repository that exists in a registry. */
export interface ExistingRepository extends RepositoryData {
  /** How many images it holds, archived ones included; `undefined` when not counted. */
  readonly imageCount?: number;
  /** How many of them are archived (they cannot be pulled, but are lost with the repository all the same). */
  readonly archivedImageCount?: number;
}

function encryptionOf(data: RepositoryData): string {
  return data.encryptionType === 'KMS' || data.encryptionType === 'KMS_DSSE'
    ? `${data.encryptionType} with ${data.kmsKey ?? 'an unnamed key'}`
    : (data.encryptionType ?? 'AES256').replace('AES256', 'AES-256');
}

function isKms(data: RepositoryData): boolean {
  return data.encryptionType === 'KMS' || data.encryptionType === 'KMS_DSSE';
}

function images(data: ExistingRepository): string {
  if (data.imageCount === undefined) return 'images not counted';
  return `${data.imageCount} image(s)${data.archivedImageCount ? `, ${data.archivedImageCount} of them archived` : ''}`;
}

/**
 * How to delete a repository without losing an image: only an empty one
 * (every image status counted) is deleted, and never with `--force` — ECR
 * then refuses while any image is left.
 */
export function deleteCommands(env: Environment, repository: string, imageCount?: number, archivedImageCount?: number): string {
  const target = `--repository-name ${repository} --registry-id ${env.account} --region ${env.region}`;
  if (imageCount === 0) return `it holds no image: aws ecr delete-repository ${target}`;
  const held = imageCount === undefined ? 'its images' : `its ${imageCount} image(s)${archivedImageCount ? ` (${archivedImageCount} archived)` : ''}`;
  return `it holds images, so first make sure each of ${held} is also in the source (backfill copies them back afterwards) or kept elsewhere: `
    + `aws ecr describe-images ${target} --filter imageStatus=ANY lists them; then delete them (aws ecr batch-delete-image ${target} --image-ids ...) `
    + `and the empty repository: aws ecr delete-repository ${target} (without --force, ECR refuses while an image is left)`;
}

/** How to replace an AES-256 repository with the pipeline's KMS-encrypted one, never losing an image silently. */
export function replaceCommands(env: Environment, repository: string, imageCount?: number, archivedImageCount?: number): string {
  return `encryption cannot be changed, so replace it: ${deleteCommands(env, repository, imageCount, archivedImageCount)}; `
    + 'then deploy (the pipeline creates it KMS-encrypted)';
}

/**
 * Every repository of the topology in one registry: created where it does not
 * exist, this deployment's own, or adopted (`existing`) — anything else blocks.
 */
export function checkRepositories(
  topology: TopologyModel,
  env: SourceModel | DestinationModel,
  found: ReadonlyMap<string, ExistingRepository>,
  ownership: Ownership,
): CheckResult[] {
  const isSource = env.id === topology.source.id;
  return (isSource ? topology.repositories : repositoriesRoutedTo(topology, env.id)).map((repo) =>
    checkRepository(repo, env, isSource, isAdopted(repo, env.id, topology.source.id), found.get(repo.name), ownership));
}

function checkRepository(
  repo: RepositoryModel,
  env: SourceModel | DestinationModel,
  isSource: boolean,
  adopted: boolean,
  data: ExistingRepository | undefined,
  ownership: Ownership,
): CheckResult {
  const base = { check: 'repository', repository: repo.name } as const;
  const where = registryName(env);
  const adoptHint = isSource ? 'existing: true' : `${env.id} in its existing list (or existing: everywhere)`;
  if (!data) {
    if (adopted) {
      return {
        ...base,
        status: 'fail',
        detail: `${repo.name} is marked existing in ${where} but does not exist there: no stage would create it`,
        fix: `take ${isSource ? 'the source' : env.id} out of its existing field (the pipeline then creates it), or create it`,
      };
    }
    return { ...base, status: 'pass', detail: `does not exist yet: the ${isSource ? 'source' : 'destination'} stage creates it` };
  }
  const owner = ownerOf(ownership, 'AWS::ECR::Repository', repo.name);
  if (owner && !adopted) return { ...base, status: 'pass', detail: `this deployment's own (stack ${owner})` };
  const what = `${encryptionOf(data)}, ${images(data)}`;
  if (!isSource && !isKms(data)) {
    return {
      ...base,
      status: 'fail',
      detail: adopted
        ? `${repo.name} in ${where} is encrypted with AES-256 (${images(data)}): it can never be adopted, only KMS-encrypted repositories can`
        : `${repo.name} already exists in ${where} (${what}), not made by this deployment: the destination stage would fail with AlreadyExists, `
          + 'and an AES-256 repository can never be adopted',
      fix: replaceCommands(env, repo.name, data.imageCount, data.archivedImageCount),
    };
  }
  if (adopted) {
    return { ...base, status: 'pass', detail: `adopted (existing): ${what}` };
  }
  return {
    ...base,
    status: 'fail',
    detail: `${repo.name} already exists in ${where} (${what}), not in a stack of this deployment: the ${isSource ? 'source' : 'destination'} stage `
      + `would fail with AlreadyExists. ${RETAINED}`,
    fix: `adopt it: add ${adoptHint} to the repository in the topology; or delete it (${deleteCommands(env, repo.name, data.imageCount, data.archivedImageCount)})`,
  };
}
