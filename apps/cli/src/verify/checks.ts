/**
 * The checks of `verify`, as pure functions over what the reader read from
 * the registries: no SDK, no I/O, so every rule is unit-tested directly.
 */
import {
  DestinationModel,
  Environment,
  namespaceFilter,
  namespacesRoutedTo,
  RepositoryModel,
  repositoriesRoutedTo,
  TopologyModel,
} from '@ecr-kms-replication/stacks';

export { deploysCreationTemplate } from '@ecr-kms-replication/stacks';
import { allowsReplication, describeGrant, grantsBeyondReplication, parsePolicy } from './policy';
import { CreationTemplateData, designatesKey, ImageData, ImageSummary, KeyData, partitionOf, QueueLocation, RepositoryData, ReplicationRuleData } from '../registry/data';
import { namespaceRepositoriesArn, sortCreateRepositoryGrants } from '../registry/namespaces';
import { CheckResult } from '../report/result';

export { partitionOf } from '../registry/data';
export type { ImageData, KeyData, RepositoryData, ReplicationRuleData } from '../registry/data';

/** `account/region`, how a detail names a registry. */
export function registryName(env: { account: string; region: string }): string {
  return `${env.account}/${env.region}`;
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
 * Source: the replication rules send every repository to every destination it is routed to.
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
    const routed = topology.destinations.filter((dest) => repo.destinations.includes(dest.id));
    const missing = routed.filter((dest) => !rules.some((rule) => ruleCovers(rule, repo.name, dest)));
    if (missing.length === 0) {
      return { check: 'replication', repository: repo.name, status: 'pass', detail: `replicated to ${routed.length} destination(s)` };
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

/**
 * Destination: every repository exists, is encrypted with the registry's key
 * (a repository adopted there with its own KMS key) and has the configured tag mutability. `key` is the key the topology's alias
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
  for (const repo of repositoriesRoutedTo(topology, dest.id)) {
    const data = found.get(repo.name);
    if (!data) {
      results.push({ check: 'repository', repository: repo.name, status: 'fail', detail: `${repo.name} does not exist in ${where}` });
      continue;
    }
    const adopted = repo.existingDestinations.includes(dest.id);
    results.push({ check: 'repository', repository: repo.name, status: 'pass', detail: adopted ? 'exists (adopted)' : 'exists' });
    results.push(adopted ? adoptedEncryption(repo, data, where) : encryption(repo, data, where, key, topology.keyAlias));
    results.push(mutability(repo, data, where, adopted ? dest.region : undefined));
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
  if (!designatesKey(data.kmsKey, key, alias)) {
    return { ...base, status: 'fail', detail: `${repo.name} in ${where} is encrypted with ${data.kmsKey ?? 'an unnamed key'}, not ${alias} (${key.keyArn})` };
  }
  return { ...base, status: 'pass', detail: `KMS ${alias}` };
}

/**
 * A repository adopted in a destination (`existing`) keeps the key it was
 * created with: it must be KMS-encrypted, with any key, named in the report.
 */
function adoptedEncryption(repo: RepositoryModel, data: RepositoryData, where: string): CheckResult {
  const base = { check: 'encryption', repository: repo.name } as const;
  if (data.encryptionType !== 'KMS' && data.encryptionType !== 'KMS_DSSE') {
    return {
      ...base,
      status: 'fail',
      detail: `${repo.name} in ${where} is adopted (existing) but encrypted with ${data.encryptionType ?? 'AES256'}, not KMS (cannot be changed: recreate it)`,
      fix: 'run ecr-kms-replication preflight: it gives the commands that replace it',
    };
  }
  return { ...base, status: 'pass', detail: `${data.encryptionType} with its own key ${data.kmsKey ?? '(unnamed)'} (adopted)` };
}

/**
 * The tag mutability is the configured one. An adopted repository (`adoptedIn`:
 * its Region) is not managed by the pipeline, so a difference is only a warning there.
 */
function mutability(repo: RepositoryModel, data: RepositoryData, where: string, adoptedIn?: string): CheckResult {
  const base = { check: 'tag-mutability', repository: repo.name } as const;
  if (data.imageTagMutability === repo.imageTagMutability) {
    return { ...base, status: 'pass', detail: repo.imageTagMutability };
  }
  const detail = `${repo.name} in ${where} has ${data.imageTagMutability ?? 'no'} tags, expected ${repo.imageTagMutability}`;
  if (adoptedIn) {
    return {
      ...base,
      status: 'warn',
      detail: `${detail} (adopted: the pipeline does not manage it)`,
      fix: `aws ecr put-image-tag-mutability --repository-name ${repo.name} --image-tag-mutability ${repo.imageTagMutability} --region ${adoptedIn}`,
    };
  }
  return { ...base, status: 'fail', detail };
}

/**
 * Cross-account destination: the registry policy allows the source account
 * `ecr:ReplicateImage` on every repository. `policyText` is `undefined` when
 * the registry has no policy.
 */
export function checkRegistryPolicy(
  topology: TopologyModel,
  dest: DestinationModel,
  policyText: string | undefined,
  templates?: readonly CreationTemplateData[] | { readonly error: string },
): CheckResult[] {
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
  const routed = repositoriesRoutedTo(topology, dest.id);
  const perRepository = routed.map((repo): CheckResult => allowsReplication(policy, source, repositoryArn(dest, repo.name))
    ? { check: 'registry-policy', repository: repo.name, status: 'pass', detail: `allows ${source} ecr:ReplicateImage` }
    : {
      check: 'registry-policy',
      repository: repo.name,
      status: 'fail',
      detail: `the registry policy of ${where} does not allow ${source} ecr:ReplicateImage on ${repo.name}`,
    });
  // The pattern `repository/<prefix>/*` stands for every repository of the namespace: a statement covers it when its Resource matches it.
  const perNamespace = namespacesRoutedTo(topology, dest.id).map((namespace): CheckResult => {
    const all = `${namespaceFilter(namespace.prefix)}*`;
    return allowsReplication(policy, source, namespaceRepositoriesArn(dest, namespace.prefix))
      ? { check: 'registry-policy', repository: all, status: 'pass', detail: `allows ${source} ecr:ReplicateImage on the namespace ${namespace.prefix}` }
      : {
        check: 'registry-policy',
        repository: all,
        status: 'fail',
        detail: `the registry policy of ${where} does not allow ${source} ecr:ReplicateImage on every repository of the namespace ${namespace.prefix}`,
      };
  });
  return [...perRepository, ...perNamespace, ...checkPolicyScope(topology, dest, policy, templates)];
}

/**
 * The registry policy grants nothing beyond replication by the source, and
 * `ecr:CreateRepository` exactly on `repository/<prefix>/*` of each namespace
 * routed here whose creation template exists (without the template, a
 * repository that replication creates is AES-256). Anything more was added
 * outside the pipeline.
 */
function checkPolicyScope(
  topology: TopologyModel,
  dest: DestinationModel,
  policy: ReturnType<typeof parsePolicy>,
  templates: readonly CreationTemplateData[] | { readonly error: string } | undefined,
): CheckResult[] {
  const where = registryName(dest);
  const source = topology.source.account;
  const extra = grantsBeyondReplication(policy, source);
  const results: CheckResult[] = [];
  const hasTemplate = (prefix: string) => templates === undefined || 'error' in templates ? undefined : templates.some((t) => t.prefix === prefix);
  for (const sorted of sortCreateRepositoryGrants(topology, dest, extra.createRepository)) {
    const grant = describeGrant(sorted.grant);
    if (sorted.beyond.length > 0) {
      results.push({
        check: 'registry-policy',
        status: 'fail',
        detail: `the registry policy of ${where} grants ecr:CreateRepository in ${grant} on ${sorted.beyond.join(', ')}, beyond the namespaces routed here: `
          + 'replication may create repositories there that no template of this deployment encrypts (AES-256 unless some template matches)',
        fix: 'remove ecr:CreateRepository from the statement, or narrow its resources to repository/<namespace>/* of the namespaces routed here '
          + '(all the pipeline grants), or redeploy the destination stage',
      });
    }
    for (const { resource, prefix } of sorted.routed) {
      const template = hasTemplate(prefix);
      if (template === false) {
        results.push({
          check: 'registry-policy',
          status: 'fail',
          detail: `the registry policy of ${where} grants ecr:CreateRepository on ${resource} but there is no ${prefix} creation template: `
            + 'replication creates repositories of the namespace with AES-256',
          fix: `redeploy the destination stage of ${where} (it creates the template before the grant)`,
        });
      } else {
        results.push({
          check: 'registry-policy',
          status: 'pass',
          detail: `grants ecr:CreateRepository on ${resource} (namespace ${prefix}${template === undefined ? ', template not read: see the creation-template check' : ', template present'})`,
        });
      }
    }
  }
  for (const grant of extra.otherPrincipals) {
    results.push({
      check: 'registry-policy',
      status: 'fail',
      detail: `the registry policy of ${where} grants principals other than the source account ${source} in ${describeGrant(grant)}`,
      fix: 'remove the statement, or redeploy the destination stage (its registry policy replaces the whole policy)',
    });
  }
  if (!results.some((r) => r.status !== 'pass')) {
    results.push({ check: 'registry-policy', status: 'pass', detail: `grants nothing beyond replication by ${source}${results.length > 0 ? ' and repository creation in routed namespaces' : ''}` });
  }
  return results;
}

/** The prefix of the creation template the destination stage deploys. */
export const CREATION_TEMPLATE_PREFIX = 'ROOT';

/**
 * Same-account destination with the safety net: the `ROOT` creation template
 * exists, applies to replication and encrypts with the registry's key.
 * `key` is the key the topology's alias designates there, or why it could not be resolved.
 */
export function checkCreationTemplate(
  topology: TopologyModel,
  dest: DestinationModel,
  templates: readonly CreationTemplateData[],
  key: KeyData | { readonly error: string },
): CheckResult {
  const base = { check: 'creation-template' } as const;
  const where = registryName(dest);
  const template = templates.find((t) => t.prefix === CREATION_TEMPLATE_PREFIX);
  const redeploy = `redeploy the destination stage of ${where} (the pipeline's Destinations wave)`;
  if (!template) {
    return {
      ...base,
      status: 'fail',
      detail: `${where} has no ${CREATION_TEMPLATE_PREFIX} repository creation template: a repository that replication creates here would be encrypted with AES-256`,
      fix: redeploy,
    };
  }
  const problems: string[] = [];
  if (!template.appliedFor.includes('REPLICATION')) problems.push(`applies to ${template.appliedFor.join(', ') || 'nothing'}, not REPLICATION`);
  if (template.encryptionType !== 'KMS' && template.encryptionType !== 'KMS_DSSE') {
    problems.push(`encrypts with ${template.encryptionType ?? 'AES256'}, not KMS`);
  } else if ('error' in key) {
    return { ...base, status: 'error', detail: `cannot resolve ${topology.keyAlias} in ${where}: ${key.error}` };
  } else if (!designatesKey(template.kmsKey, key, topology.keyAlias)) {
    problems.push(`encrypts with ${template.kmsKey ?? 'an unnamed key'}, not ${topology.keyAlias} (${key.keyArn})`);
  }
  if (!template.customRoleArn) problems.push('has no role to create repositories with (CustomRoleArn)');
  if (problems.length > 0) {
    return { ...base, status: 'fail', detail: `the ${CREATION_TEMPLATE_PREFIX} creation template of ${where} ${problems.join('; ')}`, fix: redeploy };
  }
  return { ...base, status: 'pass', detail: `${CREATION_TEMPLATE_PREFIX} template encrypts replicated repositories with ${topology.keyAlias}` };
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

/**
 * Destination, with `--images N`: each of the N most recent source images of
 * a repository is here (same digest). ECR replicates only images pushed after
 * the destination joined the replication configuration: older ones are
 * missing until a backfill copies them. A warning, with the command to run.
 */
export function checkImagePresence(
  dest: DestinationModel,
  repository: string,
  sourceRecent: readonly ImageSummary[],
  here: readonly ImageSummary[],
): CheckResult {
  const base = { check: 'image-presence', repository } as const;
  const digests = new Set(here.map((i) => i.digest));
  const absent = sourceRecent.filter((i) => !digests.has(i.digest));
  if (absent.length === 0) {
    return { ...base, status: 'pass', detail: sourceRecent.length === 0 ? 'no source image' : `the ${sourceRecent.length} most recent source image(s) are here` };
  }
  const names = absent.slice(0, 5).map((i) => (i.tags.length > 0 ? `${i.tags[0]} (${shortDigest(i.digest)})` : shortDigest(i.digest)));
  const more = absent.length > names.length ? ` and ${absent.length - names.length} more` : '';
  return {
    ...base,
    status: 'warn',
    detail: `${absent.length} of the ${sourceRecent.length} most recent source image(s) are not in ${registryName(dest)}: ${names.join(', ')}${more}`,
    fix: `images pushed before replication reached ${dest.id} are never copied on their own: run ecr-kms-replication backfill --destination ${dest.id} --only-missing`,
  };
}

function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/**
 * A dead-letter queue of the alerts holds what EventBridge (after its
 * retries) or EventBridge Scheduler could not deliver: a failed replication
 * that never reached the bus, an alert the topic refused, a scheduled build
 * that did not start. Each message carries why (`ERROR_CODE`,
 * `ERROR_MESSAGE` attributes, "Event retry policy and using dead-letter
 * queues", EventBridge User Guide). Any message there is a failure.
 */
export function checkDeadLetterQueue(queue: QueueLocation, depth: number): CheckResult {
  if (depth === 0) return { check: 'dead-letter-queue', status: 'pass', detail: `no message in ${queue.queueName}` };
  return {
    check: 'dead-letter-queue',
    status: 'fail',
    detail: `${depth} message${depth === 1 ? '' : 's'} wait${depth === 1 ? 's' : ''} in ${queue.url}: alerts that EventBridge or EventBridge Scheduler could not deliver`,
    fix: `read them (aws sqs receive-message --queue-url ${queue.url} --attribute-names All --message-attribute-names All `
      + `--region ${queue.region}), fix what their ERROR_CODE and ERROR_MESSAGE attributes name (a bus policy, a key, a topic policy, `
      + `the build project), act on the alerts they hold, then empty the queue (aws sqs purge-queue --queue-url ${queue.url} --region ${queue.region})`,
  };
}
