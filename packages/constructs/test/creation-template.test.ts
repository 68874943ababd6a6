import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CreationTemplateSafetyNet, ReplicationKey } from '../src';
import { newStack } from './util';

function setUp(props: Partial<ConstructorParameters<typeof CreationTemplateSafetyNet>[2]> = {}, stack = newStack()) {
  const key = new ReplicationKey(stack, 'Key');
  const safetyNet = new CreationTemplateSafetyNet(stack, 'SafetyNet', { encryptionKey: key.key, ...props });
  const keyArn = { 'Fn::GetAtt': [stack.getLogicalId(key.key.node.defaultChild as kms.CfnKey), 'Arn'] };
  const roleArn = { 'Fn::GetAtt': [stack.getLogicalId(safetyNet.role.node.defaultChild as iam.CfnRole), 'Arn'] };
  return { stack, keyArn, roleArn, safetyNet };
}

function rolePolicy(stack: Stack) {
  const [role] = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'));
  return role;
}

describe('CreationTemplateSafetyNet', () => {
  test('applies to every replicated repository with the key, immutable tags and the custom role', () => {
    const { stack, keyArn, roleArn, safetyNet } = setUp();

    Template.fromStack(stack).resourceCountIs('AWS::ECR::RepositoryCreationTemplate', 1);
    Template.fromStack(stack).hasResourceProperties('AWS::ECR::RepositoryCreationTemplate', {
      Prefix: 'ROOT',
      AppliedFor: ['REPLICATION'],
      EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: keyArn },
      ImageTagMutability: 'IMMUTABLE',
      CustomRoleArn: roleArn,
    });
    expect(safetyNet.template).toBeInstanceOf(ecr.CfnRepositoryCreationTemplate);
  });

  test('takes prefix, mutability and description', () => {
    const { stack } = setUp({ prefix: 'prod', imageTagMutability: ecr.TagMutability.MUTABLE, description: 'Safety net' });

    Template.fromStack(stack).hasResourceProperties('AWS::ECR::RepositoryCreationTemplate', {
      Prefix: 'prod',
      ImageTagMutability: 'MUTABLE',
      Description: 'Safety net',
    });
  });

  test('has a role that only ECR can assume', () => {
    const { stack } = setUp();

    expect(rolePolicy(stack).Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'ecr.amazonaws.com' } }],
    });
    expect(rolePolicy(stack).Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('lets the role create repositories of this account and Region, and use only the given key', () => {
    const { stack, keyArn } = setUp();

    expect(rolePolicy(stack).Properties.Policies).toEqual([{
      PolicyName: 'CreateReplicatedRepositories',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'CreateRepositories',
            Effect: 'Allow',
            Action: ['ecr:CreateRepository', 'ecr:ReplicateImage', 'ecr:TagResource'],
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:us-east-1:111111111111:repository/*']] },
          },
          { Sid: 'DescribeKey', Effect: 'Allow', Action: ['kms:DescribeKey', 'kms:RetireGrant'], Resource: keyArn },
          {
            Sid: 'GrantKeyToEcr',
            Effect: 'Allow',
            Action: 'kms:CreateGrant',
            Resource: keyArn,
            Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
          },
        ],
      },
    }]);
  });

  test('scopes the role to the namespace of a prefix', () => {
    const { stack } = setUp({ prefix: 'prod/' });

    expect(rolePolicy(stack).Properties.Policies[0].PolicyDocument.Statement[0].Resource).toEqual(
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:us-east-1:111111111111:repository/prod/*']] },
    );
  });

  test('names its role when asked (role names are global to an account), and leaves it to CloudFormation otherwise', () => {
    expect(rolePolicy(setUp({ roleName: 'ecr-replication-template-us-east-1' }).stack).Properties.RoleName)
      .toBe('ecr-replication-template-us-east-1');
    expect(rolePolicy(setUp().stack).Properties.RoleName).toBeUndefined();
  });

  describe('validation', () => {
    test('refuses a role name IAM would refuse', () => {
      expect(() => setUp({ roleName: 'x'.repeat(65) })).toThrow(/roleName must be 1 to 64 letters, digits or \+ = , \. @ _ - \(value: "x{65}", 65 characters\)/);
      expect(() => setUp({ roleName: 'ecr replication' })).toThrow(/roleName must be 1 to 64/);
    });

    test('refuses an invalid prefix', () => {
      expect(() => setUp({ prefix: 'Prod' })).toThrow(
        /^Invalid CreationTemplateSafetyNet: prefix must be ROOT or a repository namespace of lowercase letters, digits and \. _ - \/ \(value: "Prod"\)$/,
      );
    });

    test('refuses a description over 256 characters', () => {
      expect(() => setUp({ description: 'x'.repeat(257) })).toThrow(/description must be at most 256 characters \(value: 257 characters\)/);
    });

    test.each(['cn-north-1', 'us-gov-west-1'])('refuses %s, where creation templates do not exist', (region) => {
      expect(() => setUp({}, newStack('Stack', { account: '111111111111', region })))
        .toThrow(new RegExp(`repository creation templates are not available in the China and GovCloud partitions \\(region: "${region}"\\)`));
    });
  });
});
