/**
 * What the read side returns from a registry: plain data, no SDK types, so
 * that every check, report and command is tested without AWS.
 */
import { SOURCE_OUTPUT } from '@ecr-kms-replication/stacks';

/** A rule of the source registry's replication configuration (`DescribeRegistry`). */
export interface ReplicationRuleData {
  readonly destinations: readonly { readonly region: string; readonly registryId: string }[];
  readonly repositoryFilters?: readonly { readonly filter: string; readonly filterType: string }[];
}

/** A repository as `DescribeRepositories` reports it. */
export interface RepositoryData {
  readonly name: string;
  readonly arn?: string;
  readonly encryptionType?: string;
  readonly kmsKey?: string;
  readonly imageTagMutability?: string;
  /** `imageScanningConfiguration.scanOnPush`. */
  readonly scanOnPush?: boolean;
  /** Tags excepted from the tag mutability (`IMMUTABLE_WITH_EXCLUSION`, `MUTABLE_WITH_EXCLUSION`). */
  readonly tagMutabilityExclusions?: readonly string[];
}

/** The key behind the topology's alias in one environment (`DescribeKey`). */
export interface KeyData {
  readonly keyId: string;
  readonly keyArn: string;
}

/** Whether a repository's or template's `kmsKey` (an ARN, a key id or an alias) designates `key` under `alias`. */
export function designatesKey(kmsKey: string | undefined, key: KeyData, alias: string): boolean {
  if (!kmsKey) return false;
  return kmsKey === key.keyArn || kmsKey === key.keyId || kmsKey === alias || kmsKey.endsWith(`:${alias}`);
}

/** An image of a repository (`DescribeImages`): its digest identifies it in every registry. */
export interface ImageSummary {
  readonly digest: string;
  readonly tags: readonly string[];
  readonly pushedAt?: Date;
  /** `ACTIVE`, `ARCHIVED` or `ACTIVATING` (`ImageStatus` of the ECR API); absent means `ACTIVE`. */
  readonly status?: string;
}

/** An image in ECR's archive: described, never pulled, restored only on request or by a new push. */
export function isArchived(image: ImageSummary): boolean {
  return image.status === 'ARCHIVED';
}

/** A recent image of a source repository with its replication status per destination. */
export interface ImageData {
  readonly digest: string;
  readonly tags: readonly string[];
  readonly pushedAt?: Date;
  readonly statuses: readonly {
    readonly region: string;
    readonly registryId: string;
    readonly status: string;
    readonly failureCode?: string;
  }[];
}

/** A repository creation template (`DescribeRepositoryCreationTemplates`). */
export interface CreationTemplateData {
  readonly prefix: string;
  readonly appliedFor: readonly string[];
  readonly encryptionType?: string;
  readonly kmsKey?: string;
  readonly imageTagMutability?: string;
  readonly customRoleArn?: string;
}

/** A resource of a CloudFormation stack (`ListStackResources`). */
export interface StackResourceData {
  readonly logicalId: string;
  /** The resource's name or id in its service (a repository name, an alias name, ...); absent before it is created. */
  readonly physicalId?: string;
  /** e.g. `AWS::ECR::Repository`. */
  readonly type: string;
  readonly status: string;
}

/** A stack and what it holds (`DescribeStacks` + `ListStackResources`). */
export interface StackData {
  readonly name: string;
  /** e.g. `CREATE_COMPLETE`, `ROLLBACK_COMPLETE`. */
  readonly status: string;
  readonly resources: readonly StackResourceData[];
  /** The stack's outputs by key (`DescribeStacks`), e.g. `ReplicationSource`. */
  readonly outputs?: Readonly<Record<string, string>>;
}

/** The source registry a stack of ours was deployed for (its `ReplicationSource` output); stacks deployed before that output existed do not say. */
export function stackSource(stack: StackData): string | undefined {
  return stack.outputs?.[SOURCE_OUTPUT];
}

/** The partition of a Region, for ARNs. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** A replication backfill of the source registry to one destination (`ListReplicationBackfills`, `DescribeReplicationBackfillResults`). */
/** An SQS queue, as its URL names it. */
export interface QueueLocation {
  readonly url: string;
  readonly account: string;
  readonly region: string;
  readonly queueName: string;
}

/**
 * The account, Region and name of an SQS queue URL
 * (`https://sqs.<region>.<domain>/<account>/<name>`, the form `GetQueueUrl`
 * and CloudFormation return; also the legacy `https://<region>.queue.<domain>/...`);
 * `undefined` for anything else.
 */
export function parseQueueUrl(url: string): QueueLocation | undefined {
  const match = /^https:\/\/(?:sqs\.([a-z0-9-]+)|([a-z0-9-]+)\.queue)\.amazonaws\.com(?:\.cn)?\/(\d{12})\/([A-Za-z0-9_-]{1,80})$/.exec(url);
  if (!match) return undefined;
  return { url, region: match[1] ?? match[2], account: match[3], queueName: match[4] };
}

export interface BackfillData {
  readonly id: string;
  /** The source registry (account) the backfill belongs to: `registryId` of the `ListReplicationBackfills` answer. */
  readonly sourceAccount?: string;
  readonly destination: { readonly account: string; readonly region: string };
  /** `PREPARING`, `IN_PROGRESS`, `COMPLETE`, `FAILED`, `STOPPING` or `STOPPED`. */
  readonly status: string;
  readonly failureCode?: string;
  /** Unknown while `PREPARING`. Each image and tag combination counts once. */
  readonly progress?: BackfillProgress;
  readonly startedAt?: Date;
  readonly endedAt?: Date;
}

export interface BackfillProgress {
  readonly total: number;
  readonly completed: number;
  readonly failed: number;
  readonly failureCodes: readonly string[];
}

/** An image a backfill could not replicate (`DescribeReplicationBackfillResults`, once terminal). */
export interface BackfillImageFailure {
  readonly repository: string;
  readonly digest?: string;
  readonly tag?: string;
  readonly failureCode?: string;
}

/** The statuses after which a backfill never changes again. */
export const BACKFILL_TERMINAL_STATUSES: readonly string[] = ['COMPLETE', 'FAILED', 'STOPPED'];
