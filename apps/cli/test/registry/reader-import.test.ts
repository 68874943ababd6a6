/**
 * The reader methods import adds, on mocked SDK clients: every repository over
 * pages with the settings import needs, and a lifecycle policy that does not exist.
 */
import { DescribeRepositoriesCommand, ECRClient, GetLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { SdkRegistryReader } from '../../src/registry/reader';

const ecr = mockClient(ECRClient);

const reader = () => new SdkRegistryReader({ account: '111111111111', region: 'us-east-1', stsRegion: 'us-east-1' });

beforeEach(() => ecr.reset());
afterAll(() => ecr.restore());

describe('allRepositories', () => {
  test('every repository over pages, with tag mutability and its exceptions, scan on push and encryption', async () => {
    ecr.on(DescribeRepositoriesCommand)
      .resolvesOnce({
        repositories: [{
          repositoryName: 'app',
          repositoryArn: 'arn:aws:ecr:us-east-1:111111111111:repository/app',
          imageTagMutability: 'MUTABLE',
          imageScanningConfiguration: { scanOnPush: false },
          encryptionConfiguration: { encryptionType: 'AES256' },
        }],
        nextToken: 'next',
      })
      .resolvesOnce({
        repositories: [{
          repositoryName: 'team/web',
          imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
          imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest' }],
          imageScanningConfiguration: { scanOnPush: true },
          encryptionConfiguration: { encryptionType: 'KMS', kmsKey: 'arn:aws:kms:us-east-1:111111111111:key/k-1' },
        }],
      });
    expect(await reader().allRepositories()).toEqual([
      {
        name: 'app',
        arn: 'arn:aws:ecr:us-east-1:111111111111:repository/app',
        encryptionType: 'AES256',
        kmsKey: undefined,
        imageTagMutability: 'MUTABLE',
        scanOnPush: false,
      },
      {
        name: 'team/web',
        arn: undefined,
        encryptionType: 'KMS',
        kmsKey: 'arn:aws:kms:us-east-1:111111111111:key/k-1',
        imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
        scanOnPush: true,
        tagMutabilityExclusions: ['latest'],
      },
    ]);
    const calls = ecr.commandCalls(DescribeRepositoriesCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1].args[0].input).toMatchObject({ nextToken: 'next' });
  });
});

describe('lifecyclePolicy', () => {
  test('the policy text of the repository', async () => {
    ecr.on(GetLifecyclePolicyCommand, { repositoryName: 'app' }).resolves({ repositoryName: 'app', lifecyclePolicyText: '{"rules":[]}' });
    expect(await reader().lifecyclePolicy('app')).toBe('{"rules":[]}');
  });

  test('a repository without a policy: undefined', async () => {
    ecr.on(GetLifecyclePolicyCommand).rejects(Object.assign(new Error('Lifecycle policy does not exist'), { name: 'LifecyclePolicyNotFoundException' }));
    expect(await reader().lifecyclePolicy('app')).toBeUndefined();
  });

  test('any other error is the caller\'s to report', async () => {
    ecr.on(GetLifecyclePolicyCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    await expect(reader().lifecyclePolicy('app')).rejects.toThrow('not authorized');
  });
});
