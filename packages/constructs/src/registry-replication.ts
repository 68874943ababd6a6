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
   */
  readonly destinations: ReplicationDestination[];

  /**
   * `PREFIX_MATCH` repository filters: a repository replicates when its name
   * starts with one of them (`app` also matches `app-old` and `app/x`). They
   * are grouped into rules of at most 100 filters, at most 10 rules. An empty
   * list is refused rather than read as "everything".
   *
   * @default - no filter: every repository of the registry replicates
   */
  readonly repositoryFilters?: string[];
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

    throwIfInvalid('RegistryReplication', [
      ...destinationProblems(Stack.of(this), props.destinations),
      ...filterProblems(props.repositoryFilters),
    ]);
    claimRegistryResource(this, 'RegistryReplication',
      'ECR keeps one replication configuration per registry, and deleting either resource would wipe the whole '
      + 'configuration: put every destination and filter of this registry into one RegistryReplication.');

    const destinations = props.destinations.map((destination) => ({
      region: destination.region,
      registryId: destination.account,
    }));
    const filterGroups = props.repositoryFilters === undefined
      ? [undefined]
      : chunk(props.repositoryFilters, ECR_QUOTAS.maxFiltersPerRule);
    this.rules = filterGroups.map((filters) => ({
      destinations,
      repositoryFilters: filters?.map((filter) => ({ filter, filterType: 'PREFIX_MATCH' })),
    }));

    this.replicationConfiguration = new ecr.CfnReplicationConfiguration(this, 'Resource', {
      replicationConfiguration: { rules: this.rules },
    });
  }
}

function destinationProblems(stack: Stack, destinations: ReplicationDestination[]): string[] {
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
    if (first !== undefined) {
      problems.push(`destinations[${index}] repeats destinations[${first}] (value: "${key}")`);
    } else {
      firstIndex.set(key, index);
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

function filterProblems(filters: string[] | undefined): string[] {
  if (filters === undefined) {
    return [];
  }
  if (filters.length === 0) {
    return ['repositoryFilters must not be empty; leave it out to replicate every repository'];
  }
  const problems: string[] = [];
  const firstIndex = new Map<string, number>();
  filters.forEach((filter, index) => {
    if (Token.isUnresolved(filter)) {
      return;
    }
    for (const problem of repositoryFilterProblems(filter)) {
      problems.push(`repositoryFilters[${index}] ${problem} (value: "${filter}")`);
    }
    const first = firstIndex.get(filter);
    if (first !== undefined) {
      problems.push(`repositoryFilters[${index}] repeats repositoryFilters[${first}] (value: "${filter}")`);
    } else {
      firstIndex.set(filter, index);
    }
  });
  const rulesNeeded = Math.ceil(filters.length / ECR_QUOTAS.maxFiltersPerRule);
  if (rulesNeeded > ECR_QUOTAS.maxRulesPerConfiguration) {
    problems.push(`ECR allows at most ${ECR_QUOTAS.maxRulesPerConfiguration} rules per replication configuration `
      + `(${ECR_QUOTAS.maxFiltersPerRule} filters each); ${formatCount(filters.length)} filters need ${formatCount(rulesNeeded)}`);
  }
  return problems;
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    chunks.push(items.slice(start, start + size));
  }
  return chunks;
}
