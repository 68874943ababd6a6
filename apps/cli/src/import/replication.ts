/**
 * A source registry's replication configuration, read back into what the
 * topology says: one list of destinations, and one list of repositories that
 * replicate to every one of them, each named (the product uses each name as a
 * `PREFIX_MATCH` filter). What a configuration can say beyond that (a
 * repository sent to some destinations only, a prefix that also covers
 * repositories created later, a filter that matches nothing) is reported.
 */
import { Environment } from '@ecr-kms-replication/stacks';
import { ReplicationRuleData } from '../registry/data';

export interface ReplicationImport {
  /** Every destination of every rule, in the order they first appear. */
  readonly destinations: readonly Environment[];
  /** The repositories of the registry that some rule replicates, sorted by name. */
  readonly repositories: readonly string[];
  /** What the topology cannot express, each said in a sentence. */
  readonly problems: readonly string[];
  /** Namespaces to propose: live filters that are prefixes of several repositories and end at a `/` boundary. */
  readonly namespaces: readonly ProposedNamespace[];
}

/** A namespace the import proposes for a person to review. */
export interface ProposedNamespace {
  /** Without its trailing `/`. */
  readonly prefix: string;
  /** The live filter it comes from, and the rule (1-based). */
  readonly filter: string;
  readonly rule: number;
  /** The destinations of the rules with that filter. */
  readonly destinations: readonly Environment[];
  /** The repositories of the registry under it today, sorted. */
  readonly repositories: readonly string[];
}

/**
 * The namespace a filter stands for, if any: `team/` is `team`; `team` is
 * `team` when every repository it matches is under `team/` (a namespace
 * never covers a repository named like itself, nor `teamx/...`).
 */
export function namespaceOfFilter(filter: string, matches: readonly string[]): string | undefined {
  if (filter.endsWith('/')) return filter.length > 1 ? filter.slice(0, -1) : undefined;
  return matches.length > 0 && matches.every((name) => name.startsWith(`${filter}/`)) ? filter : undefined;
}

/** ECR's only filter type: the repository name starts with the filter. */
const PREFIX_MATCH = 'PREFIX_MATCH';

/** How many names a message lists before it says "and N more". */
const NAMES_SHOWN = 5;

/** The repositories among `names` that `rule` replicates. */
function matchedBy(rule: ReplicationRuleData, names: readonly string[]): string[] {
  const filters = rule.repositoryFilters ?? [];
  if (filters.length === 0) return [...names];
  return names.filter((name) => filters.some((f) => f.filterType === PREFIX_MATCH && name.startsWith(f.filter)));
}

/**
 * What `rules` replicate among the registry's repositories `names`, and what
 * of the rules the topology cannot say.
 */
