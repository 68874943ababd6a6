import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CreationTemplateSafetyNet, RegistryCreationTemplates, ReplicationKey } from '../src';
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

describe('RegistryCreationTemplates', () => {
  function templates(props: Partial<ConstructorParameters<typeof RegistryCreationTemplates>[2]> = {}) {
    const stack = newStack();
    const key = new ReplicationKey(stack, 'Key');
    const construct = new RegistryCreationTemplates(stack, 'Templates', {
      encryptionKey: key.key,
      roleName: 'ecr-replication-template-us-east-1',
      templates: [
        { prefix: 'team-a', appliedFor: ['CREATE_ON_PUSH', 'PULL_THROUGH_CACHE'], lifecycle: { untaggedExpiryDays: 3 } },
        { prefix: 'org/team-b', appliedFor: ['CREATE_ON_PUSH'], imageTagMutability: ecr.TagMutability.MUTABLE },
      ],
      ...props,
    });
    return { stack, construct, template: Template.fromStack(stack) };
  }

  test('one template per prefix, each with the key, its settings and the one shared role', () => {
    const { stack, construct, template } = templates();
    template.resourceCountIs('AWS::ECR::RepositoryCreationTemplate', 2);
    template.resourceCountIs('AWS::IAM::Role', 1);
    const roleArn = { 'Fn::GetAtt': [stack.getLogicalId(construct.role.node.defaultChild as iam.CfnRole), 'Arn'] };
    template.hasResourceProperties('AWS::ECR::RepositoryCreationTemplate', {
      Prefix: 'team-a',
      AppliedFor: ['CREATE_ON_PUSH', 'PULL_THROUGH_CACHE'],
      ImageTagMutability: 'IMMUTABLE',
      EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: Match.anyValue() },
      LifecyclePolicy: Match.serializedJson({ rules: [Match.objectLike({ selection: Match.objectLike({ tagStatus: 'untagged', countNumber: 3 }) })] }),
      CustomRoleArn: roleArn,
    });
    template.hasResourceProperties('AWS::ECR::RepositoryCreationTemplate', {
      Prefix: 'org/team-b', ImageTagMutability: 'MUTABLE', CustomRoleArn: roleArn, LifecyclePolicy: Match.absent(),
    });
    expect([...construct.templates.keys()]).toEqual(['team-a', 'org/team-b']);
  });

  test('the role creates repositories under the prefixes only, and replicates only when a template applies for replication', () => {
    const { stack } = templates();
    const statements = stack.resolve(rolePolicy(stack).Properties.Policies[0].PolicyDocument.Statement);
    expect(statements[0].Action).toEqual(['ecr:CreateRepository', 'ecr:TagResource']);
    expect(JSON.stringify(statements[0].Resource)).toContain(':repository/team-a/*');
    expect(JSON.stringify(statements[0].Resource)).toContain(':repository/org/team-b/*');
    expect(JSON.stringify(statements[0].Resource)).not.toContain(':repository/*"');

    const replication = templates({ templates: [{ prefix: 'team-a' }] });
    const [create] = replication.stack.resolve(rolePolicy(replication.stack).Properties.Policies[0].PolicyDocument.Statement);
    expect(create.Action).toEqual(['ecr:CreateRepository', 'ecr:ReplicateImage', 'ecr:TagResource']);
  });

  test('refuses no template, repeated prefixes and an empty appliedFor, all at once', () => {
    expect(() => templates({ templates: [] })).toThrow(/templates must list at least one template/);
    expect(() => templates({ templates: [{ prefix: 'team-a' }, { prefix: 'team-a', appliedFor: [] }] })).toThrow(
      /templates\[1\]\.appliedFor must list at least one of REPLICATION, CREATE_ON_PUSH, PULL_THROUGH_CACHE[\s\S]*templates\[1\] repeats the prefix of templates\[0\] \(value: "team-a"\)/);
  });
});
