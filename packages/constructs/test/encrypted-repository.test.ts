import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { EncryptedRepository, ReplicationKey } from '../src';
import { newStack } from './util';

describe('EncryptedRepository', () => {
  test('is encrypted with the given key, immutable, scanned on push and retained', () => {
    const stack = newStack();
    const key = new ReplicationKey(stack, 'Key');
    const repo = new EncryptedRepository(stack, 'Repo', { repositoryName: 'team/app', encryptionKey: key.key });

    const keyId = stack.getLogicalId(key.key.node.defaultChild as kms.CfnKey);
    Template.fromStack(stack).hasResource('AWS::ECR::Repository', {
      Properties: {
        RepositoryName: 'team/app',
        EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: { 'Fn::GetAtt': [keyId, 'Arn'] } },
        ImageTagMutability: 'IMMUTABLE',
        ImageScanningConfiguration: { ScanOnPush: true },
      },
      // Retained once created; a failed first create rolls it back instead of leaving an orphan.
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
    expect(repo.key).toBe(key.key);
    expect(repo.repositoryName).toBe('team/app');
    expect(stack.resolve(repo.repositoryUri)).toEqual({ 'Fn::Join': ['', ['111111111111.dkr.ecr.us-east-1.', { Ref: 'AWS::URLSuffix' }, '/team/app']] });
    expect(stack.resolve(repo.repositoryArn)).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(repo.repository), 'Arn'] });
  });

  test('shares one key between repositories', () => {
    const stack = newStack();
    const key = new ReplicationKey(stack, 'Key');
    new EncryptedRepository(stack, 'A', { repositoryName: 'a1', encryptionKey: key.key });
    new EncryptedRepository(stack, 'B', { repositoryName: 'b1', encryptionKey: key.key });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.resourceCountIs('AWS::ECR::Repository', 2);
  });

  test('does not change the policy of the key it is given', () => {
    const stack = newStack();
    const key = new ReplicationKey(stack, 'Key');
    new EncryptedRepository(stack, 'Repo', { repositoryName: 'app', encryptionKey: key.key });

    const [keyResource] = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'));
    expect(keyResource.Properties.KeyPolicy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(['AccountRoot', 'GrantsOnlyForAwsResources']);
  });

  test('creates its own retained key when none is given', () => {
    const stack = newStack();
    const repo = new EncryptedRepository(stack, 'Repo', { repositoryName: 'team/app.v2' });

    const template = Template.fromStack(stack);
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true }),
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/ecr-kms-replication/team/app_v2' });
    const keyId = stack.getLogicalId(repo.key.node.defaultChild as kms.CfnKey);
    template.hasResourceProperties('AWS::ECR::Repository', {
      EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: { 'Fn::GetAtt': [keyId, 'Arn'] } },
    });
  });

  test('takes mutability, scanning and lifecycle rules', () => {
    const stack = newStack();
    new EncryptedRepository(stack, 'Repo', {
      repositoryName: 'app',
      encryptionKey: new ReplicationKey(stack, 'Key').key,
      imageTagMutability: ecr.TagMutability.MUTABLE,
      imageScanOnPush: false,
      lifecycle: { untaggedExpiryDays: 30, maxImageCount: 100 },
    });

    const [repository] = Object.values(Template.fromStack(stack).findResources('AWS::ECR::Repository'));
    expect(repository.Properties.ImageTagMutability).toBe('MUTABLE');
    expect(repository.Properties.ImageScanningConfiguration).toEqual({ ScanOnPush: false });
    // Untagged images expire first; the rule on any image must have the highest priority number.
    expect(JSON.parse(repository.Properties.LifecyclePolicy.LifecyclePolicyText)).toEqual({
      rules: [
        {
          rulePriority: 1,
          description: 'Expire untagged images after 30 days',
          selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 },
          action: { type: 'expire' },
        },
        {
          rulePriority: 2,
          description: 'Keep at most 100 images',
          selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 100 },
          action: { type: 'expire' },
        },
      ],
    });
  });

  test('keeps the logical ID the ecr.Repository construct would give it', () => {
    const stack = newStack();
    const ours = new EncryptedRepository(stack, 'Repo', { repositoryName: 'app', encryptionKey: new ReplicationKey(stack, 'Key').key });
    const l2Stack = newStack();
    const l2 = new ecr.Repository(new Construct(l2Stack, 'Repo'), 'Repository', { repositoryName: 'app' });
    expect(stack.getLogicalId(ours.repository)).toBe(l2Stack.getLogicalId(l2.node.defaultChild as ecr.CfnRepository));
  });

  test('empties and deletes the repository only when both settings agree', () => {
    const stack = newStack();
    new EncryptedRepository(stack, 'Repo', {
      repositoryName: 'app',
      encryptionKey: new ReplicationKey(stack, 'Key').key,
      removalPolicy: RemovalPolicy.DESTROY,
      emptyOnDelete: true,
    });

    Template.fromStack(stack).hasResource('AWS::ECR::Repository', {
      Properties: Match.objectLike({ EmptyOnDelete: true }),
      DeletionPolicy: 'Delete',
    });
  });

  describe('validation', () => {
    test('refuses an invalid name, naming the value and every rule it breaks', () => {
      expect(() => new EncryptedRepository(newStack(), 'Repo', { repositoryName: 'A' })).toThrow(
        'Invalid EncryptedRepository:\n'
        + '  - repositoryName must be 2 to 256 characters long (value: "A")\n'
        + '  - repositoryName must use lowercase letters, digits and the separators . _ - /, each between letters or digits (value: "A")',
      );
    });

    test('refuses emptyOnDelete without RemovalPolicy.DESTROY', () => {
      expect(() => new EncryptedRepository(newStack(), 'Repo', { repositoryName: 'app', emptyOnDelete: true }))
        .toThrow(/^Invalid EncryptedRepository: emptyOnDelete deletes every image and is allowed only with removalPolicy RemovalPolicy.DESTROY \(value: retain-on-update-or-delete\)$/);
    });

    test('refuses a lifecycle count that is not a whole number of at least 1', () => {
      expect(() => new EncryptedRepository(newStack(), 'Repo', { repositoryName: 'app', lifecycle: { untaggedExpiryDays: 0, maxImageCount: 2.5 } }))
        .toThrow('Invalid EncryptedRepository:\n'
          + '  - lifecycle.untaggedExpiryDays must be a whole number of at least 1 (value: 0)\n'
          + '  - lifecycle.maxImageCount must be a whole number of at least 1 (value: 2.5)');
    });

    test('builds nothing when invalid', () => {
      const stack = newStack();
      expect(() => new EncryptedRepository(stack, 'Repo', { repositoryName: 'Bad Name' })).toThrow();
      expect(Template.fromStack(stack).toJSON().Resources).toBeUndefined();
    });
  });
});
