/**
 * What the read side knows about namespaces and routing, shared by verify,
 * preflight, backfill and import: the replication rules a topology deploys,
 * what a rule matches, which source repositories are replicated but
 * unmanaged (matched by a rule, neither listed nor covered by a namespace)
 * and what ECR does with them in each destination, the creation templates
 * each registry gets, and where a registry policy may grant the source
 * `ecr:CreateRepository`.
 *
 * The deployed shape this mirrors: per namespace and registry it is routed
 * to, a creation template with the namespace's prefix (REPLICATION in a
 * destination, CREATE_ON_PUSH in the source), KMS with the registry's key,
 * the namespace's tag mutability and a custom role; in a cross-account
 * destination a grant of `ecr:CreateRepository` on `repository/<prefix>/*`;
 * replication rules whose filters are the listed names as they are and the
 * namespaces as `<prefix>/`, one rule per identical set of destinations.
 */
import {
  coveringNamespace,
  createRepositoryPrefixes,
  creationTemplatesIn,
  deploysCreationTemplate,
  DestinationModel,
  Environment,
  filterMatches,
  NamespaceModel,
  namespaceFilter,
  namespacesRoutedTo,
  replicationRules,
  TagMutability,
  TopologyModel,
} from '@ecr-kms-replication/stacks';
import { partitionOf, ReplicationRuleData } from './data';
import { PolicyGrant } from './policy';

/** ECR's only replication filter type. */
export const PREFIX_MATCH = 'PREFIX_MATCH';

/** `account/region`, how a report names a registry. */
function registryName(env: Environment): string {
  return `${env.account}/${env.region}`;
}

/**
 * The replication rules the topology deploys (the stacks model's
 * `replicationRules`), as the reader returns a registry's rules.
 */
export function topologyReplicationRules(topology: Pick<TopologyModel, 'destinations' | 'repositories' | 'namespaces'>): ReplicationRuleData[] {
  const byId = new Map(topology.destinations.map((d) => [d.id, d]));
  return replicationRules(topology).map((rule) => ({
    destinations: rule.destinations.flatMap((id) => (byId.has(id) ? [{ region: byId.get(id)!.region, registryId: byId.get(id)!.account }] : [])),
    repositoryFilters: rule.filters.map((filter) => ({ filter, filterType: PREFIX_MATCH })),
  }));
}

/**
 * The filter of `rule` that matches `repository`: `''` for a rule without
 * filters (it replicates every repository), `undefined` when none matches.
 */
export function matchingFilter(rule: ReplicationRuleData, repository: string): string | undefined {
  const filters = rule.repositoryFilters ?? [];
  if (filters.length === 0) return '';
  return filters.find((f) => f.filterType === PREFIX_MATCH && filterMatches(f.filter, repository))?.filter;
}

/** The repositories among `names` that some rule of `rules` replicates, in the order of `names`. */
export function replicatedBy(rules: readonly ReplicationRuleData[], names: readonly string[]): string[] {
  return names.filter((name) => rules.some((rule) => matchingFilter(rule, name) !== undefined));
}

/** Whether the topology lists `repository` or covers it by a namespace. */
export function isManaged(topology: Pick<TopologyModel, 'repositories' | 'namespaces'>, repository: string): boolean {
  return topology.repositories.some((r) => r.name === repository) || coveringNamespace(topology, repository) !== undefined;
}

/** A rule that matches a repository the topology does not manage. */
export interface UnmanagedMatch {
  /** `live`: the registry's replication configuration; `topology`: the rules the topology deploys. */
  readonly origin: 'live' | 'topology';
  /** 1-based position of the rule in its configuration. */
  readonly rule: number;
  /** The filter that matches; `''` for a rule without filters. */
  readonly filter: string;
  readonly destinations: readonly Environment[];
}

/** What ECR does with an unmanaged repository in one registry a rule sends it to. */
export interface UnmanagedOutcome {
  readonly destination: Environment;
  /**
   * `created-aes256`: same account, replication creates it with AES-256 unless a creation template matches;
   * `created-root-template`: same account, the topology's ROOT template creates it with the registry's key;
   * `refused`: another account, without an `ecr:CreateRepository` grant for it (unless it exists there);
   * `not-in-topology`: a registry the topology does not replicate to.
   */
  readonly outcome: 'created-aes256' | 'created-root-template' | 'refused' | 'not-in-topology';
  /** The same in a sentence. */
  readonly detail: string;
}

