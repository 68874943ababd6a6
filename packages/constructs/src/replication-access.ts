import { Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { claimRegistryResource } from './registry-owner';
import {
  formatCount,
  isAccountId,
  knownRegions,
  repositoryNameProblems,
  throwIfInvalid,
} from './validation';

/**
 * Properties of a {@link ReplicationAccess}.
 */
export interface ReplicationAccessProps {
  /**
   * Accounts whose registries replicate into this registry. Each one's root
   * principal is allowed to replicate images; ECR's replication role acts for it.
   */
  readonly sourceAccounts: string[];

  /**
   * Names of the repositories of this registry that the sources may replicate
   * into. Each name is one resource ARN in the registry policy (about 50
   * characters plus the name, twice with `allowCreateRepository`), and ECR
   * limits the policy to {@link ReplicationAccess.MAX_POLICY_CHARS} characters:
   * about 150 names of 17 characters fit with one source account.
   */
  readonly repositoryNames: string[];

  /**
   * Namespaces (prefixes without the trailing `/`) whose repositories the
   * sources may replicate into and create: `repository/<prefix>/*` in both
   * the `ecr:ReplicateImage` and the `ecr:CreateRepository` statements. Give
   * the registry a repository creation template for each one, and make the
   * policy depend on it, so that what replication creates is encrypted with
   * this registry's key. The `ecr:CreateRepository` grant is never widened
   * beyond these prefixes, whatever `resourceScope` says.
   *
   * @default - none
   */
  readonly namespaces?: string[];

  /**
   * Whether the sources may also create the named repositories, which
   * replication does when one does not exist yet. A repository created that
   * way follows the registry's repository creation template, if any.
   *
   * @default false
   */
  readonly allowCreateRepository?: boolean;

  /**
   * What to do when one resource per repository would make the policy longer
   * than ECR allows ({@link ReplicationAccess.MAX_POLICY_CHARS}).
   *
   * - `EXACT`: refuse (an error names the length and the limit).
   * - `WIDEN_TO_FIT`: cover the largest namespaces with `<namespace>/*`, one
   *   at a time, until the policy fits; if it still does not, allow the whole
   *   registry (`repository/*`). Without `allowCreateRepository`, a widened
   *   policy still only lets the sources replicate into repositories that
   *   already exist here.
   *
   * @default ResourceScope.EXACT
   */
  readonly resourceScope?: ResourceScope;
}

/** How a {@link ReplicationAccess} names its repositories when there are many. */
export enum ResourceScope {
  /** One resource per repository, or an error when they do not fit. */
  EXACT = 'EXACT',
  /** Namespaces (`team/*`) and, as a last resort, the whole registry, only as far as needed to fit. */
  WIDEN_TO_FIT = 'WIDEN_TO_FIT',
}

/**
 * Where a registry is: partition, Region and account.
 */
export interface RegistryLocation {
  /** Partition, for example `aws`. */
  readonly partition: string;
  /** Region code, for example `us-east-1`. */
  readonly region: string;
  /** Account ID, 12 digits. */
  readonly account: string;
}

/**
 * The registry permissions policy of a destination registry: lets source
 * accounts replicate into named repositories. Only cross-account
 * replication needs it.
 *
 * ECR has one registry policy per registry, so a registry must have exactly
 * one `ReplicationAccess`; a second one in the same stack (or in the same app
 * for the same known account and Region) is refused.
 */
export class ReplicationAccess extends Construct {
  /**
   * Longest registry policy ECR accepts, in characters
   * (`RegistryPolicyText` in the ECR API model: 0 to 10,240).
   */
  public static readonly MAX_POLICY_CHARS = 10240;

  /**
   * Length of the registry policy these properties produce, in characters of
   * compact JSON. A part of `registry` left out counts at its longest (the
   * partition follows the Region when only the Region is known), so the
   * estimate is never below the deployed length.
   */
  public static estimatePolicyChars(props: ReplicationAccessProps, registry: Partial<RegistryLocation> = {}): number {
    const region = registry.region ?? knownRegions().reduce((a, b) => (b.length > a.length ? b : a));
    const regionPartition = registry.region === undefined ? undefined : RegionInfo.get(registry.region).partition;
    return JSON.stringify(renderPolicy(props, {
      partition: registry.partition ?? regionPartition ?? 'aws-us-gov',
      region,
      account: registry.account ?? '000000000000',
    })).length;
  }

  /** The policy document, as rendered into the template. */
  public readonly policyDocument: object;

  /**
   * The repository part of each resource ARN in the policy: the names, or
   * after widening, `<namespace>/*` patterns or `*`.
   */
  public readonly repositoryPatterns: string[];

  /**
   * The repository part of each resource ARN of the `ecr:CreateRepository`
   * statement: `<namespace>/*` for each namespace (and the repository patterns
   * with `allowCreateRepository`). Empty: the policy grants no creation.
   */
  public readonly createRepositoryPatterns: string[];

  /** The CloudFormation registry policy. */
  public readonly registryPolicy: ecr.CfnRegistryPolicy;

  constructor(scope: Construct, id: string, props: ReplicationAccessProps) {
    super(scope, id);

    const stack = Stack.of(this);
    const known = (value: string) => (Token.isUnresolved(value) ? undefined : value);
    const registry = { partition: known(stack.partition), region: known(stack.region), account: known(stack.account) };
    const nameErrors = [...nameProblems(props.repositoryNames, props.namespaces ?? []), ...namespaceProblems(props.namespaces ?? [])];
    this.repositoryPatterns = props.resourceScope === ResourceScope.WIDEN_TO_FIT && nameErrors.length === 0
      ? patternsThatFit(props, registry)
      : props.repositoryNames;
    throwIfInvalid('ReplicationAccess', [
      ...accountProblems(props.sourceAccounts),
      ...nameErrors,
      ...sizeProblems({ ...props, repositoryNames: this.repositoryPatterns }, registry),
    ]);
    claimRegistryResource(this, 'ReplicationAccess',
      'ECR keeps one registry policy per registry, and deleting either resource would wipe the whole policy: '
      + 'put every source account and repository of this registry into one ReplicationAccess.');

    this.createRepositoryPatterns = [
      ...(props.allowCreateRepository ? this.repositoryPatterns : []),
      ...(props.namespaces ?? []).map(namespacePattern),
    ];
    this.policyDocument = renderPolicy({ ...props, repositoryNames: this.repositoryPatterns }, {
      partition: stack.partition,
      region: stack.region,
      account: stack.account,
    });
    this.registryPolicy = new ecr.CfnRegistryPolicy(this, 'Resource', {
      policyText: this.policyDocument,
    });
  }
}

// Written by hand rather than with iam.PolicyDocument to keep it compact and predictable.
function renderPolicy(props: ReplicationAccessProps, registry: RegistryLocation): object {
  const principal = {
    AWS: props.sourceAccounts.map((account) => `arn:${registry.partition}:iam::${account}:root`),
  };
  const arn = (pattern: string) => `arn:${registry.partition}:ecr:${registry.region}:${registry.account}:repository/${pattern}`;
  const namespaces = (props.namespaces ?? []).map(namespacePattern);
  // `*` already covers every namespace for replicating into existing repositories.
  const replicate = props.repositoryNames.includes('*') ? ['*'] : [...props.repositoryNames, ...namespaces];
  const create = [...(props.allowCreateRepository ? props.repositoryNames : []), ...namespaces];
  const statements: object[] = [{
    Sid: 'ReplicateImage',
    Effect: 'Allow',
    Principal: principal,
    Action: 'ecr:ReplicateImage',
    Resource: replicate.map(arn),
  }];
  if (create.length > 0) {
    statements.push({
      Sid: 'CreateRepository',
      Effect: 'Allow',
      Principal: principal,
      Action: 'ecr:CreateRepository',
      Resource: create.map(arn),
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** `team-a` → `team-a/*`: every repository under the namespace, never `team-a` itself nor `team-ab/...`. */
function namespacePattern(namespace: string): string {
  return `${namespace}/*`;
}

function namespaceProblems(namespaces: string[]): string[] {
  return repositoryListProblems('namespaces', namespaces);
}

/** Each entry of `field` a valid repository name (or namespace), listed once. */
function repositoryListProblems(field: string, values: string[]): string[] {
  const problems: string[] = [];
  values.forEach((value, index) => {
    if (Token.isUnresolved(value)) {
      return;
    }
    for (const problem of repositoryNameProblems(value)) {
      problems.push(`${field}[${index}] ${problem} (value: "${value}")`);
    }
    if (values.indexOf(value) !== index) {
      problems.push(`${field}[${index}] repeats ${field}[${values.indexOf(value)}] (value: "${value}")`);
    }
  });
  return problems;
}

function accountProblems(accounts: string[]): string[] {
  const problems: string[] = [];
  if (accounts.length === 0) {
    problems.push('sourceAccounts must list at least one account');
  }
  accounts.forEach((account, index) => {
    if (Token.isUnresolved(account)) {
      return;
    }
    if (!isAccountId(account)) {
      problems.push(`sourceAccounts[${index}] must be a 12-digit AWS account ID (value: "${account}")`);
    }
    if (accounts.indexOf(account) !== index) {
      problems.push(`sourceAccounts[${index}] repeats sourceAccounts[${accounts.indexOf(account)}] (value: "${account}")`);
    }
  });
  return problems;
}

function nameProblems(names: string[], namespaces: string[]): string[] {
  return [
    ...(names.length === 0 && namespaces.length === 0 ? ['repositoryNames must list at least one repository (or give namespaces)'] : []),
    ...repositoryListProblems('repositoryNames', names),
  ];
}

/**
 * The fewest widenings that make the policy fit: the namespaces with the most
 * repositories become `<namespace>/*` first; then, if needed, the whole registry.
 */
function patternsThatFit(props: ReplicationAccessProps, registry: Partial<RegistryLocation>): string[] {
  const fits = (patterns: string[]) =>
    ReplicationAccess.estimatePolicyChars({ ...props, repositoryNames: patterns }, registry) <= ReplicationAccess.MAX_POLICY_CHARS;
  let patterns = [...props.repositoryNames];
  if (fits(patterns)) {
    return patterns;
  }
  // Only the names widen; the namespaces' patterns are already wildcards and stay exact.
  const byNamespace = new Map<string, string[]>();
  for (const name of props.repositoryNames) {
    const slash = name.indexOf('/');
    if (slash > 0) {
      const namespace = name.slice(0, slash);
      const members = byNamespace.get(namespace);
      if (members) {
        members.push(name);
      } else {
        byNamespace.set(namespace, [name]);
      }
    }
  }
  const largestFirst = [...byNamespace.entries()].sort(([a, x], [b, y]) => y.length - x.length || a.localeCompare(b));
  for (const [namespace, members] of largestFirst) {
    const covered = new Set(members);
    patterns = [...patterns.filter((p) => !covered.has(p)), `${namespace}/*`];
    if (fits(patterns)) {
      return patterns;
    }
  }
  return ['*'];
}

function sizeProblems(props: ReplicationAccessProps, registry: Partial<RegistryLocation>): string[] {
  const chars = ReplicationAccess.estimatePolicyChars(props, registry);
  return chars > ReplicationAccess.MAX_POLICY_CHARS
    ? [`the registry policy would be ${formatCount(chars)} characters; ECR allows at most `
      + `${formatCount(ReplicationAccess.MAX_POLICY_CHARS)} (${formatCount(props.repositoryNames.length)} repositories, `
      + `${formatCount(props.namespaces?.length ?? 0)} namespaces, ${formatCount(props.sourceAccounts.length)} source accounts); `
      + 'resourceScope: WIDEN_TO_FIT covers repositories with wildcards instead, but never widens the namespaces\' ecr:CreateRepository grant']
    : [];
}
