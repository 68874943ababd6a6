import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ReplicationKey } from '../src';
import { newStack } from './util';

const ADMIN = 'arn:aws:iam::111111111111:role/key-admin';
const USER = 'arn:aws:iam::222222222222:role/ecr-pusher';
const USE_ACTIONS = [
  'kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext', 'kms:CreateGrant', 'kms:RetireGrant',
];

/** The key policy statement of Control Tower's CT.KMS.PR.3. */
const GRANT_GUARD = {
  Sid: 'GrantsOnlyForAwsResources',
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: 'kms:CreateGrant',
  Resource: '*',
  Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
};

interface Statement {
  Sid?: string;
  Effect?: string;
  Action: string | string[];
  Principal: { AWS: unknown };
  Condition?: Record<string, Record<string, unknown>>;
}

function keyPolicyStatements(stack: Stack): Statement[] {
  const keys = Template.fromStack(stack).findResources('AWS::KMS::Key');
  expect(Object.keys(keys)).toHaveLength(1);
  return Object.values(keys)[0].Properties.KeyPolicy.Statement;
}

function statement(stack: Stack, sid: string): Statement | undefined {
  return keyPolicyStatements(stack).find((s) => s.Sid === sid);
}

function actions(s: Statement | undefined): string[] {
  return ([] as string[]).concat(s?.Action ?? []);
}

