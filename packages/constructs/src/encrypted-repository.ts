import { Aws, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ReplicationKey } from './replication-key';
import { repositoryNameProblems, throwIfInvalid } from './validation';

/**
 * Properties of an {@link EncryptedRepository}.
 */
export interface EncryptedRepositoryProps {
  /**
   * Name of the repository. Replication keeps the name, so a destination
   * repository must have exactly the name of its source repository.
   */
  readonly repositoryName: string;

  /**
   * KMS key that encrypts the repository. It must be in the repository's
   * Region, and it can never be changed after the repository exists.
   *
   * @default - a new {@link ReplicationKey} for this repository alone; prefer passing the environment's shared key (one key per account and Region)
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Whether an image tag can be pushed again for a different image.
   *
   * @default ecr.TagMutability.IMMUTABLE
   */
  readonly imageTagMutability?: ecr.TagMutability;

  /**
   * Whether ECR scans every image for vulnerabilities when it is pushed.
   *
   * @default true
   */
  readonly imageScanOnPush?: boolean;

  /**
   * Which images expire.
   *
   * @default - no rule: images are kept
   */
  readonly lifecycle?: RepositoryLifecycle;

  /**
   * What happens to the repository when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE (CloudFormation `RetainExceptOnCreate`:
   * retained once created, removed by the rollback of a failed first create)
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Whether deleting the repository also deletes its images. Allowed only
   * together with `RemovalPolicy.DESTROY`: both settings must agree before
   * images are destroyed.
   *
   * @default false
   */
  readonly emptyOnDelete?: boolean;
}

/**
 * Which images of a repository expire. Every copy of a replicated repository
 * gets the same rules.
 */
export interface RepositoryLifecycle {
  /**
   * Expire untagged images this many days after they were pushed.
   *
   * @default - untagged images do not expire
   */
  readonly untaggedExpiryDays?: number;

  /**
   * Keep at most this many images (tagged or not); the oldest expire first.
   *
   * @default - no limit
   */
  readonly maxImageCount?: number;
}

/**
 * An ECR repository encrypted with a customer managed KMS key, with immutable
 * tags and scan on push by default, and retained when it leaves the stack.
 *
 * Create it in the destination before replication can create it there:
 * encryption is fixed when a repository is created.
 */
export class EncryptedRepository extends Construct {
  /**
   * The repository resource. It is the CloudFormation resource itself, not
   * an `ecr.Repository`: a topology holds up to 26,000 of these, and the L2
   * construct took a large part of the synth time. Use
   * `ecr.Repository.fromRepositoryName(scope, id, repositoryName)` where an
   * `IRepository` is needed.
   */
  public readonly repository: ecr.CfnRepository;

  /** The key that encrypts the repository. */
  public readonly key: kms.IKey;


  /**
   * Name of the repository, as given: a plain string, so using it creates no
   * reference (and no cross-stack export) to the repository.
   */
  public readonly repositoryName: string;

  constructor(scope: Construct, id: string, props: EncryptedRepositoryProps) {
    super(scope, id);

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    const problems: string[] = [];
    if (!Token.isUnresolved(props.repositoryName)) {
      for (const problem of repositoryNameProblems(props.repositoryName)) {
        problems.push(`repositoryName ${problem} (value: "${props.repositoryName}")`);
      }
    }
    problems.push(...lifecycleProblems(props.lifecycle));
    if (props.emptyOnDelete && removalPolicy !== RemovalPolicy.DESTROY) {
      problems.push(`emptyOnDelete deletes every image and is allowed only with removalPolicy RemovalPolicy.DESTROY (value: ${removalPolicy})`);
    }
    throwIfInvalid('EncryptedRepository', problems);

    this.key = props.encryptionKey ?? new ReplicationKey(this, 'Key', {
      alias: `${ReplicationKey.DEFAULT_ALIAS}/${props.repositoryName.replace(/\./g, '_')}`,
      description: `Encrypts the Amazon ECR repository ${props.repositoryName} (ecr-kms-replication)`,
    }).key;

    // The path (Repository/Resource) is the one ecr.Repository gives its
    // resource, so logical IDs stay what they were with the L2 construct.
    this.repository = new ecr.CfnRepository(new Construct(this, 'Repository'), 'Resource', {
      repositoryName: props.repositoryName,
      encryptionConfiguration: { encryptionType: 'KMS', kmsKey: this.key.keyArn },
      imageTagMutability: props.imageTagMutability ?? ecr.TagMutability.IMMUTABLE,
      imageScanningConfiguration: { scanOnPush: props.imageScanOnPush ?? true },
      lifecyclePolicy: renderLifecycle(props.lifecycle),
      emptyOnDelete: props.emptyOnDelete ?? false,
    });
    this.repository.applyRemovalPolicy(removalPolicy);
    this.repositoryName = props.repositoryName;
  }

  /** ARN of the repository. */
  public get repositoryArn(): string {
    return this.repository.attrArn;
  }

  /** URI of the repository, `ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME`. */
  public get repositoryUri(): string {
    const stack = Stack.of(this);
    return `${stack.account}.dkr.ecr.${stack.region}.${Aws.URL_SUFFIX}/${this.repositoryName}`;
  }
}

function lifecycleProblems(lifecycle: RepositoryLifecycle | undefined): string[] {
  const problems: string[] = [];
  const check = (field: keyof RepositoryLifecycle) => {
    const value = lifecycle?.[field];
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
      problems.push(`lifecycle.${field} must be a whole number of at least 1 (value: ${value})`);
    }
  };
  check('untaggedExpiryDays');
  check('maxImageCount');
  return problems;
}

/**
 * The text of ECR's lifecycle policy for these settings, or `undefined` when
 * they set nothing: what a repository and a repository creation template carry.
 */
export function lifecyclePolicyText(lifecycle: RepositoryLifecycle | undefined): string | undefined {
  return renderLifecycle(lifecycle)?.lifecyclePolicyText;
}

/** ECR's lifecycle policy: untagged images expire first; the count rule, on any image, comes last. */
function renderLifecycle(lifecycle: RepositoryLifecycle | undefined): ecr.CfnRepository.LifecyclePolicyProperty | undefined {
  const rules: object[] = [];
  if (lifecycle?.untaggedExpiryDays !== undefined) {
    rules.push({
      rulePriority: rules.length + 1,
      description: `Expire untagged images after ${lifecycle.untaggedExpiryDays} days`,
      selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: lifecycle.untaggedExpiryDays },
      action: { type: 'expire' },
    });
  }
  if (lifecycle?.maxImageCount !== undefined) {
    rules.push({
      rulePriority: rules.length + 1,
      description: `Keep at most ${lifecycle.maxImageCount} images`,
      selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: lifecycle.maxImageCount },
      action: { type: 'expire' },
    });
  }
  return rules.length > 0 ? { lifecyclePolicyText: JSON.stringify({ rules }) } : undefined;
}
