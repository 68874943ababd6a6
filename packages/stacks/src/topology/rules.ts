/**
 * The AWS and ECR rules the topology is checked against.
 *
 * Whether a value is valid is decided by the shared helpers of
 * `@ecr-kms-replication/constructs`, so that the topology file and the
 * constructs never disagree. This file only adds wording for a person editing
 * the file: which rule a name breaks, and how to fix it.
 */
import {
  ECR_QUOTAS,
  REPOSITORY_NAME_MAX_LENGTH,
  REPOSITORY_NAME_MIN_LENGTH,
  REPOSITORY_NAME_PATTERN,
  isAccountId as isAccountIdString,
  isKnownRegion as isKnownRegionString,
  knownRegions,
  principalArnProblems as sharedPrincipalArnProblems,
  repositoryNameProblems as sharedRepositoryNameProblems,
} from '@ecr-kms-replication/constructs';
import { RegionInfo } from 'aws-cdk-lib/region-info';

export { ECR_QUOTAS, REPOSITORY_NAME_MAX_LENGTH, REPOSITORY_NAME_MIN_LENGTH, REPOSITORY_NAME_PATTERN, knownRegions };

/** The most repositories one replication configuration can name (10 rules × 100 filters). */
export const MAX_REPOSITORIES = ECR_QUOTAS.maxRulesPerConfiguration * ECR_QUOTAS.maxFiltersPerRule;

/** A 12-digit AWS account ID, given as a string. */
export function isAccountId(value: unknown): value is string {
  return typeof value === 'string' && isAccountIdString(value);
}

export function isKnownRegion(region: unknown): region is string {
  return typeof region === 'string' && isKnownRegionString(region);
}

/** The partition (`aws`, `aws-cn`, `aws-us-gov`, ...) of a known Region. */
export function partitionOf(region: string): string | undefined {
  return isKnownRegion(region) ? RegionInfo.get(region).partition : undefined;
}

/** Repository creation templates are not available in these partitions. */
export const PARTITIONS_WITHOUT_CREATION_TEMPLATES: readonly string[] = ['aws-cn', 'aws-us-gov'];

/**
 * Every ECR naming rule a repository name breaks, each named on its own;
 * empty when valid.
 */
export function repositoryNameProblems(name: string): string[] {
  const shared = sharedRepositoryNameProblems(name);
  if (shared.length === 0) return [];
  const specific = specificRepositoryNameProblems(name);
  return specific.length > 0 ? specific : shared;
}

function specificRepositoryNameProblems(name: string): string[] {
  const problems: string[] = [];
  if (name.length < REPOSITORY_NAME_MIN_LENGTH || name.length > REPOSITORY_NAME_MAX_LENGTH) {
    problems.push(`must be ${REPOSITORY_NAME_MIN_LENGTH} to ${REPOSITORY_NAME_MAX_LENGTH} characters long (it has ${name.length})`);
  }
  if (/[A-Z]/.test(name)) {
    problems.push('must be lowercase');
  }
  const bad = [...new Set(name.replace(/[a-zA-Z0-9._/-]/g, ''))];
  if (bad.length > 0) {
    problems.push(`may contain only lowercase letters, digits, '.', '_', '-' and '/' (found ${bad.map((c) => `'${c}'`).join(', ')})`);
  }
  if (name.length > 0 && !/^[a-zA-Z0-9]/.test(name)) {
    problems.push('must start with a letter or a digit');
  }
  if (name.length > 0 && !/[a-zA-Z0-9]$/.test(name)) {
    problems.push('must end with a letter or a digit');
  }
  if (name.includes('//')) {
    problems.push("may not contain an empty namespace ('//')");
  }
  if (/[._/-]{2}/.test(name.replace(/\/\//g, '/'))) {
    problems.push("may not have two separators ('.', '_', '-', '/') in a row");
  }
  return problems;
}

const PRINCIPAL_EXAMPLE = 'arn:aws:iam::111111111111:role/KeyAdmin';

/**
 * Every problem with an IAM principal ARN for a KMS key policy (account root,
 * role or user), each with a hint; empty when valid.
 */
export function principalArnProblems(arn: string): string[] {
  const shared = sharedPrincipalArnProblems(arn);
  if (shared.length === 0) return [];
  const specific = specificPrincipalArnProblems(arn);
  return specific.length > 0 ? specific : shared;
}

function specificPrincipalArnProblems(arn: string): string[] {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') {
    return [`must be an IAM principal ARN, e.g. ${PRINCIPAL_EXAMPLE}`];
  }
  const [, partition, service, region, account] = parts;
  const resource = parts.slice(5).join(':');
  const problems: string[] = [];
  if (!['aws', 'aws-cn', 'aws-us-gov'].includes(partition)) {
    problems.push(`has an unknown partition '${partition}' (expected aws, aws-cn or aws-us-gov)`);
  }
  if (service === 'sts' && resource.startsWith('assumed-role/')) {
    const role = resource.split('/')[1];
    problems.push(`is a role session; name the role itself, e.g. arn:${partition}:iam::${account}:role/${role}`);
    return problems;
  }
  if (service !== 'iam') {
    problems.push(`must be an IAM ARN (service 'iam', not '${service}')`);
  }
  if (region !== '') {
    problems.push(`must have an empty Region field (IAM is global): arn:${partition}:iam::ACCOUNT:...`);
  }
  if (!/^\d{12}$/.test(account)) {
    problems.push(`must name a 12-digit account (found '${account}')`);
  }
  if (arn.includes('*')) {
    problems.push('may not contain wildcards (a KMS key policy names exact principals)');
  } else if (service === 'iam' && resource !== 'root' && !/^(role|user)\/([\w+=,.@-]+\/)*[\w+=,.@-]+$/.test(resource)) {
    problems.push(`must name 'root', 'role/NAME' or 'user/NAME' (found '${resource}')`);
  }
  return problems;
}
