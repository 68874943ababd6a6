/**
 * Rules that compare fields with each other. They read the raw file data
 * defensively (skipping entries whose own fields are wrong), so that they run
 * even when the schema found problems, and the user gets every problem at once.
 */
import { ReplicationAccess } from '@ecr-kms-replication/constructs';
import { didYouMean } from './did-you-mean';
import { TopologyProblem } from './errors';
import {
  ECR_QUOTAS,
  MAX_REPOSITORIES,
  PARTITIONS_WITHOUT_CREATION_TEMPLATES,
  isAccountId,
  isKnownRegion,
  partitionOf,
} from './rules';

type Data = Record<string, unknown>;

function isRecord(value: unknown): value is Data {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** `account region` of an entry whose account and Region are both valid. */
function environmentKey(value: unknown): { account: string; region: string } | undefined {
  if (isRecord(value) && isAccountId(value.account) && isKnownRegion(value.region)) {
    return { account: value.account, region: value.region };
  }
  return undefined;
}

export function crossCheckProblems(data: unknown): TopologyProblem[] {
  if (!isRecord(data)) return [];
  return [...destinationProblems(data), ...repositoryProblems(data), ...routingProblems(data)];
}

function destinationProblems(data: Data): TopologyProblem[] {
  const problems: TopologyProblem[] = [];
  const source = environmentKey(data.source);
  const sourcePartition = source && partitionOf(source.region);
  const firstIndex = new Map<string, number>();

  list(data.destinations).forEach((entry, i) => {
    const env = environmentKey(entry);
    if (!env) return;
    const path = `destinations[${i}]`;
    const key = `${env.account} ${env.region}`;
    const first = firstIndex.get(key);
    if (first !== undefined) {
      problems.push({ path, message: `repeats destinations[${first}] (account ${env.account}, Region ${env.region}); list each destination once` });
      return;
    }
    firstIndex.set(key, i);

    if (source && source.account === env.account && source.region === env.region) {
      problems.push({ path, message: `is the source registry itself (account ${env.account}, Region ${env.region}); a registry cannot replicate to itself` });
    }
    const partition = partitionOf(env.region);
    if (sourcePartition && partition !== sourcePartition) {
      problems.push({
        path: `${path}.region`,
        message: `is in partition ${partition} but the source is in ${sourcePartition}; ECR cannot replicate across partitions`,
        value: env.region,
      });
    }
    const creationTemplate = isRecord(entry) && entry.creationTemplate !== false;
    if (creationTemplate && partition && PARTITIONS_WITHOUT_CREATION_TEMPLATES.includes(partition)) {
      problems.push({
        path: `${path}.creationTemplate`,
        message: `repository creation templates (on by default) are not available in ${env.region} (partition ${partition}); set creationTemplate: false`,
      });
    }
  });

  if (firstIndex.size > ECR_QUOTAS.maxUniqueDestinations) {
    problems.push({
      path: 'destinations',
      message: `lists ${firstIndex.size} destinations; ECR replicates a registry to at most `
        + `${ECR_QUOTAS.maxUniqueDestinations} unique destinations (service quota "unique destinations per replication configuration")`,
    });
  }
  return problems;
}

function repositoryProblems(data: Data): TopologyProblem[] {
  const problems: TopologyProblem[] = [];
  const repositories = list(data.repositories);
  const firstIndex = new Map<string, number>();

  repositories.forEach((entry, i) => {
    if (!isRecord(entry) || typeof entry.name !== 'string') return;
    const first = firstIndex.get(entry.name);
    if (first !== undefined) {
      problems.push({ path: `repositories[${i}].name`, message: `repeats repositories[${first}]; list each repository once`, value: entry.name });
    } else {
      firstIndex.set(entry.name, i);
    }
  });

  problems.push(...existingProblems(data, repositories));

  if (repositories.length > MAX_REPOSITORIES) {
    problems.push({
      path: 'repositories',
      message: `lists ${repositories.length.toLocaleString('en-US')} repositories; one replication configuration holds at most `
        + `${MAX_REPOSITORIES.toLocaleString('en-US')} (ECR quotas: ${ECR_QUOTAS.maxRulesPerConfiguration} rules `
        + `× ${ECR_QUOTAS.maxFiltersPerRule} repository filters per rule)`,
    });
  }
  return problems;
}

/** `existing` lists environments of this topology, each once. */
function existingProblems(data: Data, repositories: unknown[]): TopologyProblem[] {
  const source = environmentKey(data.source);
  const sourceId = source ? `${source.account}-${source.region}` : undefined;
  const known = [
    'source',
    ...(sourceId ? [sourceId] : []),
    ...list(data.destinations).flatMap((d) => {
      const env = environmentKey(d);
      return env ? [`${env.account}-${env.region}`] : [];
    }),
  ];
  const problems: TopologyProblem[] = [];
  repositories.forEach((entry, i) => {
    if (!isRecord(entry) || !Array.isArray(entry.existing)) return;
    const seen = new Set<string>();
    entry.existing.forEach((id, j) => {
      if (typeof id !== 'string') return;
      const path = `repositories[${i}].existing[${j}]`;
      if (!known.includes(id)) {
        const hint = didYouMean(id, known);
        problems.push({
          path,
          message: `is not an environment of this topology${hint ? `; did you mean '${hint}'?` : ` (known: ${known.join(', ')})`}`,
          value: id,
        });
        return;
      }
      // `source` and the source's own id name the same registry.
      const canonical = id === 'source' && sourceId ? sourceId : id;
      if (seen.has(canonical)) {
        problems.push({ path, message: 'names an environment already listed; list each environment once', value: id });
      }
      seen.add(canonical);
    });
  });
  return problems;
}

// ---------------------------------------------------------------------------
// Namespaces and routing

/** A destination as the routing checks need it (valid account and Region only). */
interface RoutedDestination {
  readonly id: string;
  readonly index: number;
  readonly crossAccount: boolean;
  readonly creationTemplate: boolean;
  readonly region: string;
  readonly account: string;
}

/** A namespace or listed repository with its resolved settings and routing (ids of known destinations). */
interface Routed {
  readonly path: string;
  readonly name: string;
  readonly destinations: readonly string[];
  /** Whether `destinations` was written (otherwise: every destination). */
  readonly explicit: boolean;
  readonly imageTagMutability: unknown;
  readonly lifecycle: unknown;
}

function routingProblems(data: Data): TopologyProblem[] {
  const problems: TopologyProblem[] = [];
  const source = environmentKey(data.source);
  const destinations: RoutedDestination[] = [];
  list(data.destinations).forEach((entry, index) => {
    const env = environmentKey(entry);
    const id = env && `${env.account}-${env.region}`;
    if (!env || !id || destinations.some((d) => d.id === id)) return;
    destinations.push({
      id,
      index,
      account: env.account,
      region: env.region,
      crossAccount: source !== undefined && source.account !== env.account,
      creationTemplate: !(isRecord(entry) && entry.creationTemplate === false),
    });
  });
  const ids = destinations.map((d) => d.id);
  const defaults = isRecord(data.defaults) ? data.defaults : {};
  const settings = (entry: Data) => ({
    imageTagMutability: entry.imageTagMutability ?? defaults.imageTagMutability ?? 'IMMUTABLE',
    lifecycle: entry.lifecycle ?? defaults.lifecycle,
  });

  // Routing lists: every id known, each once.
  const routedOf = (entry: Data, path: string): string[] => {
    if (!Array.isArray(entry.destinations)) return ids;
    const seen = new Set<string>();
    entry.destinations.forEach((id, j) => {
      if (typeof id !== 'string' || id === '') return;
      if (!ids.includes(id)) {
        const hint = didYouMean(id, ids);
        problems.push({
          path: `${path}.destinations[${j}]`,
          message: `is not a destination of this topology${hint ? `; did you mean '${hint}'?` : ` (destinations: ${ids.join(', ')})`}`,
          value: id,
        });
      } else if (seen.has(id)) {
        problems.push({ path: `${path}.destinations[${j}]`, message: 'names a destination already listed; list each destination once', value: id });
      }
      seen.add(id);
    });
    return ids.filter((id) => seen.has(id));
  };

  const routedEntry = (entry: Data, path: string, name: string): Routed =>
    ({ path, name, destinations: routedOf(entry, path), explicit: Array.isArray(entry.destinations), ...settings(entry) });
  const namespaces: Routed[] = [];
  const rawNamespaces = list(data.namespaces);
  rawNamespaces.forEach((entry, i) => {
    if (!isRecord(entry) || typeof entry.prefix !== 'string' || entry.prefix === '') return;
    namespaces.push(routedEntry(entry, `namespaces[${i}]`, entry.prefix));
  });
  const repositories: Routed[] = [];
  list(data.repositories).forEach((entry, i) => {
    if (!isRecord(entry) || typeof entry.name !== 'string' || entry.name === '') return;
    repositories.push(routedEntry(entry, `repositories[${i}]`, entry.name));
  });

  if (data.repositories === undefined && rawNamespaces.length === 0) {
    problems.push({ path: 'repositories', message: 'is required: list at least one repository, or namespaces' });
  }

  if (rawNamespaces.length > MAX_NAMESPACES) {
    problems.push({
      path: 'namespaces',
      message: `lists ${rawNamespaces.length.toLocaleString('en-US')} namespaces; at most ${MAX_NAMESPACES} fit: each is a creation template `
        + 'in the source\'s registry stack, and CloudFormation allows 500 resources a stack',
    });
  }
  problems.push(...namespaceOverlapProblems(namespaces));
  problems.push(...namespaceTemplateProblems(data, namespaces, destinations));
  problems.push(...coveredRepositoryProblems(namespaces, repositories));
  problems.push(...overMatchingNameProblems(namespaces, repositories));
  problems.push(...quotaProblems(namespaces, repositories, destinations, list(data.repositories).length));
  return problems;
}

/**
 * Every namespace is a creation template in the source's registry stack (and
 * in each destination's it is routed to), beside about 20 other resources;
 * CloudFormation allows 500 resources a stack.
 */
export const MAX_NAMESPACES = 400;

function covers(namespace: string, name: string): boolean {
  return name.startsWith(`${namespace}/`);
}

/** Two namespaces must not overlap: a repository would match both prefixes and two templates. */
function namespaceOverlapProblems(namespaces: Routed[]): TopologyProblem[] {
  const problems: TopologyProblem[] = [];
  namespaces.forEach((namespace, j) => {
    const other = namespaces.slice(0, j).find((o) => o.name === namespace.name || covers(o.name, namespace.name) || covers(namespace.name, o.name));
    if (!other) return;
    problems.push(other.name === namespace.name
      ? { path: `${namespace.path}.prefix`, message: `repeats ${other.path}; list each namespace once`, value: namespace.name }
      : {
        path: `${namespace.path}.prefix`,
        message: `overlaps ${other.path} (${other.name}): every repository under ${[other.name, namespace.name].sort((a, b) => b.length - a.length)[0]}/ `
          + 'would belong to both; keep only the outer namespace, or make them siblings',
        value: namespace.name,
      });
  });
  return problems;
}

/** A namespace needs creation templates: in the source and in every destination it is routed to. */
function namespaceTemplateProblems(data: Data, namespaces: Routed[], destinations: RoutedDestination[]): TopologyProblem[] {
  const problems: TopologyProblem[] = [];
  const source = environmentKey(data.source);
  const partition = source && partitionOf(source.region);
  if (namespaces.length > 0 && partition && PARTITIONS_WITHOUT_CREATION_TEMPLATES.includes(partition)) {
    problems.push({
      path: 'namespaces',
      message: `need repository creation templates, which are not available in ${source!.region} (partition ${partition}); list the repositories instead`,
    });
  }
  for (const namespace of namespaces) {
    for (const destination of destinations.filter((d) => !d.creationTemplate && namespace.destinations.includes(d.id))) {
      problems.push({
        path: namespace.explicit ? `${namespace.path}.destinations` : namespace.path,
        message: `routes namespace ${namespace.name} to ${destination.id}, which has creationTemplate: false (destinations[${destination.index}]); `
          + 'a namespace needs a creation template in every registry it is routed to: route it elsewhere, or remove creationTemplate: false',
        value: destination.id,
      });
    }
  }
  return problems;
}

/** A listed repository inside a namespace takes the namespace's routing and template settings. */
function coveredRepositoryProblems(namespaces: Routed[], repositories: Routed[]): TopologyProblem[] {
  const problems: TopologyProblem[] = [];
  for (const repository of repositories) {
    const namespace = namespaces.find((n) => covers(n.name, repository.name));
    if (!namespace) continue;
    if (!sameSet(namespace.destinations, repository.destinations)) {
      problems.push({
        path: repository.explicit ? `${repository.path}.destinations` : `${repository.path}.name`,
        message: `is inside namespace ${namespace.name} (${namespace.path}) but routed differently (${listIds(repository.destinations)} `
          + `instead of ${listIds(namespace.destinations)}); one filter ${namespace.name}/ replicates both: route them alike`,
        value: repository.explicit ? repository.destinations : repository.name,
      });
    }
    if (repository.imageTagMutability !== namespace.imageTagMutability) {
      problems.push({
        path: `${repository.path}.imageTagMutability`,
        message: `is ${String(repository.imageTagMutability)} but namespace ${namespace.name} (${namespace.path}) creates its repositories `
          + `${String(namespace.imageTagMutability)}; give them the same setting`,
      });
    }
    if (JSON.stringify(repository.lifecycle ?? null) !== JSON.stringify(namespace.lifecycle ?? null)) {
      problems.push({
        path: `${repository.path}.lifecycle`,
        message: `differs from the lifecycle of namespace ${namespace.name} (${namespace.path}); give them the same lifecycle`,
        value: repository.lifecycle ?? null,
      });
    }
  }
  return problems;
}

/**
 * A listed name outside every namespace becomes a `PREFIX_MATCH` filter: if
 * it is a prefix of another listed name or of a namespace, it replicates
 * those too, to its own destinations.
 */
function overMatchingNameProblems(namespaces: Routed[], repositories: Routed[]): TopologyProblem[] {
  const problems: TopologyProblem[] = [];
  const filtered = repositories.filter((r) => !namespaces.some((n) => covers(n.name, r.name)));
  const sorted = [...filtered].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const reported = new Set<string>();
  sorted.forEach((repository, i) => {
    // Sorted: every name that starts with this one follows it directly.
    const longer = sorted[i + 1];
    if (longer && longer.name !== repository.name && longer.name.startsWith(repository.name)) {
      reported.add(repository.path);
      problems.push({
        path: `${repository.path}.name`,
        message: `is a prefix of ${longer.path} (${longer.name}): ECR filters by prefix, so the filter ${repository.name} would also replicate `
          + `${longer.name} and any repository named ${repository.name}...; rename one, or list them under a namespace`,
        value: repository.name,
      });
    }
  });
  for (const repository of filtered) {
    if (reported.has(repository.path)) continue;
    const namespace = namespaces.find((n) => `${n.name}/`.startsWith(repository.name));
    if (namespace) {
      problems.push({
        path: `${repository.path}.name`,
        message: `is a prefix of namespace ${namespace.name} (${namespace.path}): ECR filters by prefix, so the filter ${repository.name} would `
          + `also replicate every repository under ${namespace.name}/ to this repository's destinations; rename it, or move it into the namespace`,
        value: repository.name,
      });
    }
  }
  return problems;
}

/**
 * ECR's quotas, counted the way `replicationRules` builds the rules: one
 * group per distinct destination set, 100 filters a rule, 10 rules; and each
 * cross-account destination's registry policy within 10,240 characters with
 * the namespaces' `ecr:CreateRepository` grant exact.
 */
function quotaProblems(namespaces: Routed[], repositories: Routed[], destinations: RoutedDestination[], listed: number): TopologyProblem[] {
  const problems: TopologyProblem[] = [];
  const filters: Routed[] = [
    ...namespaces,
    ...repositories.filter((r) => !namespaces.some((n) => covers(n.name, r.name))),
  ];
  const groups = new Map<string, number>();
  for (const entry of filters) {
    if (entry.destinations.length === 0) continue;
    const key = [...entry.destinations].sort().join(' ');
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  const rules = [...groups.values()].reduce((sum, count) => sum + Math.ceil(count / ECR_QUOTAS.maxFiltersPerRule), 0);
  // More than 1,000 listed repositories is reported on its own.
  if (rules > ECR_QUOTAS.maxRulesPerConfiguration && listed <= MAX_REPOSITORIES) {
    problems.push({
      path: namespaces.length > 0 ? 'namespaces' : 'repositories',
      message: `need ${rules} replication rules (${filters.length.toLocaleString('en-US')} filters in ${groups.size} routing `
        + `group${groups.size === 1 ? '' : 's'}, one group per distinct set of destinations, ${ECR_QUOTAS.maxFiltersPerRule} filters a rule); `
        + `ECR allows ${ECR_QUOTAS.maxRulesPerConfiguration} rules per replication configuration: route alike what can go alike, or use fewer filters`,
    });
  }

  if (filters.length > 0) {
    for (const destination of destinations) {
      if (!filters.some((f) => f.destinations.includes(destination.id))) {
        problems.push({
          path: `destinations[${destination.index}]`,
          message: `is routed nothing: no namespace or repository goes to ${destination.id}; route something to it, or remove it`,
        });
      }
    }
  }

  for (const destination of destinations.filter((d) => d.crossAccount)) {
    const routed = namespaces.filter((n) => n.destinations.includes(destination.id)).map((n) => n.name);
    if (routed.length === 0) continue;
    // The listed repositories' ReplicateImage grant widens to the whole registry if it must; the namespaces' CreateRepository never does.
    const chars = ReplicationAccess.estimatePolicyChars(
      { sourceAccounts: ['000000000000'], repositoryNames: ['*'], namespaces: routed },
      { region: destination.region, account: destination.account },
    );
    if (chars > ReplicationAccess.MAX_POLICY_CHARS) {
      problems.push({
        path: `destinations[${destination.index}]`,
        message: `would need a registry policy of ${chars.toLocaleString('en-US')} characters to let the source create repositories under the `
          + `${routed.length} namespaces routed here (repository/<prefix>/* each, never repository/*); ECR allows `
          + `${ReplicationAccess.MAX_POLICY_CHARS.toLocaleString('en-US')}: route fewer namespaces here, or group them under a common parent namespace`,
      });
    }
  }
  return problems;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}

function listIds(ids: readonly string[]): string {
  return ids.length > 0 ? ids.join(', ') : 'nowhere';
}
