import { EncryptedRepository } from '@ecr-kms-replication/constructs';
import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { removalPolicyOf } from './removal';
import { RemovalMode, RepositoryModel } from '../topology/model';

export interface RepositoriesStackProps extends StackProps {
  /** The repositories of this group, created with KMS encryption. */
  readonly repositories: readonly RepositoryModel[];
  /** The environment's shared key (one key per account and Region). */
  readonly encryptionKey: kms.IKey;
  /** What happens to the repositories when the stack is deleted. */
  readonly removal: RemovalMode;
}

/**
 * One group of an environment's repositories, each encrypted with the
 * environment's key. Groups keep large topologies within CloudFormation's
 * per-stack quotas (see `repository-groups.ts`).
 */
export class RepositoriesStack extends Stack {
  constructor(scope: Construct, id: string, props: RepositoriesStackProps) {
    super(scope, id, props);
    const removalPolicy = removalPolicyOf(props.removal);
    for (const repository of props.repositories) {
      new EncryptedRepository(this, repository.name, {
        repositoryName: repository.name,
        encryptionKey: props.encryptionKey,
        imageTagMutability: repository.imageTagMutability === 'MUTABLE' ? ecr.TagMutability.MUTABLE : ecr.TagMutability.IMMUTABLE,
        imageScanOnPush: repository.scanOnPush,
        lifecycle: repository.lifecycle,
        removalPolicy,
        emptyOnDelete: props.removal === 'destroy',
      });
    }
    new CfnOutput(this, 'RepositoryCount', {
      description: 'Repositories created by this stack',
      value: String(props.repositories.length),
    });
  }
}