/** A source repository that a rule replicates but the topology neither lists nor covers. */
export interface UnmanagedRepository {
  readonly repository: string;
  readonly matches: readonly UnmanagedMatch[];
  readonly outcomes: readonly UnmanagedOutcome[];
}

/**
 * The source repositories `sourceRepositories` that a rule matches (the live
 * rules, when read, and the rules the topology deploys) but the topology
 * neither lists nor covers, each with the rules and what ECR does with it in
 * every registry they send it to.
 */
export function replicatedButUnmanaged(
  topology: TopologyModel,
  sourceRepositories: readonly string[],
  liveRules: readonly ReplicationRuleData[] = [],
): UnmanagedRepository[] {
  const ruleSets = [
    { origin: 'live' as const, rules: liveRules },
    { origin: 'topology' as const, rules: topologyReplicationRules(topology) },
  ];
  const result: UnmanagedRepository[] = [];
  for (const repository of [...sourceRepositories].sort()) {
    if (isManaged(topology, repository)) continue;
    const matches: UnmanagedMatch[] = [];
    for (const { origin, rules } of ruleSets) {
      rules.forEach((rule, index) => {
        const filter = matchingFilter(rule, repository);
        if (filter === undefined) return;
        matches.push({ origin, rule: index + 1, filter, destinations: rule.destinations.map((d) => ({ account: d.registryId, region: d.region })) });
      });
    }
    if (matches.length === 0) continue;
    const seen = new Set<string>();
    const outcomes: UnmanagedOutcome[] = [];
    for (const destination of matches.flatMap((m) => m.destinations)) {
      const key = registryName(destination);
      if (seen.has(key)) continue;
      seen.add(key);
      outcomes.push(unmanagedOutcome(topology, repository, destination));
    }
    result.push({ repository, matches, outcomes });
  }
  return result;
}

function unmanagedOutcome(topology: TopologyModel, repository: string, destination: Environment): UnmanagedOutcome {
  const where = registryName(destination);
  const dest = topology.destinations.find((d) => d.account === destination.account && d.region === destination.region);
  if (!dest) {
    return { destination, outcome: 'not-in-topology', detail: `${where}: replicated to a registry that is not a destination of the topology` };
  }
  if (dest.crossAccount) {
    // A backfill FAILS once 50% of its replications failed, evaluated after at least 100
    // (Amazon ECR User Guide, "Replication backfill": https://docs.aws.amazon.com/AmazonECR/latest/userguide/replication-backfill.html).
    return {
      destination,
      outcome: 'refused',
      detail: `${where}: refused unless ${repository} exists there (the registry policy grants no ecr:CreateRepository for it): `
        + 'every push is a failed replication, and a backfill to it counts each of its images as failed '
        + '(ECR fails the whole backfill once half of at least 100 replications failed)',
    };
  }
  if (deploysCreationTemplate(dest)) {
    return {
      destination,
      outcome: 'created-root-template',
      detail: `${where}: created by replication through the ROOT creation template (the registry's key), but no stack manages it and verify does not check it`,
    };
  }
  return {
    destination,
    outcome: 'created-aes256',
    detail: `${where}: created by replication, encrypted with AES-256 unless a creation template matches it (encryption never changes afterwards), and unmanaged`,
  };
}

/** How a report names the rule of a match: `rule 2 filter 'shop/api'` (live) or `the topology's rule 1 filter 'shop/api'`. */
export function describeMatch(match: UnmanagedMatch): string {
  const filter = match.filter === '' ? 'without filter (every repository)' : `filter '${match.filter}'`;
  return `${match.origin === 'live' ? 'the replication configuration\'s' : 'the topology\'s'} rule ${match.rule} ${filter}`;
}

