/**
 * The checks of `verify` for namespaces and for what replicates without being
 * managed, as pure functions over what the reader read (see
 * `registry/namespaces.ts` for what the topology deploys).
 */
import { DestinationModel, namespaceFilter, SourceModel, TopologyModel } from '@ecr-kms-replication/stacks';
import { registryName } from './checks';
import { CreationTemplateData, designatesKey, KeyData, RepositoryData, ReplicationRuleData } from '../registry/data';
import { describeUnmanaged, expectedTemplates, namespacesIn, PREFIX_MATCH, replicatedButUnmanaged } from '../registry/namespaces';
import { CheckResult, CheckStatus } from '../report/result';

type KeyOrError = KeyData | { readonly error: string };

const where = registryName;

function isKms(encryptionType: string | undefined): boolean {
  return encryptionType === 'KMS' || encryptionType === 'KMS_DSSE';
}

/**
 * Source: each namespace is sent to each destination it is routed to by a
 * live rule whose filter matches every name under it (a prefix of `<prefix>/`,
 * or no filter at all).
 */
export function checkNamespaceReplication(topology: TopologyModel, rules: readonly ReplicationRuleData[]): CheckResult[] {
  return topology.namespaces.map((namespace): CheckResult => {
    const all = namespaceFilter(namespace.prefix);
    const missing = topology.destinations.filter((dest) => namespace.destinations.includes(dest.id) && !rules.some((rule) =>
      rule.destinations.some((d) => d.registryId === dest.account && d.region === dest.region)
      && ((rule.repositoryFilters ?? []).length === 0
        || rule.repositoryFilters!.some((f) => f.filterType === PREFIX_MATCH && all.startsWith(f.filter)))));
    return missing.length === 0
      ? { check: 'replication', repository: `${all}*`, status: 'pass', detail: `namespace ${namespace.prefix} replicated to ${namespace.destinations.length} destination(s)` }
      : {
        check: 'replication',
        repository: `${all}*`,
        status: 'fail',
        detail: `no replication rule sends the namespace ${namespace.prefix} (filter ${all}) to ${missing.map(where).join(', ')}`,
        fix: 'redeploy the source stage (the pipeline\'s Source stage)',
      };
  });
}

/**
 * Every repository under a namespace of this registry that the topology does
 * not list (a listed one has its own checks): encrypted with the registry's
 * key (a failure: it can never change) and with the namespace's tag
 * mutability (a warning, with the command that sets it). One pass row per
 * namespace for the repositories that hold.
 */
export function checkNamespaceRepositories(
  topology: TopologyModel,
  env: SourceModel | DestinationModel,
  repositories: readonly RepositoryData[],
  key: KeyOrError,
): CheckResult[] {
  const isSource = env.id === topology.source.id;
  const listed = new Set(topology.repositories.map((r) => r.name));
  const results: CheckResult[] = [];
  for (const namespace of namespacesIn(topology, env.id)) {
    const under = repositories.filter((r) => r.name.startsWith(namespaceFilter(namespace.prefix)) && !listed.has(r.name))
      .sort((a, b) => a.name.localeCompare(b.name));
    let good = 0;
    for (const repo of under) {
      const base = { repository: repo.name } as const;
      let ok = true;
      if (!isKms(repo.encryptionType)) {
        ok = false;
        results.push({
          ...base,
          check: 'encryption',
          status: 'fail',
          detail: `${repo.name} (namespace ${namespace.prefix}) in ${where(env)} is encrypted with ${repo.encryptionType ?? 'AES256'}, not KMS with ${topology.keyAlias} `
            + '(cannot be changed)',
          fix: recreate(topology, env, repo.name, namespace.prefix, isSource),
        });
      } else if ('error' in key) {
        ok = false;
        results.push({ ...base, check: 'encryption', status: 'error', detail: `cannot resolve ${topology.keyAlias} in ${where(env)}: ${key.error}` });
      } else if (!designatesKey(repo.kmsKey, key, topology.keyAlias)) {
        ok = false;
        results.push({
          ...base,
          check: 'encryption',
          status: 'fail',
          detail: `${repo.name} (namespace ${namespace.prefix}) in ${where(env)} is encrypted with ${repo.kmsKey ?? 'an unnamed key'}, not ${topology.keyAlias} (${key.keyArn})`,
          fix: recreate(topology, env, repo.name, namespace.prefix, isSource),
        });
      }
      if (repo.imageTagMutability !== namespace.imageTagMutability) {
        ok = false;
        results.push({
          ...base,
          check: 'tag-mutability',
          status: 'warn',
          detail: `${repo.name} (namespace ${namespace.prefix}) in ${where(env)} has ${repo.imageTagMutability ?? 'no'} tags, expected ${namespace.imageTagMutability}`,
          fix: `aws ecr put-image-tag-mutability --repository-name ${repo.name} --image-tag-mutability ${namespace.imageTagMutability} `
            + `--registry-id ${env.account} --region ${env.region}`,
        });
      }
      if (ok) good++;
    }
    results.push({
      check: 'namespace',
      repository: `${namespaceFilter(namespace.prefix)}*`,
      status: 'pass',
      detail: under.length === 0
        ? `no repository under ${namespaceFilter(namespace.prefix)} in ${where(env)} yet`
        : `${good} of ${under.length} repositor${under.length === 1 ? 'y' : 'ies'} under ${namespaceFilter(namespace.prefix)} encrypted with ${topology.keyAlias}, ${namespace.imageTagMutability} tags`,
    });
  }
  return results;
}

