import { Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import { claimRegistryResource } from './registry-owner';
import {
  ECR_QUOTAS,
  formatCount,
  isAccountId,
  isKnownRegion,
  repositoryFilterProblems,
  throwIfInvalid,
} from './validation';

/**
 * A registry that images are replicated to.
 */
export interface ReplicationDestination {
  /** Account ID of the destination registry, 12 digits. */
  readonly account: string;

  /** Region code of the destination registry, for example `eu-west-1`. */
  readonly region: string;
}

/**
 * Properties of a {@link RegistryReplication}.
 */
export interface RegistryReplicationProps {
  /**
   * Registries that every matching repository is replicated to. Cross-account
   * destinations also need a {@link ReplicationAccess} in the destination.
   * At most 25 unique destinations; none may be this stack's own registry.
   * Give either `destinations` (with `repositoryFilters`) or `rules`.
   *
   * @default - none: `rules` says where each filter goes
   */
  readonly destinations?: ReplicationDestination[];

  /**
   * `PREFIX_MATCH` repository filters: a repository replicates when its name
   * starts with one of them (`app` also matches `app-old` and `app/x`). They
   * are grouped into rules of at most 100 filters, at most 10 rules. An empty
   * list is refused rather than read as "everything".
   *
   * @default - no filter: every repository of the registry replicates
   */
  readonly repositoryFilters?: string[];

  /**
   * Routing: filters grouped by the destinations their repositories go to,
   * one group per distinct set of destinations. Each group becomes one rule,
   * or several when it has more than 100 filters; at most 10 rules and 25
   * unique destinations in all. Instead of `destinations` and `repositoryFilters`.
   *
   * @default - every filter goes to every one of `destinations`
   */
  readonly rules?: ReplicationRouting[];
}

/**
 * Repositories (by `PREFIX_MATCH` filter) and the registries they are
 * replicated to: one replication rule, or several of 100 filters each.
 */
export interface ReplicationRouting {
  /** Where the matching repositories go. At least one. */
  readonly destinations: ReplicationDestination[];
  /** `PREFIX_MATCH` filters; at least one. */
  readonly repositoryFilters: string[];
}

/**
 * The replication configuration of the stack's registry (account + Region):
 * which repositories replicate to which destinations.
 *
 * ECR has one replication configuration per registry, so a registry must have
 * exactly one `RegistryReplication`; a second one in the same stack (or in the
 * same app for the same known account and Region) is refused.
 */
export class RegistryReplication extends Construct {
  /** The replication rules, as rendered into the template. */
  public readonly rules: ecr.CfnReplicationConfiguration.ReplicationRuleProperty[];

  /** The CloudFormation replication configuration. */
  public readonly replicationConfiguration: ecr.CfnReplicationConfiguration;

  constructor(scope: Construct, id: string, props: RegistryReplicationProps) {
    super(scope, id);

    const routing: (ReplicationRouting | { destinations: ReplicationDestination[]; repositoryFilters?: string[] })[] = props.rules
      ?? [{ destinations: props.destinations ?? [], repositoryFilters: props.repositoryFilters }];
    throwIfInvalid('RegistryReplication', [
      ...(props.rules !== undefined && (props.destinations !== undefined || props.repositoryFilters !== undefined)
        ? ['give either rules, or destinations with repositoryFilters, not both'] : []),
      ...(props.rules !== undefined && props.rules.length === 0 ? ['rules must list at least one rule'] : []),
      ...destinationProblems(Stack.of(this), routing.flatMap((rule) => rule.destinations), props.rules === undefined),
      ...routing.flatMap((rule, index) => props.rules === undefined
        ? filterProblems(rule.repositoryFilters)
        : filterProblems(rule.repositoryFilters, `rules[${index}].`)),
      ...ruleCountProblems(routing),
      ...repeatedFilterProblems(routing),
    ]);
    claimRegistryResource(this, 'RegistryReplication',
      'ECR keeps one replication configuration per registry, and deleting either resource would wipe the whole '
      + 'configuration: put every destination and filter of this registry into one RegistryReplication.');

    this.rules = routing.flatMap((rule) => {
      const destinations = rule.destinations.map((destination) => ({
        region: destination.region,
        registryId: destination.account,
      }));
      const filterGroups = rule.repositoryFilters === undefined
        ? [undefined]
        : chunk(rule.repositoryFilters, ECR_QUOTAS.maxFiltersPerRule);
      return filterGroups.map((filters) => ({
        destinations,
        repositoryFilters: filters?.map((filter) => ({ filter, filterType: 'PREFIX_MATCH' })),
      }));
    });

    this.replicationConfiguration = new ecr.CfnReplicationConfiguration(this, 'Resource', {
      replicationConfiguration: { rules: this.rules },
    });
  }
}

function destinationProblems(stack: Stack, destinations: ReplicationDestination[], single: boolean): string[] {
  const problems: string[] = [];
  if (destinations.length === 0) {
    problems.push('destinations must list at least one destination');
  }
  const firstIndex = new Map<string, number>();
  destinations.forEach((destination, index) => {
    const { account, region } = destination;
    if (!Token.isUnresolved(account) && !isAccountId(account)) {
      problems.push(`destinations[${index}].account must be a 12-digit AWS account ID (value: "${account}")`);
    }
    if (!Token.isUnresolved(region) && !isKnownRegion(region)) {
      problems.push(`destinations[${index}].region must be an AWS Region code such as us-east-1 (value: "${region}")`);
    }
    const key = `${account}/${region}`;
    const first = firstIndex.get(key);
    if (first === undefined) {
      firstIndex.set(key, index);
    } else if (single) {
      // Across rules a destination appears once per rule it serves.
      problems.push(`destinations[${index}] repeats destinations[${first}] (value: "${key}")`);
    }
    // Only comparable when both sides are known at synth time.
    if (!Token.isUnresolved(stack.account) && !Token.isUnresolved(stack.region)
      && account === stack.account && region === stack.region) {
      problems.push(`destinations[${index}] is this registry itself; ECR cannot replicate a registry to itself (value: "${key}")`);
    }
  });
  if (firstIndex.size > ECR_QUOTAS.maxUniqueDestinations) {
    problems.push(`ECR allows at most ${ECR_QUOTAS.maxUniqueDestinations} unique destinations per registry; `
      + `${formatCount(firstIndex.size)} given`);
  }
  return problems;
}

function filterProblems(filters: string[] | undefined, where: string = ''): string[] {
  if (filters === undefined) {
    return where === '' ? [] : [`${where}repositoryFilters must list at least one filter`];
  }
  if (filters.length === 0) {
    return [where === ''
      ? 'repositoryFilters must not be empty; leave it out to replicate every repository'
      : `${where}repositoryFilters must list at least one filter`];
  }
  const problems: string[] = [];
  const firstIndex = new Map<string, number>();
  filters.forEach((filter, index) => {
    if (Token.isUnresolved(filter)) {
      return;
    }
    for (const problem of repositoryFilterProblems(filter)) {
      problems.push(`${where}repositoryFilters[${index}] ${problem} (value: "${filter}")`);
    }
    const first = firstIndex.get(filter);
    if (first !== undefined) {
      problems.push(`${where}repositoryFilters[${index}] repeats ${where}repositoryFilters[${first}] (value: "${filter}")`);
    } else {
      firstIndex.set(filter, index);
    }
  });
  return problems;
}

function ruleCountProblems(routing: { repositoryFilters?: string[] }[]): string[] {
  const filters = routing.reduce((sum, rule) => sum + (rule.repositoryFilters?.length ?? 0), 0);
  const rulesNeeded = routing.reduce((sum, rule) =>
    sum + Math.max(1, Math.ceil((rule.repositoryFilters?.length ?? 0) / ECR_QUOTAS.maxFiltersPerRule)), 0);
  return rulesNeeded > ECR_QUOTAS.maxRulesPerConfiguration
    ? [`ECR allows at most ${ECR_QUOTAS.maxRulesPerConfiguration} rules per replication configuration `
      + `(${ECR_QUOTAS.maxFiltersPerRule} filters each); ${formatCount(filters)} filters`
      + `${routing.length > 1 ? ` in ${formatCount(routing.length)} routing groups` : ''} need ${formatCount(rulesNeeded)}`]
    : [];
}

/** A filter in two rules would send its repositories to both rules' destinations: say where it goes once. */
function repeatedFilterProblems(routing: { repositoryFilters?: string[] }[]): string[] {
  if (routing.length < 2) return [];
  const ruleOf = new Map<string, number>();
  const problems: string[] = [];
  routing.forEach((rule, index) => {
    for (const filter of new Set(rule.repositoryFilters ?? [])) {
      const first = ruleOf.get(filter);
      if (first !== undefined) {
        problems.push(`rules[${index}] repeats the filter of rules[${first}] (value: "${filter}"); give each filter all its destinations in one rule`);
      } else {
        ruleOf.set(filter, index);
      }
    }
  });
  return problems;
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    chunks.push(items.slice(start, start + size));
  }
  return chunks;
}