describe('ReplicationKey', () => {
  test('rotates, waits 30 days before deletion and is retained by default', () => {
    const stack = newStack();
    new ReplicationKey(stack, 'Key');

    const template = Template.fromStack(stack);
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true, PendingWindowInDays: 30 }),
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('has the default alias', () => {
    const stack = newStack();
    const key = new ReplicationKey(stack, 'Key');

    expect(key.aliasName).toBe('alias/ecr-kms-replication');
    expect(ReplicationKey.DEFAULT_ALIAS).toBe('alias/ecr-kms-replication');
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/ecr-kms-replication',
      TargetKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.key.node.defaultChild as any), 'Arn'] },
    });
  });

  test('takes alias and description', () => {
    const stack = newStack();
    new ReplicationKey(stack, 'Key', { alias: 'alias/team/images', description: 'Team images' });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/team/images' });
    template.hasResourceProperties('AWS::KMS::Key', { Description: 'Team images' });
  });

  test('keeps the pending window when the key is destroyed', () => {
    const stack = newStack();
    new ReplicationKey(stack, 'Key', { removalPolicy: RemovalPolicy.DESTROY });

    Template.fromStack(stack).hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ PendingWindowInDays: 30 }),
      DeletionPolicy: 'Delete',
    });
  });

  test('takes a shorter pending window', () => {
    const stack = newStack();
    new ReplicationKey(stack, 'Key', { pendingWindow: Duration.days(7) });

    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', { PendingWindowInDays: 7 });
  });

  describe('key policy', () => {
    test('holds only the account root and the grant guard when there are no admins or users', () => {
      const stack = newStack();
      new ReplicationKey(stack, 'Key');

      expect(keyPolicyStatements(stack)).toEqual([{
        Sid: 'AccountRoot',
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] } },
        Action: 'kms:*',
        Resource: '*',
      }, GRANT_GUARD]);
    });

    test('denies every grant an AWS service does not create for itself (Control Tower CT.KMS.PR.3)', () => {
      const stack = newStack();
      new ReplicationKey(stack, 'Key', { keyAdmins: [ADMIN], keyUsers: [USER] });

      // The shape the control's rule accepts: Deny, any principal, only kms:CreateGrant,
      // Resource "*", and only BoolIfExists on the two condition keys, both "false".
      Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: { Statement: Match.arrayWith([GRANT_GUARD]) },
      });
    });

    test('gives administrators management actions only', () => {
      const stack = newStack();
      new ReplicationKey(stack, 'Key', { keyAdmins: [ADMIN] });

      const admins = statement(stack, 'KeyAdministrators');
      expect(admins).toMatchObject({ Effect: 'Allow', Principal: { AWS: ADMIN }, Resource: '*' });
      expect(admins?.Condition).toBeUndefined();
      expect(actions(admins)).toEqual(expect.arrayContaining([
        'kms:CreateAlias', 'kms:DescribeKey', 'kms:EnableKey', 'kms:DisableKey', 'kms:PutKeyPolicy',
        'kms:UpdateKeyDescription', 'kms:RevokeGrant', 'kms:GetKeyPolicy', 'kms:ListGrants', 'kms:DeleteAlias',
        'kms:TagResource', 'kms:UntagResource', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion',
        'kms:RotateKeyOnDemand', 'kms:EnableKeyRotation', 'kms:DisableKeyRotation',
      ]));
    });

    test('never gives administrators use actions or wildcards', () => {
      const stack = newStack();
      new ReplicationKey(stack, 'Key', { keyAdmins: [ADMIN], keyUsers: [USER] });

      const adminActions = actions(statement(stack, 'KeyAdministrators'));
      for (const action of USE_ACTIONS) {
        expect(adminActions).not.toContain(action);
      }
      expect(adminActions.filter((a) => a.includes('*'))).toEqual([]);
    });

    test('gives users use actions through ECR in this Region from their own accounts', () => {
      const stack = newStack();
      new ReplicationKey(stack, 'Key', { keyUsers: [USER, 'arn:aws:iam::222222222222:root', 'arn:aws:iam::333333333333:user/ci'] });

      const users = statement(stack, 'KeyUsersThroughEcr');
      expect(users).toMatchObject({
        Effect: 'Allow',
        Principal: { AWS: [USER, 'arn:aws:iam::222222222222:root', 'arn:aws:iam::333333333333:user/ci'] },
        Resource: '*',
        Condition: {
          StringEquals: {
            'kms:ViaService': 'ecr.us-east-1.amazonaws.com',
            'kms:CallerAccount': ['222222222222', '333333333333'],
          },
        },
      });
      const useActions = USE_ACTIONS.filter((action) => action !== 'kms:CreateGrant');
      expect(actions(users)).toEqual(expect.arrayContaining([...useActions, 'kms:DescribeKey', 'kms:ListGrants']));
      expect(actions(users)).not.toContain('kms:CreateGrant');
      expect(actions(users)).not.toContain('kms:PutKeyPolicy');
      expect(actions(users)).not.toContain('kms:ScheduleKeyDeletion');
    });

    test('lets users create grants only for ECR\'s own use of the key', () => {
      const stack = newStack();
      new ReplicationKey(stack, 'Key', { keyUsers: [USER] });

      expect(statement(stack, 'KeyUsersGrantsForEcr')).toEqual({
        Sid: 'KeyUsersGrantsForEcr',
        Effect: 'Allow',
        Principal: { AWS: USER },
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: {
          StringEquals: { 'kms:ViaService': 'ecr.us-east-1.amazonaws.com', 'kms:CallerAccount': ['222222222222'] },
          Bool: { 'kms:GrantIsForAWSResource': 'true' },
        },
      });
      // No other statement names kms:CreateGrant for an allow (the account root has kms:*).
      const grantStatements = keyPolicyStatements(stack).filter((s) => s.Effect === 'Allow' && actions(s).includes('kms:CreateGrant'));
      expect(grantStatements.map((s) => s.Sid)).toEqual(['KeyUsersGrantsForEcr']);
    });

    test('keeps admins and users apart (the original templates gave admins use rights)', () => {
      const stack = newStack();
      new ReplicationKey(stack, 'Key', { keyAdmins: [ADMIN], keyUsers: [USER] });

      const statements = keyPolicyStatements(stack);
      expect(statements.map((s) => s.Sid)).toEqual([
        'AccountRoot', 'KeyAdministrators', 'KeyUsersThroughEcr', 'KeyUsersGrantsForEcr', 'GrantsOnlyForAwsResources',
      ]);
      const withAdmin = statements.filter((s) => JSON.stringify(s.Principal).includes(ADMIN));
      const withUser = statements.filter((s) => JSON.stringify(s.Principal).includes(USER));
      expect(withAdmin.map((s) => s.Sid)).toEqual(['KeyAdministrators']);
      expect(withUser.map((s) => s.Sid)).toEqual(['KeyUsersThroughEcr', 'KeyUsersGrantsForEcr']);
    });

    test('uses the Region token in an environment-agnostic stack', () => {
      const stack = newStack('Agnostic', {});
      new ReplicationKey(stack, 'Key', { keyUsers: [USER] });

      expect(statement(stack, 'KeyUsersThroughEcr')?.Condition?.StringEquals['kms:ViaService']).toEqual({
        'Fn::Join': ['', ['ecr.', { Ref: 'AWS::Region' }, '.amazonaws.com']],
      });
    });

    test('takes the account of a user ARN that is only known at deploy time', () => {
      const stack = newStack();
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
      new ReplicationKey(stack, 'Key', { keyUsers: [role.roleArn] });

      expect(statement(stack, 'KeyUsersThroughEcr')?.Condition?.StringEquals['kms:CallerAccount']).toEqual([{
        'Fn::Select': [4, { 'Fn::Split': [':', { 'Fn::GetAtt': [stack.getLogicalId(role.node.defaultChild as any), 'Arn'] }] }],
      }]);
    });
  });

  describe('validation', () => {
    test('names the list, index and value of an invalid admin', () => {
      expect(() => new ReplicationKey(newStack(), 'Key', { keyAdmins: [ADMIN, 'arn:aws:iam::12345:role/x'] }))
        .toThrow(/^Invalid ReplicationKey: keyAdmins\[1\] account must be a 12-digit AWS account ID \(value: "arn:aws:iam::12345:role\/x"\)$/);
    });

    test('names the list, index and value of an invalid user', () => {
      expect(() => new ReplicationKey(newStack(), 'Key', { keyUsers: ['arn:aws:sts::111111111111:assumed-role/x/y'] }))
        .toThrow(/keyUsers\[0\] must be an IAM ARN \(arn:PARTITION:iam::\.\.\.\) \(value: "arn:aws:sts::111111111111:assumed-role\/x\/y"\)/);
    });

    test('refuses a repeated principal', () => {
      expect(() => new ReplicationKey(newStack(), 'Key', { keyUsers: [USER, USER] }))
        .toThrow(/keyUsers\[1\] repeats keyUsers\[0\]/);
    });

    test('refuses an invalid alias', () => {
      expect(() => new ReplicationKey(newStack(), 'Key', { alias: 'ecr-key' }))
        .toThrow(/alias must be "alias\/" followed by .* \(value: "ecr-key"\)/);
      expect(() => new ReplicationKey(newStack(), 'Key', { alias: 'alias/aws/ecr' }))
        .toThrow(/alias must not start with "alias\/aws\/"/);
    });

    test('refuses a pending window outside 7 to 30 days', () => {
      expect(() => new ReplicationKey(newStack(), 'Key', { pendingWindow: Duration.days(31) }))
        .toThrow(/pendingWindow must be 7 to 30 days \(value: 31 days\)/);
    });

    test('reports every problem at once, before building anything', () => {
      const stack = newStack();
      expect(() => new ReplicationKey(stack, 'Key', { keyAdmins: ['x'], keyUsers: ['y'] }))
        .toThrow(/Invalid ReplicationKey:\n {2}- keyAdmins\[0\] .*\n {2}- keyUsers\[0\] /);
      expect(Template.fromStack(stack).findResources('AWS::KMS::Key')).toEqual({});
    });
  });
});