/** How to get a repository under a namespace re-created by the namespace's creation template. */
function recreate(topology: TopologyModel, env: SourceModel | DestinationModel, repository: string, prefix: string, isSource: boolean): string {
  const target = `--repository-name ${repository} --registry-id ${env.account} --region ${env.region}`;
  if (isSource) {
    return `encryption cannot be changed: keep its images (aws ecr describe-images ${target}), delete it (aws ecr delete-repository ${target} --force) `
      + `and push them again; the ${prefix} creation template creates it on the first push with ${topology.keyAlias}`;
  }
  return `encryption cannot be changed: delete it (aws ecr delete-repository ${target} --force); the next replication creates it again through the ${prefix} `
    + `creation template with ${topology.keyAlias}; then copy the older images: ecr-kms-replication backfill --destination ${env.id} --only-missing`;
}

/**
 * The creation template of each namespace of this registry is the deployed
 * one: the prefix, applied for REPLICATION (destination) or CREATE_ON_PUSH and
 * PULL_THROUGH_CACHE (source), KMS with the registry's key, the namespace's tag mutability, a
 * custom role. `templates` is every template of the registry, or why they
 * could not be read (an endpoint without creation templates cannot check them).
 */
export function checkNamespaceTemplates(
  topology: TopologyModel,
  env: SourceModel | DestinationModel,
  templates: readonly CreationTemplateData[] | { readonly error: string },
  key: KeyOrError,
): CheckResult[] {
  const expected = expectedTemplates(topology, env.id);
  const stage = env.id === topology.source.id ? 'source stage' : 'destination stage';
  const redeploy = `redeploy the ${stage} of ${where(env)}`;
  if ('error' in templates) {
    return expected.length === 0 ? [] : [{
      check: 'creation-template',
      status: 'error',
      detail: `the creation templates of ${where(env)} cannot be read, so the ${expected.length} namespace template(s) `
        + `(${expected.map((t) => t.prefix).join(', ')}) are not checked: ${templates.error}`,
    }];
  }
  return expected.map((want): CheckResult => {
    const base = { check: 'creation-template', repository: `${namespaceFilter(want.prefix)}*` } as const;
    const template = templates.find((t) => t.prefix === want.prefix);
    if (!template) {
      return {
        ...base,
        status: 'fail',
        detail: `${where(env)} has no creation template for the namespace ${want.prefix}: a repository ${env.id === topology.source.id ? 'created by a push' : 'created by replication'} `
          + `under ${namespaceFilter(want.prefix)} would be encrypted with AES-256`,
        fix: redeploy,
      };
    }
    const problems: string[] = [];
    const notApplied = want.appliedFor.filter((a) => !template.appliedFor.includes(a));
    if (notApplied.length > 0) problems.push(`applies to ${template.appliedFor.join(', ') || 'nothing'}, not ${notApplied.join(', ')}`);
    if (!isKms(template.encryptionType)) {
      problems.push(`encrypts with ${template.encryptionType ?? 'AES256'}, not KMS`);
    } else if ('error' in key) {
      return { ...base, status: 'error', detail: `cannot resolve ${topology.keyAlias} in ${where(env)}: ${key.error}` };
    } else if (!designatesKey(template.kmsKey, key, topology.keyAlias)) {
      problems.push(`encrypts with ${template.kmsKey ?? 'an unnamed key'}, not ${topology.keyAlias} (${key.keyArn})`);
    }
    if (template.imageTagMutability !== want.imageTagMutability) problems.push(`gives ${template.imageTagMutability ?? 'no'} tags, not ${want.imageTagMutability}`);
    if (!template.customRoleArn) problems.push('has no role to create repositories with (CustomRoleArn)');
    if (problems.length > 0) {
      return { ...base, status: 'fail', detail: `the ${want.prefix} creation template of ${where(env)} ${problems.join('; ')}`, fix: redeploy };
    }
    return { ...base, status: 'pass', detail: `${want.prefix} template (${want.appliedFor.join(', ')}) encrypts with ${topology.keyAlias}, ${want.imageTagMutability} tags` };
  });
}

/**
 * Source: repositories that a rule replicates (the live configuration's and
 * the topology's own) but the topology neither lists nor covers, each with
 * the rule and what ECR does with it in each destination. `status` is how
 * the command weighs them (verify: fail; preflight: warn).
 */
export function checkUnmanaged(
  topology: TopologyModel,
  sourceRepositories: readonly string[],
  liveRules: readonly ReplicationRuleData[],
  status: Exclude<CheckStatus, 'pass'> = 'fail',
): CheckResult[] {
  const unmanaged = replicatedButUnmanaged(topology, sourceRepositories, liveRules);
  if (unmanaged.length === 0) {
    return [{ check: 'unmanaged', status: 'pass', detail: `no repository of ${where(topology.source)} replicates without the topology listing or covering it` }];
  }
  return unmanaged.map((u) => ({ check: 'unmanaged', repository: u.repository, status, ...describeUnmanaged(topology.source.id, u) }));
}