/** A report line and its fix for an unmanaged repository (the same words in verify and preflight). */
export function describeUnmanaged(sourceId: string, unmanaged: UnmanagedRepository): { detail: string; fix: string } {
  const rules = [...new Set(unmanaged.matches.map(describeMatch))];
  return {
    detail: `${unmanaged.repository} in the source ${sourceId} is replicated but not managed (the topology neither lists it nor covers it by a namespace): `
      + `matched by ${rules.join(', ')}; ${unmanaged.outcomes.map((o) => o.detail).join('; ')}`,
    fix: `list ${unmanaged.repository} in repositories (existing: true) or cover it with a namespace; `
      + 'if it must not replicate, rename it so that no filter matches it (ECR filters are prefixes: a listed name also matches every longer name)',
  };
}

/** A namespace's creation template the topology deploys in one registry (the stacks model's `creationTemplatesIn`). */
export interface ExpectedTemplate {
  readonly prefix: string;
  /** `REPLICATION` in a destination; `CREATE_ON_PUSH` and `PULL_THROUGH_CACHE` in the source. */
  readonly appliedFor: readonly string[];
  readonly imageTagMutability: TagMutability;
  readonly namespace: NamespaceModel;
}

/** The namespaces whose repositories live in the registry `envId`: every namespace in the source, the routed ones in a destination. */
export function namespacesIn(topology: TopologyModel, envId: string): NamespaceModel[] {
  return envId === topology.source.id ? [...topology.namespaces] : namespacesRoutedTo(topology, envId);
}

/** The namespace creation templates of the registry `envId` (the `ROOT` safety net has its own check). */
export function expectedTemplates(topology: TopologyModel, envId: string): ExpectedTemplate[] {
  return creationTemplatesIn(topology, envId).flatMap((t) => (t.namespace
    ? [{ prefix: t.prefix, appliedFor: t.appliedFor, imageTagMutability: t.namespace.imageTagMutability, namespace: t.namespace }]
    : []));
}

/** The repository ARN pattern of a namespace in a registry: `arn:<partition>:ecr:<region>:<account>:repository/<prefix>/*`. */
export function namespaceRepositoriesArn(env: Environment, prefix: string): string {
  return `arn:${partitionOf(env.region)}:ecr:${env.region}:${env.account}:repository/${namespaceFilter(prefix)}*`;
}

/** A statement of a registry policy that grants `ecr:CreateRepository`, sorted into what the topology deploys and what it does not. */
export interface CreateRepositoryGrant {
  readonly grant: PolicyGrant;
  /** The statement's resources that are `repository/<prefix>/*` of a namespace routed here, with that namespace's prefix. */
  readonly routed: readonly { readonly resource: string; readonly prefix: string }[];
  /** Its other resources (every repository, a listed name, a namespace not routed here, ...). */
  readonly beyond: readonly string[];
}

/**
 * The `ecr:CreateRepository` grants of `grants` in the destination `dest`:
 * correct exactly on `repository/<prefix>/*` of a namespace routed there.
 */
export function sortCreateRepositoryGrants(topology: TopologyModel, dest: DestinationModel, grants: readonly PolicyGrant[]): CreateRepositoryGrant[] {
  const allowed = new Map(createRepositoryPrefixes(topology, dest.id).map((prefix) => [namespaceRepositoriesArn(dest, prefix), prefix]));
  return grants.map((grant) => {
    const resources = grant.resources ?? [];
    return {
      grant,
      routed: resources.filter((r) => allowed.has(r)).map((resource) => ({ resource, prefix: allowed.get(resource)! })),
      beyond: resources.length === 0 ? ['(no Resource: NotResource or none)'] : resources.filter((r) => !allowed.has(r)),
    };
  });
}

/**
 * Whether a creation template's prefix overlaps what the topology manages:
 * a namespace (same prefix, one inside the other) or a listed repository it
 * would decide the settings of. `ROOT` matches every repository.
 */
export function templateOverlaps(topology: Pick<TopologyModel, 'repositories' | 'namespaces'>, prefix: string): { namespaces: string[]; repositories: string[] } {
  if (prefix === 'ROOT') {
    return { namespaces: topology.namespaces.map((n) => n.prefix), repositories: topology.repositories.map((r) => r.name) };
  }
  const under = (name: string, p: string) => name.startsWith(namespaceFilter(p));
  return {
    namespaces: topology.namespaces.filter((n) => n.prefix === prefix || under(n.prefix, prefix) || under(prefix, n.prefix)).map((n) => n.prefix),
    repositories: topology.repositories.filter((r) => under(r.name, prefix)).map((r) => r.name),
  };
}
