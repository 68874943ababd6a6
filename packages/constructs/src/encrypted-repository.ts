import { RemovalPolicy, Token } from 'aws-cdk-lib';
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
   * Lifecycle rules that expire images.
   *
   * @default - no rule: images are kept
   */
  readonly lifecycleRules?: ecr.LifecycleRule[];

  /**
   * What happens to the repository when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
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
 * An ECR repository encrypted with a customer managed KMS key, with immutable
 * tags and scan on push by default, and retained when it leaves the stack.
 *
 * Create it in the destination before replication can create it there:
 * encryption is fixed when a repository is created.
 */
export class EncryptedRepository extends Construct {
  /** The repository. */
  public readonly repository: ecr.Repository;

  /** The key that encrypts the repository. */
  public readonly key: kms.IKey;


  /**
   * Name of the repository, as given: a plain string, so using it creates no
   * reference (and no cross-stack export) to the repository.
   */
  public readonly repositoryName: string;

  constructor(scope: Construct, id: string, props: EncryptedRepositoryProps) {
    super(scope, id);

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const problems: string[] = [];
    if (!Token.isUnresolved(props.repositoryName)) {
      for (const problem of repositoryNameProblems(props.repositoryName)) {
        problems.push(`repositoryName ${problem} (value: "${props.repositoryName}")`);
      }
    }
    if (props.emptyOnDelete && removalPolicy !== RemovalPolicy.DESTROY) {
      problems.push(`emptyOnDelete deletes every image and is allowed only with removalPolicy RemovalPolicy.DESTROY (value: ${removalPolicy})`);
    }
    throwIfInvalid('EncryptedRepository', problems);

    this.key = props.encryptionKey ?? new ReplicationKey(this, 'Key', {
      alias: `${ReplicationKey.DEFAULT_ALIAS}/${props.repositoryName.replace(/\./g, '_')}`,
      description: `Encrypts the Amazon ECR repository ${props.repositoryName} (ecr-kms-replication)`,
    }).key;

    this.repository = new ecr.Repository(this, 'Repository', {
      repositoryName: props.repositoryName,
      encryption: ecr.RepositoryEncryption.KMS,
      encryptionKey: this.key,
      imageTagMutability: props.imageTagMutability ?? ecr.TagMutability.IMMUTABLE,
      imageScanOnPush: props.imageScanOnPush ?? true,
      lifecycleRules: props.lifecycleRules,
      removalPolicy,
      emptyOnDelete: props.emptyOnDelete,
    });
    this.repositoryName = props.repositoryName;
  }

  /** URI of the repository, `ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME`. */
  public get repositoryUri(): string {
    // Computed on demand: building the URI tokens for every repository of a
    // large topology costs seconds of synth time when nothing reads them.
    return this.repository.repositoryUri;
  }
}
