/**
 * The checks of `verify`, as pure functions over what the fetcher read from
 * the registries: no SDK, no I/O, so every rule is unit-tested directly.
 */
import { DestinationModel, Environment, RepositoryModel, TopologyModel } from '@ecr-kms-replication/stacks';
import { allowsReplication, parsePolicy } from './policy';
import { CheckResult } from './result';

/** A rule of the source registry's replication configuration (`DescribeRegistry`). */
export interface ReplicationRuleData {
  readonly destinations: readonly { readonly region: string; readonly registryId: string }[];
  readonly repositoryFilters?: readonly { readonly filter: string; readonly filterType: string }[];
}

/** A repository as `DescribeRepositories` reports it. */
export interface RepositoryData {
  readonly name: string;
  readonly arn?: string;
  readonly encryptionType?: string;
  readonly kmsKey?: string;
  readonly imageTagMutability?: string;
}

/** The key behind the topology's alias in one environment (`DescribeKey`). */
export interface KeyData {
  readonly keyId: string;
  readonly keyArn: string;
}

/** A recent image of a source repository with its replication status per destination. */
export interface ImageData {
  readonly digest: string;
  readonly tags: readonly string[];
  readonly pushedAt?: Date;
  readonly statuses: readonly {
    readonly region: string;
    readonly registryId: string;
    readonly status: string;
    readonly failureCode?: string;
  }[];
}

/** `account/region`, how a detail names a registry. */
export function registryName(env: { account: string; region: string }): string {
  return `${env.account}/${env.region}`;
}

/** The partition of a Region, for ARNs. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function repositoryArn(env: { account: string; region: string }, name: string): string {
  return `arn:${partitionOf(env.region)}:ecr:${env.region}:${env.account}:repository/${name}`;
}

function ruleCovers(rule: ReplicationRuleData, repository: string, dest: Environment): boolean {
  if (!rule.destinations.some((d) => d.registryId === dest.account && d.region === dest.region)) return false;
  const filters = rule.repositoryFilters ?? [];
  // A rule without filters replicates every repository.
  return filters.length === 0 || filters.some((f) => f.filterType === 'PREFIX_MATCH' && repository.startsWith(f.filter));
}

/**
 * Source: the replication rules send every repository to every destination.
 * One row for the registry when it has no rule at all, else one per repository.
 */
export function checkReplication(topology: TopologyModel, rules: readonly ReplicationRuleData[]): CheckResult[] {
  if (topology.destinations.length === 0) {
    return [{ check: 'replication', status: 'pass', detail: 'the topology has no destination' }];
  }
  if (rules.length === 0) {
    return [{
      check: 'replication',
      status: 'fail',
      detail: `the source registry ${registryName(topology.source)} has no replication rule`,
    }];
  }
  return topology.repositories.map((repo): CheckResult => {
    const missing = topology.destinations.filter((dest) => !rules.some((rule) => ruleCovers(rule, repo.name, dest)));
    if (missing.length === 0) {
      return { check: 'replication', repository: repo.name, status: 'pass', detail: `replicated to ${topology.destinations.length} destination(s)` };
    }
    return {
      check: 'replication',
      repository: repo.name,
      status: 'fail',
      detail: `no replication rule sends ${repo.name} to ${missing.map(registryName).join(', ')}`,
    };
  });
}

/** Source: every repository exists. */
export function checkSourceRepositories(
  topology: TopologyModel,
  found: ReadonlyMap<string, RepositoryData>,
): CheckResult[] {
  return topology.repositories.map((repo): CheckResult => found.has(repo.name)
    ? { check: 'repository', repository: repo.name, status: 'pass', detail: 'exists' }
    : { check: 'repository', repository: repo.name, status: 'fail', detail: `${repo.name} does not exist in ${registryName(topology.source)}` });
}

/** Whether a repository's `kmsKey` (an ARN, a key id or an alias) designates `key` under `alias`. */
function isKey(kmsKey: string, key: KeyData, alias: string): boolean {
  return kmsKey === key.keyArn || kmsKey === key.keyId || kmsKey === alias || kmsKey.endsWith(`:${alias}`);
}

/**
 * Destination: every repository exists, is encrypted with the registry's key
 * and has the configured tag mutability. `key` is the key the topology's alias
 * designates there, or an error message when it could not be resolved.
 */
export function checkDestinationRepositories(
  topology: TopologyModel,
  dest: DestinationModel,
  found: ReadonlyMap<string, RepositoryData>,
  key: KeyData | { readonly error: string },
): CheckResult[] {
  const where = registryName(dest);
  const results: CheckResult[] = [];
  for (const repo of topology.repositories) {
    const data = found.get(repo.name);
    if (!data) {
      results.push({ check: 'repository', repository: repo.name, status: 'fail', detail: `${repo.name} does not exist in ${where}` });
      continue;
    }
    results.push({ check: 'repository', repository: repo.name, status: 'pass', detail: 'exists' });
    results.push(encryption(repo, data, where, key, topology.keyAlias));
    results.push(mutability(repo, data, where));
  }
  return results;
}

