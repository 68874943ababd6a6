import { RegionInfo } from 'aws-cdk-lib/region-info';

/**
 * Amazon ECR replication quotas (per registry, that is per account and Region).
 *
 * Checked at synth time so that a topology that ECR would reject fails before
 * anything is deployed.
 */
export const ECR_QUOTAS = {
  /** Rules in one replication configuration. */
  maxRulesPerConfiguration: 10,
  /** Unique destinations (account + Region) across all rules (service quota). */
  maxUniqueDestinations: 25,
  /** Repository filters in one replication rule. */
  maxFiltersPerRule: 100,
} as const;

/**
 * Pattern of an Amazon ECR repository name: lowercase segments separated by
 * `/`, each made of letters and digits joined by single `.`, `_` or `-`.
 * A name is also limited to {@link REPOSITORY_NAME_MIN_LENGTH}–{@link REPOSITORY_NAME_MAX_LENGTH} characters.
 */
export const REPOSITORY_NAME_PATTERN = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** Shortest allowed repository name. */
export const REPOSITORY_NAME_MIN_LENGTH = 2;

/** Longest allowed repository name. */
export const REPOSITORY_NAME_MAX_LENGTH = 256;

/**
 * Pattern of a replication `PREFIX_MATCH` filter, as the ECR API defines it.
 * Unlike a repository name, a prefix may end in a separator (`team/`, `app-`).
 */
export const REPOSITORY_FILTER_PATTERN = /^(?:[a-z0-9]+(?:[._-][a-z0-9]*)*\/)*[a-z0-9]*(?:[._-][a-z0-9]*)*$/;

const ACCOUNT_ID_PATTERN = /^\d{12}$/;

// Region codes look like `us-east-1`, `eu-isoe-west-1`, `eusc-de-east-1`.
const REGION_CODE_PATTERN = /^[a-z]{2,4}(?:-[a-z]+)+-\d+$/;

const PRINCIPAL_PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov'];

// IAM path segments and names: letters, digits and + = , . @ _ -
const IAM_NAME = '[\\w+=,.@-]+';
const IAM_ENTITY_PATTERN = new RegExp(`^(?:role|user)/(?:${IAM_NAME}/)*${IAM_NAME}$`);

/**
 * Every reason why `name` is not a valid Amazon ECR repository name.
 *
 * @returns an empty list when the name is valid.
 */
export function repositoryNameProblems(name: string): string[] {
  const problems: string[] = [];
  if (name.length < REPOSITORY_NAME_MIN_LENGTH || name.length > REPOSITORY_NAME_MAX_LENGTH) {
    problems.push(`must be ${REPOSITORY_NAME_MIN_LENGTH} to ${REPOSITORY_NAME_MAX_LENGTH} characters long`);
  }
  if (!REPOSITORY_NAME_PATTERN.test(name)) {
    problems.push('must use lowercase letters, digits and the separators . _ - /, each between letters or digits');
  }
  return problems;
}

/**
 * Every reason why `filter` is not a valid replication `PREFIX_MATCH` filter.
 *
 * @returns an empty list when the filter is valid.
 */
export function repositoryFilterProblems(filter: string): string[] {
  const problems: string[] = [];
  if (filter.length < REPOSITORY_NAME_MIN_LENGTH || filter.length > REPOSITORY_NAME_MAX_LENGTH) {
    problems.push(`must be ${REPOSITORY_NAME_MIN_LENGTH} to ${REPOSITORY_NAME_MAX_LENGTH} characters long`);
  }
  if (!REPOSITORY_FILTER_PATTERN.test(filter)) {
    problems.push('must be the start of a repository name: lowercase letters, digits and the separators . _ - /');
  }
  return problems;
}

/** Whether `value` is an AWS account ID: exactly 12 digits. */
export function isAccountId(value: string): boolean {
  return ACCOUNT_ID_PATTERN.test(value);
}

/** Every AWS Region code known to this version of aws-cdk-lib, sorted. */
export function knownRegions(): string[] {
  return RegionInfo.regions
    .map((region) => region.name)
    .filter((name) => REGION_CODE_PATTERN.test(name))
    .sort();
}

/** Whether `region` is an AWS Region code known to this version of aws-cdk-lib. */
export function isKnownRegion(region: string): boolean {
  return knownRegions().includes(region);
}

/**
 * Every reason why `arn` is not the ARN of an IAM principal that a key policy
 * can name: `arn:PARTITION:iam::ACCOUNT:root`, `...:role/PATH/NAME` or
 * `...:user/PATH/NAME`, in the partitions aws, aws-cn and aws-us-gov.
 *
 * @returns an empty list when the ARN is valid.
 */
export function principalArnProblems(arn: string): string[] {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') {
    return ['must be an ARN of the form arn:PARTITION:iam::ACCOUNT:root, :role/NAME or :user/NAME'];
  }
  const [, partition, service, region, account] = parts;
  const resource = parts.slice(5).join(':');
  const problems: string[] = [];
  if (!PRINCIPAL_PARTITIONS.includes(partition)) {
    problems.push(`partition must be one of ${PRINCIPAL_PARTITIONS.join(', ')}`);
  }
  if (service !== 'iam' || region !== '') {
    problems.push('must be an IAM ARN (arn:PARTITION:iam::...)');
  }
  if (!isAccountId(account)) {
    problems.push('account must be a 12-digit AWS account ID');
  }
  if (resource !== 'root' && !IAM_ENTITY_PATTERN.test(resource)) {
    problems.push('must name root, role/NAME or user/NAME');
  }
  return problems;
}

/**
 * The account of an IAM principal ARN (`arn:aws:iam::111111111111:role/x` gives `111111111111`).
 *
 * @throws if `arn` is not a valid principal ARN (see {@link principalArnProblems}).
 */
export function accountOfPrincipalArn(arn: string): string {
  const problems = principalArnProblems(arn);
  if (problems.length > 0) {
    throw new Error(`Invalid IAM principal ARN (value: "${arn}"): ${problems.join('; ')}`);
  }
  return arn.split(':')[4];
}

/**
 * Throws one error listing every problem, or does nothing when there is none.
 *
 * @internal
 */
export function throwIfInvalid(what: string, problems: string[]): void {
  if (problems.length === 1) {
    throw new Error(`Invalid ${what}: ${problems[0]}`);
  }
  if (problems.length > 1) {
    throw new Error(`Invalid ${what}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Renders a count the way people read it in an error message (`1,050`).
 *
 * @internal
 */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}
