import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { REPAIR_ACTIONS, RepairRole } from '../src';
import { newStack } from './util';

const arn = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ecr:us-east-1:111111111111:repository/${name}`]] });

function role(props: { trustedAccounts?: string[]; repositoryNames?: string[]; namespacePrefixes?: string[]; roleName?: string } = {}) {
  const stack = newStack();
  const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
  new RepairRole(stack, 'Repair', {
    trustedAccounts: props.trustedAccounts ?? ['333333333333'],
    repositoryNames: props.repositoryNames ?? ['app', 'team/api'],
    namespacePrefixes: props.namespacePrefixes,
    encryptionKey: key,
    roleName: props.roleName,
  });
  const [resource] = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'));
  return resource.Properties;
}

describe('RepairRole', () => {
  test('is named after the Region and trusted by the given accounts only', () => {
    const r = role();
    expect(r.RoleName).toBe('ecr-replication-repair-us-east-1');
    expect(r.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::333333333333:root']] } },
    }]);
  });

  test('deletes and recreates only the listed repositories and those under the namespaces; the key only through ECR', () => {
    const statements = role({ namespacePrefixes: ['team-b'] }).Policies[0].PolicyDocument.Statement;
    expect(statements).toEqual([
      { Sid: 'RebuildTopologyRepositories', Effect: 'Allow', Action: [...REPAIR_ACTIONS], Resource: [arn('app'), arn('team/api'), arn('team-b/*')] },
      { Sid: 'ListRepositories', Effect: 'Allow', Action: 'ecr:DescribeRepositories', Resource: arn('*') },
      { Sid: 'ResolveKey', Effect: 'Allow', Action: 'kms:DescribeKey', Resource: 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
      {
        Sid: 'KeyForRecreatedRepositories',
        Effect: 'Allow',
        Action: ['kms:CreateGrant', 'kms:DescribeKey'],
        Resource: 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        Condition: { StringEquals: { 'kms:ViaService': 'ecr.us-east-1.amazonaws.com' }, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      },
    ]);
  });

  test('never writes images, registry settings or repository policies', () => {
    const text = JSON.stringify(role().Policies);
    expect(text).not.toMatch(/ecr:(PutImage"|PutRegistry|PutReplication|PutLifecycle|BatchDelete|Upload|Complete|Initiate|SetRepositoryPolicy)/);
    expect(text).not.toMatch(/kms:(Decrypt|Encrypt|GenerateDataKey|PutKeyPolicy|ScheduleKeyDeletion)/);
  });

  test('past the policy size budget, names are covered by their first namespace', () => {
    const names = Array.from({ length: 200 }, (_, i) => `big/service-${i}`);
    const resources = role({ repositoryNames: ['solo', ...names] }).Policies[0].PolicyDocument.Statement[0].Resource;
    expect(resources).toEqual([arn('solo'), arn('big/*')]);
  });

  test('rejects no trusted account, a malformed account, no repository and a name too long for IAM', () => {
    expect(() => role({ trustedAccounts: [] })).toThrow(/trustedAccounts must name at least one account/);
    expect(() => role({ trustedAccounts: ['12345'] })).toThrow(/12-digit account IDs \(value: "12345"\)/);
    expect(() => role({ repositoryNames: [] })).toThrow(/must name at least one repository/);
    expect(() => role({ roleName: `${'x'.repeat(60)}-{region}` })).toThrow(/roleName must be at most 64 characters/);
  });
});
