/**
 * The reader methods preflight adds, on mocked SDK clients: what moto cannot
 * answer (creation templates) and the answers that mean "does not exist".
 */
import { CloudFormationClient, DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { DescribeRepositoryCreationTemplatesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { SdkRegistryReader } from '../../src/registry/reader';

const cloudformation = mockClient(CloudFormationClient);
const ecr = mockClient(ECRClient);
const kms = mockClient(KMSClient);

const reader = () => new SdkRegistryReader({ account: '222222222222', region: 'eu-west-1', stsRegion: 'us-east-1' });

beforeEach(() => {
  cloudformation.reset();
  ecr.reset();
  kms.reset();
});

afterAll(() => {
  cloudformation.restore();
  ecr.restore();
  kms.restore();
});

describe('stackResources', () => {
  test('a stack with its status and every resource, over pages', async () => {
    cloudformation.on(DescribeStacksCommand, { StackName: 'ecr-replication-destination-222222222222-eu-west-1' })
      .resolves({
        Stacks: [{
          StackName: 'ecr-replication-destination-222222222222-eu-west-1',
          StackStatus: 'ROLLBACK_COMPLETE',
          CreationTime: new Date(),
          Outputs: [{ OutputKey: 'ReplicationSource', OutputValue: '111111111111-us-east-1' }],
        }],
      });
    cloudformation.on(ListStackResourcesCommand)
      .resolvesOnce({
        StackResourceSummaries: [{ LogicalResourceId: 'Key', PhysicalResourceId: 'k-1', ResourceType: 'AWS::KMS::Key', ResourceStatus: 'DELETE_SKIPPED', LastUpdatedTimestamp: new Date() }],
        NextToken: 'next',
      })
      .resolvesOnce({
        StackResourceSummaries: [{ LogicalResourceId: 'Alias', ResourceType: 'AWS::KMS::Alias', ResourceStatus: 'DELETE_COMPLETE', LastUpdatedTimestamp: new Date() }],
      });
    expect(await reader().stackResources('ecr-replication-destination-222222222222-eu-west-1')).toEqual({
      name: 'ecr-replication-destination-222222222222-eu-west-1',
      status: 'ROLLBACK_COMPLETE',
      resources: [
        { logicalId: 'Key', physicalId: 'k-1', type: 'AWS::KMS::Key', status: 'DELETE_SKIPPED' },
        { logicalId: 'Alias', physicalId: undefined, type: 'AWS::KMS::Alias', status: 'DELETE_COMPLETE' },
      ],
      outputs: { ReplicationSource: '111111111111-us-east-1' },
    });
    expect(cloudformation.commandCalls(ListStackResourcesCommand)[1].args[0].input).toEqual({ StackName: 'ecr-replication-destination-222222222222-eu-west-1', NextToken: 'next' });
  });

  test('a stack that does not exist is undefined; other errors are thrown', async () => {
    cloudformation.on(DescribeStacksCommand, { StackName: 'missing' })
      .rejects(Object.assign(new Error('Stack with id missing does not exist'), { name: 'ValidationError' }));
    cloudformation.on(DescribeStacksCommand, { StackName: 'denied' })
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    expect(await reader().stackResources('missing')).toBeUndefined();
    await expect(reader().stackResources('denied')).rejects.toThrow('not authorized');
    expect(cloudformation.commandCalls(ListStackResourcesCommand)).toHaveLength(0);
  });
});

describe('keyAliasTarget', () => {
  test('the key an alias points at, or undefined when there is no such alias', async () => {
    kms.on(DescribeKeyCommand, { KeyId: 'alias/ecr-kms-replication' })
      .resolves({ KeyMetadata: { KeyId: 'k-1', Arn: 'arn:aws:kms:eu-west-1:222222222222:key/k-1' } });
    kms.on(DescribeKeyCommand, { KeyId: 'alias/none' }).rejects(Object.assign(new Error('Alias not found'), { name: 'NotFoundException' }));
    expect(await reader().keyAliasTarget('alias/ecr-kms-replication')).toEqual({ keyId: 'k-1', keyArn: 'arn:aws:kms:eu-west-1:222222222222:key/k-1' });
    expect(await reader().keyAliasTarget('alias/none')).toBeUndefined();
  });
});

describe('creationTemplates', () => {
  test('the templates with the prefixes asked for (moto has none: mocked here)', async () => {
    ecr.on(DescribeRepositoryCreationTemplatesCommand, { prefixes: ['ROOT'] }).resolves({
      repositoryCreationTemplates: [{
        prefix: 'ROOT',
        appliedFor: ['REPLICATION'],
        encryptionConfiguration: { encryptionType: 'AES256' },
        imageTagMutability: 'MUTABLE',
      }],
    });
    expect(await reader().creationTemplates(['ROOT'])).toEqual([{
      prefix: 'ROOT', appliedFor: ['REPLICATION'], encryptionType: 'AES256', kmsKey: undefined, imageTagMutability: 'MUTABLE', customRoleArn: undefined,
    }]);
  });
});
