/**
 * What the topology replicates where: namespaces and listed repositories,
 * their routing to destinations, and the prefix filters ECR matches them by.
 *
 * ECR's only replication filter is `PREFIX_MATCH`: a filter `shop/api` also
 * matches `shop/api-old` and `shop/api/v2`. A namespace is therefore always
 * filtered with its trailing slash (`team-a/`), so that it never matches
 * `team-ab/...`; a listed repository is filtered by its full name.
 */
import { NamespaceModel, RepositoryModel, TopologyModel, deploysCreationTemplate } from './model';

/** The replication filter (and repository-ARN prefix) of a namespace: `<prefix>/`. */
export function namespaceFilter(prefix: string): string {
  return `${prefix}/`;
}

/** Whether `repositoryName` is under the namespace (`team-a/x` is; `team-a` and `team-ab/x` are not). */
export function namespaceCovers(namespace: Pick<NamespaceModel, 'prefix'>, repositoryName: string): boolean {
  return repositoryName.startsWith(namespaceFilter(namespace.prefix));
}

/** The namespace that covers `repositoryName`, if any (namespaces never overlap in a valid topology). */
export function coveringNamespace(topology: Pick<TopologyModel, 'namespaces'>, repositoryName: string): NamespaceModel | undefined {
  return topology.namespaces.find((namespace) => namespaceCovers(namespace, repositoryName));
}

/** The namespaces replicated to the destination `destinationId`, in file order. */
export function namespacesRoutedTo(topology: Pick<TopologyModel, 'namespaces'>, destinationId: string): NamespaceModel[] {
  return topology.namespaces.filter((namespace) => namespace.destinations.includes(destinationId));
}

/** The listed repositories replicated to the destination `destinationId`, in file order. */
export function repositoriesRoutedTo(topology: Pick<TopologyModel, 'repositories'>, destinationId: string): RepositoryModel[] {
  return topology.repositories.filter((repository) => repository.destinations.includes(destinationId));
}

/** Whether an ECR `PREFIX_MATCH` filter matches a repository name. */
export function filterMatches(filter: string, repositoryName: string): boolean {
  return repositoryName.startsWith(filter);
}

/** One replication rule: `PREFIX_MATCH` filters and the destinations every matching repository goes to. */
export interface ReplicationRuleModel {
  /** Filters in topology order: namespaces as `<prefix>/`, listed repositories by their name. At most 100. */
  readonly filters: readonly string[];
  /** Destination ids, in the topology's destination order. */
  readonly destinations: readonly string[];
}

/** ECR's limit on repository filters in one replication rule. */
export const MAX_FILTERS_PER_RULE = 100;

/**
 * The source's replication rules: every namespace (filter `<prefix>/`) and
 * every listed repository outside a namespace (filter: its name), grouped by
 * identical destination sets, each group cut into rules of at most
 * {@link MAX_FILTERS_PER_RULE} filters. A listed repository inside a
 * namespace needs no filter of its own: the namespace's filter matches it, and
 * validation makes sure its routing is the namespace's.
 *
 * Deterministic: groups in order of their first filter (namespaces first, then
 * listed repositories, each in file order), filters in that same order. A
 * topology with only listed repositories and no routing gives the rules it
 * always had: every name, in file order, to every destination, 100 a rule.
 */
export function replicationRules(topology: Pick<TopologyModel, 'namespaces' | 'repositories' | 'destinations'>): ReplicationRuleModel[] {
  const order = new Map(topology.destinations.map((d, i) => [d.id, i]));
  const groups = new Map<string, { destinations: string[]; filters: string[] }>();
  const add = (filter: string, destinations: readonly string[]) => {
    if (destinations.length === 0) return;
    const sorted = [...destinations].sort((a, b) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity));
    const key = sorted.join(' ');
    const group = groups.get(key);
    if (group) {
      group.filters.push(filter);
    } else {
      groups.set(key, { destinations: sorted, filters: [filter] });
    }
  };
  for (const namespace of topology.namespaces) {
    add(namespaceFilter(namespace.prefix), namespace.destinations);
  }
  for (const repository of topology.repositories) {
    if (!coveringNamespace(topology, repository.name)) {
      add(repository.name, repository.destinations);
    }
  }
  const rules: ReplicationRuleModel[] = [];
  for (const group of groups.values()) {
    for (let start = 0; start < group.filters.length; start += MAX_FILTERS_PER_RULE) {
      rules.push({ filters: group.filters.slice(start, start + MAX_FILTERS_PER_RULE), destinations: group.destinations });
    }
  }
  return rules;
}

/** Where a repository creation template of the topology applies: ECR's `appliedFor` values. */
export type CreationTemplateAppliedFor = 'REPLICATION' | 'CREATE_ON_PUSH' | 'PULL_THROUGH_CACHE';

/** `ROOT`: ECR's prefix for a template that applies to every repository no other template matches. */
export const ROOT_TEMPLATE_PREFIX = 'ROOT';

/**
 * The repository creation templates this product deploys in a registry, in
 * deployment order:
 * - in the source, one per namespace, for create-on-push and pull through
 *   cache (a push to a new `team-a/x` creates it with the source's key);
 * - in a destination, the `ROOT` safety net where
 *   {@link deploysCreationTemplate} says so, and one per namespace routed
 *   there, for replication (cross-account destinations too: their registry
 *   policy lets the source create repositories under exactly those prefixes).
 */
export function creationTemplatesIn(topology: TopologyModel, registryId: string): CreationTemplateModel[] {
  if (registryId === topology.source.id) {
    return topology.namespaces.map((namespace) => ({ prefix: namespace.prefix, appliedFor: SOURCE_APPLIED_FOR, namespace }));
  }
  const destination = topology.destinations.find((d) => d.id === registryId);
  if (!destination) return [];
  return [
    ...(deploysCreationTemplate(destination) ? [{ prefix: ROOT_TEMPLATE_PREFIX, appliedFor: DESTINATION_APPLIED_FOR }] : []),
    ...namespacesRoutedTo(topology, registryId).map((namespace) => ({ prefix: namespace.prefix, appliedFor: DESTINATION_APPLIED_FOR, namespace })),
  ];
}

/** One repository creation template of a registry. */
export interface CreationTemplateModel {
  /** `ROOT` or a namespace's prefix (ECR reads it as `<prefix>/`). */
  readonly prefix: string;
  readonly appliedFor: readonly CreationTemplateAppliedFor[];
  /** The namespace whose settings the template carries; `undefined` for `ROOT`. */
  readonly namespace?: NamespaceModel;
}

const SOURCE_APPLIED_FOR: readonly CreationTemplateAppliedFor[] = ['CREATE_ON_PUSH', 'PULL_THROUGH_CACHE'];
const DESTINATION_APPLIED_FOR: readonly CreationTemplateAppliedFor[] = ['REPLICATION'];

/**
 * The namespaces whose repositories the source may create in a cross-account
 * destination (`ecr:CreateRepository` on `repository/<prefix>/*` in its
 * registry policy): those routed there. Empty for same-account destinations,
 * which need no registry policy.
 */
export function createRepositoryPrefixes(topology: TopologyModel, destinationId: string): string[] {
  const destination = topology.destinations.find((d) => d.id === destinationId);
  return destination?.crossAccount ? namespacesRoutedTo(topology, destinationId).map((n) => n.prefix) : [];
}