function encryption(
  repo: RepositoryModel,
  data: RepositoryData,
  where: string,
  key: KeyData | { readonly error: string },
  alias: string,
): CheckResult {
  const base = { check: 'encryption', repository: repo.name } as const;
  if (data.encryptionType !== 'KMS' && data.encryptionType !== 'KMS_DSSE') {
    return { ...base, status: 'fail', detail: `${repo.name} in ${where} is encrypted with ${data.encryptionType ?? 'AES256'}, not KMS (cannot be changed: recreate it)` };
  }
  if ('error' in key) {
    return { ...base, status: 'error', detail: `cannot resolve ${alias} in ${where}: ${key.error}` };
  }
  if (!data.kmsKey || !isKey(data.kmsKey, key, alias)) {
    return { ...base, status: 'fail', detail: `${repo.name} in ${where} is encrypted with ${data.kmsKey ?? 'an unnamed key'}, not ${alias} (${key.keyArn})` };
  }
  return { ...base, status: 'pass', detail: `KMS ${alias}` };
}

function mutability(repo: RepositoryModel, data: RepositoryData, where: string): CheckResult {
  const base = { check: 'tag-mutability', repository: repo.name } as const;
  if (data.imageTagMutability === repo.imageTagMutability) {
    return { ...base, status: 'pass', detail: repo.imageTagMutability };
  }
  return { ...base, status: 'fail', detail: `${repo.name} in ${where} has ${data.imageTagMutability ?? 'no'} tags, expected ${repo.imageTagMutability}` };
}

/**
 * Cross-account destination: the registry policy allows the source account
 * `ecr:ReplicateImage` on every repository. `policyText` is `undefined` when
 * the registry has no policy.
 */
export function checkRegistryPolicy(topology: TopologyModel, dest: DestinationModel, policyText: string | undefined): CheckResult[] {
  const where = registryName(dest);
  const source = topology.source.account;
  if (policyText === undefined) {
    return [{ check: 'registry-policy', status: 'fail', detail: `${where} has no registry policy: the source account ${source} cannot replicate into it` }];
  }
  let policy;
  try {
    policy = parsePolicy(policyText);
  } catch (e) {
    return [{ check: 'registry-policy', status: 'fail', detail: `${where}: ${(e as Error).message}` }];
  }
  return topology.repositories.map((repo): CheckResult => allowsReplication(policy, source, repositoryArn(dest, repo.name))
    ? { check: 'registry-policy', repository: repo.name, status: 'pass', detail: `allows ${source} ecr:ReplicateImage` }
    : {
      check: 'registry-policy',
      repository: repo.name,
      status: 'fail',
      detail: `the registry policy of ${where} does not allow ${source} ecr:ReplicateImage on ${repo.name}`,
    });
}

/** How long a replication may stay IN_PROGRESS before it counts as stuck. */
export const STUCK_AFTER_MINUTES = 30;

/**
 * Source, with `--images N`: each of the recent images reached every
 * destination, or is still on its way since less than {@link STUCK_AFTER_MINUTES}.
 */
export function checkImageReplication(
  repository: string,
  images: readonly ImageData[],
  now: Date,
  stuckAfterMinutes = STUCK_AFTER_MINUTES,
): CheckResult {
  const base = { check: 'image-replication', repository } as const;
  if (images.length === 0) return { ...base, status: 'pass', detail: 'no image' };
  const problems: string[] = [];
  for (const image of images) {
    const name = image.tags.length > 0 ? `${image.tags[0]} (${shortDigest(image.digest)})` : shortDigest(image.digest);
    const ageMinutes = image.pushedAt ? (now.getTime() - image.pushedAt.getTime()) / 60_000 : Infinity;
    for (const s of image.statuses) {
      const to = registryName({ account: s.registryId, region: s.region });
      if (s.status === 'FAILED') {
        problems.push(`${name} FAILED to ${to}${s.failureCode ? ` (${s.failureCode})` : ''}`);
      } else if (s.status === 'IN_PROGRESS' && ageMinutes > stuckAfterMinutes) {
        problems.push(`${name} IN_PROGRESS to ${to} for ${Math.floor(ageMinutes)} min`);
      }
    }
  }
  if (problems.length > 0) return { ...base, status: 'fail', detail: problems.join('; ') };
  return { ...base, status: 'pass', detail: `${images.length} recent image(s) replicated or on their way` };
}

function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}