export function importReplication(
  rules: readonly ReplicationRuleData[],
  names: readonly string[],
  mutabilityOf: (name: string) => string | undefined = () => undefined,
): ReplicationImport {
  const sorted = [...names].sort();
  const repositoryNames = new Set(sorted);
  const problems: string[] = [];

  // Destination → the repositories it receives today.
  const destinations = new Map<string, { env: Environment; receives: Set<string>; rules: number[] }>();
  const reported = new Set<string>();
  const proposed = new Map<string, ProposedNamespace>();
  rules.forEach((rule, index) => {
    const ruleName = `rule ${index + 1}`;
    const matched = matchedBy(rule, sorted);
    for (const d of rule.destinations) {
      const key = `${d.registryId} ${d.region}`;
      const entry = destinations.get(key) ?? { env: { account: d.registryId, region: d.region }, receives: new Set<string>(), rules: [] };
      matched.forEach((name) => entry.receives.add(name));
      entry.rules.push(index + 1);
      destinations.set(key, entry);
    }

    const filters = rule.repositoryFilters ?? [];
    if (filters.length === 0) {
      problems.push(`${ruleName} has no repository filter: it replicates every repository, also those created later. `
        + `The ${count(matched.length, 'repository')} there now are imported by name; a repository created later `
        + 'is replicated only once it is added to repositories.');
    }
    for (const f of filters) {
      const key = `${f.filterType} ${f.filter}`;
      if (reported.has(key)) continue;
      reported.add(key);
      if (f.filterType !== PREFIX_MATCH) {
        problems.push(`${ruleName}: filter '${f.filter}' is of type ${f.filterType}, not ${PREFIX_MATCH}: not imported.`);
        continue;
      }
      const matches = sorted.filter((name) => name.startsWith(f.filter));
      const namespace = namespaceOfFilter(f.filter, matches);
      // A listed repository may not contradict its namespace: propose one only over repositories that share their tag mutability.
      const mutabilities = new Set(matches.map((name) => mutabilityOf(name)?.replace(/_WITH_EXCLUSION$/, '')));
      if (namespace !== undefined && matches.length >= 2 && mutabilities.size > 1) {
        problems.push(`${ruleName}: filter '${f.filter}' is not proposed as the namespace ${namespace}: its repositories differ in tag mutability `
          + `(${[...mutabilities].join(', ')}), which a namespace gives them all.`);
      } else if (namespace !== undefined && matches.length >= 2 && !proposed.has(namespace)) {
        const destinationsOf = rules.filter((r) => (r.repositoryFilters ?? []).some((x) => x.filterType === PREFIX_MATCH && x.filter === f.filter))
          .flatMap((r) => r.destinations.map((d) => ({ account: d.registryId, region: d.region })));
        const unique = destinationsOf.filter((d, i) => destinationsOf.findIndex((x) => x.account === d.account && x.region === d.region) === i);
        proposed.set(namespace, { prefix: namespace, filter: f.filter, rule: index + 1, destinations: unique, repositories: matches });
      }
      if (matches.length === 0) {
        problems.push(`${ruleName}: filter '${f.filter}' matches no repository of the registry: nothing imported for it `
          + '(the topology lists repositories, not prefixes).');
      } else if (!repositoryNames.has(f.filter)) {
        problems.push(`${ruleName}: filter '${f.filter}' is a prefix of ${count(matches.length, 'repository')} `
          + `(${listNames(matches)}): they are imported by name; ${proposed.get(namespace ?? '')?.filter === f.filter
            ? `the namespace ${namespace} is proposed for them, to review (it also replicates repositories created later under '${namespace}/')`
            : `a repository created later under '${f.filter}' is replicated only once it is added to repositories`}.`);
      }
    }
  });

  const replicated = sorted.filter((name) => [...destinations.values()].some((d) => d.receives.has(name)));
  for (const d of destinations.values()) {
    const added = replicated.filter((name) => !d.receives.has(name));
    if (added.length > 0) {
      problems.push(`destination ${d.env.account} ${d.env.region} receives ${d.receives.size} of the `
        + `${count(replicated.length, 'repository')} today (${d.rules.length === 1 ? 'rule' : 'rules'} ${d.rules.join(', ')}); `
        + `the topology replicates every repository to every destination, so it would also receive ${listNames(added)}.`);
    }
  }
  if (replicated.length === 0) {
    problems.push('no repository of the registry matches the replication rules: repositories is empty, and a topology needs at least one.');
  }
  return { destinations: [...destinations.values()].map((d) => d.env), repositories: replicated, problems, namespaces: [...proposed.values()] };
}

/** `3 repositories`, `1 repository`. */
export function count(n: number, noun: string): string {
  if (n === 1) return `1 ${noun}`;
  return `${n.toLocaleString('en-US')} ${noun.endsWith('y') ? `${noun.slice(0, -1)}ies` : `${noun}s`}`;
}

/** `a, b, c and 4 more`. */
export function listNames(names: readonly string[]): string {
  const shown = names.slice(0, NAMES_SHOWN).join(', ');
  return names.length > NAMES_SHOWN ? `${shown} and ${names.length - NAMES_SHOWN} more` : shown;
}
