import { Template } from 'aws-cdk-lib/assertions';
import { BACKFILL_ACTIONS, BackfillRole } from '../src';
import { newStack } from './util';

function rolePolicy(trustedAccounts = ['333333333333'], roleName?: string) {
  const stack = newStack();
  new BackfillRole(stack, 'Backfill', { trustedAccounts, roleName });
  const [role] = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'));
  return role.Properties;
}

describe('BackfillRole', () => {
  test('is named after the Region and trusted by the given accounts only', () => {
    const role = rolePolicy(['333333333333', '444444444444']);
    expect(role.RoleName).toBe('ecr-replication-backfill-us-east-1');
    const trusted = (account: string) => ({
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:root`]] } },
    });
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([trusted('333333333333'), trusted('444444444444')]);
  });

  test('allows the backfill actions in its own Region only, and DescribeImages on this registry, nothing else', () => {
    const role = rolePolicy();
    expect(role.Policies).toHaveLength(1);
    expect(role.Policies[0].PolicyDocument.Statement).toEqual([
      {
        Sid: 'ReplicationBackfill',
        Effect: 'Allow',
        Action: [...BACKFILL_ACTIONS],
        Resource: '*',
        Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } },
      },
      {
        Sid: 'CompareImages',
        Effect: 'Allow',
        Action: 'ecr:DescribeImages',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:us-east-1:111111111111:repository/*']] },
      },
    ]);
    expect(role.ManagedPolicyArns).toBeUndefined();
  });

  test('never allows stopping a backfill or writing to a repository', () => {
    const actions = JSON.stringify(rolePolicy().Policies);
    expect(actions).not.toContain('StopReplicationBackfill');
    expect(actions).not.toMatch(/ecr:(Put|Batch|Delete|Create|Upload|Complete|Initiate)/);
  });

  test('rejects no trusted account, a malformed account and a name too long for IAM', () => {
    expect(() => rolePolicy([])).toThrow(/trustedAccounts must name at least one account/);
    expect(() => rolePolicy(['12345'])).toThrow(/12-digit account IDs \(value: "12345"\)/);
    expect(() => rolePolicy(['333333333333'], `${'x'.repeat(60)}-{region}`)).toThrow(/roleName must be at most 64 characters/);
  });
});