describe('the deployment role in the key policy', () => {
  const DEPLOYER = 'arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-us-east-1';

  test('gets what CloudFormation\'s key, alias and repository handlers call on the key, and grants for AWS resources only', () => {
    const stack = newStack();
    new ReplicationKey(stack, 'Key', { deploymentRoleArn: DEPLOYER });
    const statements = Template.fromStack(stack).findResources('AWS::KMS::Key');
    const policy = Object.values(statements)[0].Properties.KeyPolicy.Statement as any[];
    const manage = policy.find((s) => s.Sid === 'DeploymentRoleManagesTheKey');
    expect(manage).toMatchObject({ Effect: 'Allow', Principal: { AWS: DEPLOYER } });
    expect(manage.Condition).toBeUndefined();
    // key/aws-kms-key.json and alias/aws-kms-alias.json (create, read, update, delete on a key), ECR's DescribeKey and RetireGrant.
    for (const action of ['kms:EnableKeyRotation', 'kms:DisableKey', 'kms:TagResource', 'kms:PutKeyPolicy', 'kms:GetKeyPolicy', 'kms:UntagResource',
      'kms:UpdateKeyDescription', 'kms:ScheduleKeyDeletion', 'kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias', 'kms:RetireGrant']) {
      expect(manage.Action).toContain(action);
    }
    expect(manage.Action).not.toEqual(expect.arrayContaining(['kms:Decrypt']));
    expect(policy.find((s) => s.Sid === 'DeploymentRoleGrantsForAwsResources')).toMatchObject({
      Principal: { AWS: DEPLOYER }, Action: 'kms:CreateGrant', Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    });
  });

  test('without one, the key policy names no deployment role', () => {
    const stack = newStack();
    new ReplicationKey(stack, 'Key');
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('DeploymentRole');
  });
});
