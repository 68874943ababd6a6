import { Match, Template } from 'aws-cdk-lib/assertions';
import { testApp, topology } from './helpers';
import { SourceStage } from '../../src/stages';

describe('the source of a mixed topology (three destinations, same and cross account)', () => {
  const model = topology([
    { account: '111111111111', region: 'us-west-2' },
    { account: '222222222222', region: 'eu-west-1' },
    { account: '222222222222', region: 'us-east-1' },
  ]);
  const stage = new SourceStage(testApp(), { topology: model });
  const registry = Template.fromStack(stage.registryStack);

  test('is named after its environment', () => {
    expect(stage.registryStack.stackName).toBe('ecr-replication-source-111111111111-us-east-1');
    expect(stage.registryStack.account).toBe('111111111111');
    expect(stage.registryStack.region).toBe('us-east-1');
  });

  test('every stack of the stage names the source registry that owns it (output ReplicationSource)', () => {
    for (const stack of [stage.registryStack, ...stage.repositoriesStacks]) {
      Template.fromStack(stack).hasOutput('ReplicationSource', { Value: '111111111111-us-east-1', Description: Match.stringLikeRegexp('owns this stack') });
    }
  });

  test('replicates every repository, the adopted one included, to every destination', () => {
    registry.resourceCountIs('AWS::ECR::ReplicationConfiguration', 1);
    registry.hasResourceProperties('AWS::ECR::ReplicationConfiguration', {
      ReplicationConfiguration: {
        Rules: [{
          Destinations: [
            { Region: 'us-west-2', RegistryId: '111111111111' },
            { Region: 'eu-west-1', RegistryId: '222222222222' },
            { Region: 'us-east-1', RegistryId: '222222222222' },
          ],
          RepositoryFilters: [
            { Filter: 'team-a/service', FilterType: 'PREFIX_MATCH' },
            { Filter: 'team-b/api', FilterType: 'PREFIX_MATCH' },
          ],
        }],
      },
    });
  });

  test('creates only the repositories that do not exist yet, KMS-encrypted', () => {
    const created = stage.repositoriesStacks.flatMap((stack) =>
      Object.values(Template.fromStack(stack).findResources('AWS::ECR::Repository')));
    expect(created.map((r) => r.Properties.RepositoryName)).toEqual(['team-a/service']);
    expect(created[0].Properties.EncryptionConfiguration).toEqual({
      EncryptionType: 'KMS',
      KmsKey: { 'Fn::ImportValue': expect.stringMatching(/^ecr-replication-source-111111111111-us-east-1:ExportsOutputFnGetAttKey/) },
    });
  });

  test('owns no registry policy and no creation template: those belong to destinations', () => {
    registry.resourceCountIs('AWS::ECR::RegistryPolicy', 0);
    registry.resourceCountIs('AWS::ECR::RepositoryCreationTemplate', 0);
  });

  test('deploys the backfill role, trusted by the pipeline account only', () => {
    registry.resourceCountIs('AWS::IAM::Role', 1);
    registry.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'ecr-replication-backfill-us-east-1',
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Action: 'sts:AssumeRole',
          Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::333333333333:root']] } },
        })],
      },
    });
    registry.hasOutput('BackfillRoleArn', {});
  });
});

test('a topology whose repositories all exist creates no repositories stack in the source', () => {
  const model = topology([{ account: '222222222222', region: 'eu-west-1' }], {
    repositories: [{ name: 'legacy/app', existing: true }],
  });
  const stage = new SourceStage(testApp(), { topology: model });
  expect(stage.repositoriesStacks).toEqual([]);
  Template.fromStack(stage.registryStack).hasResourceProperties('AWS::ECR::ReplicationConfiguration', {
    ReplicationConfiguration: { Rules: [Match.objectLike({ RepositoryFilters: [{ Filter: 'legacy/app', FilterType: 'PREFIX_MATCH' }] })] },
  });
});
