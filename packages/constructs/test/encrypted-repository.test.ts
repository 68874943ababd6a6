import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
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
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(repo.key).toBe(key.key);
    expect(repo.repositoryName).toBe('team/app');
    expect(stack.resolve(repo.repositoryUri)).toEqual(stack.resolve(repo.repository.repositoryUri));
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
    expect(keyResource.Properties.KeyPolicy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(['AccountRoot']);
  });

  test('creates its own retained key when none is given', () => {
    const stack = newStack();
    const repo = new EncryptedRepository(stack, 'Repo', { repositoryName: 'team/app.v2' });

    const template = Template.fromStack(stack);
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true }),
      DeletionPolicy: 'Retain',
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
      lifecycleRules: [{ maxImageAge: Duration.days(30), tagStatus: ecr.TagStatus.UNTAGGED }],
    });

    Template.fromStack(stack).hasResourceProperties('AWS::ECR::Repository', {
      ImageTagMutability: 'MUTABLE',
      ImageScanningConfiguration: { ScanOnPush: false },
      LifecyclePolicy: { LifecyclePolicyText: Match.stringLikeRegexp('"countNumber":30') },
    });
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
        .toThrow(/^Invalid EncryptedRepository: emptyOnDelete deletes every image and is allowed only with removalPolicy RemovalPolicy.DESTROY \(value: retain\)$/);
    });

    test('builds nothing when invalid', () => {
      const stack = newStack();
      expect(() => new EncryptedRepository(stack, 'Repo', { repositoryName: 'Bad Name' })).toThrow();
      expect(Template.fromStack(stack).toJSON().Resources).toBeUndefined();
    });
  });
});
