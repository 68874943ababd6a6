/**
 * The SDK side of `repair` and `wait` (`SdkRepositoryAdmin`) with ECR's
 * calls answered by aws-sdk-client-mock: the requests it makes and how ECR's
 * answers and errors become plain data.
 */
import {
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeImageReplicationStatusCommand,
  DescribeImagesCommand,
  ECRClient,
  ImageNotFoundException,
  PutImageTagMutabilityCommand,
  RepositoryNotFoundException,
  ValidationException,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { SdkRepositoryAdmin } from '../../src/registry/repositories';

const ecr = mockClient(ECRClient);
const admin = () => new SdkRepositoryAdmin({ account: '111111111111', region: 'eu-west-1', stsRegion: 'us-east-1' });
const DIGEST = `sha256:${'a'.repeat(64)}`;
const meta = { $metadata: {} };

beforeEach(() => ecr.reset());

describe('SdkRepositoryAdmin', () => {
  test('findImage asks for every image status and returns the status ECR gives', async () => {
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST, imageTags: ['v1'], imageStatus: 'ARCHIVED' }] });
    expect(await admin().findImage('app', { tag: 'v1' })).toEqual({ digest: DIGEST, tags: ['v1'], status: 'ARCHIVED' });
    expect(ecr.commandCalls(DescribeImagesCommand)[0].args[0].input).toEqual({
      repositoryName: 'app', imageIds: [{ imageTag: 'v1', imageDigest: undefined }], filter: { imageStatus: 'ANY' },
    });
  });

  test('findImage: ImageNotFoundException is no image; RepositoryNotFoundException is thrown for the caller to tell apart', async () => {
    ecr.on(DescribeImagesCommand).rejectsOnce(new ImageNotFoundException({ message: 'not found', ...meta }))
      .rejectsOnce(new RepositoryNotFoundException({ message: 'no repository', ...meta }));
    expect(await admin().findImage('app', { digest: DIGEST })).toBeUndefined();
    await expect(admin().findImage('app', { digest: DIGEST })).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
  });

  test('replicationStatus keeps ECR\'s status and failure code per destination; ValidationException is thrown', async () => {
    ecr.on(DescribeImageReplicationStatusCommand).resolvesOnce({
      replicationStatuses: [
        { region: 'eu-west-1', registryId: '111111111111', status: 'IN_PROGRESS' },
        { region: 'eu-central-1', registryId: '222222222222', status: 'FAILED', failureCode: 'KMS_ACCESS_DENIED' },
      ],
    }).rejectsOnce(new ValidationException({ message: 'bad', ...meta }));
    expect(await admin().replicationStatus('app', DIGEST)).toEqual([
      { region: 'eu-west-1', registryId: '111111111111', status: 'IN_PROGRESS' },
      { region: 'eu-central-1', registryId: '222222222222', status: 'FAILED', failureCode: 'KMS_ACCESS_DENIED' },
    ]);
    expect(ecr.commandCalls(DescribeImageReplicationStatusCommand)[0].args[0].input).toEqual({ repositoryName: 'app', imageId: { imageDigest: DIGEST } });
    await expect(admin().replicationStatus('app', DIGEST)).rejects.toMatchObject({ name: 'ValidationException' });
  });

  test('the writes: delete with its images, create with the key, tag mutability in place', async () => {
    ecr.on(DeleteRepositoryCommand).resolves({});
    ecr.on(CreateRepositoryCommand).resolves({});
    ecr.on(PutImageTagMutabilityCommand).resolves({});
    const a = admin();
    await a.deleteRepository('app');
    await a.createRepository({ name: 'app', kmsKey: 'arn:aws:kms:eu-west-1:111111111111:key/k', imageTagMutability: 'IMMUTABLE', scanOnPush: true, tags: { ManagedBy: 'x' } });
    await a.putImageTagMutability('team/api', 'MUTABLE');
    expect(ecr.commandCalls(DeleteRepositoryCommand)[0].args[0].input).toEqual({ repositoryName: 'app', force: true });
    expect(ecr.commandCalls(CreateRepositoryCommand)[0].args[0].input).toEqual({
      repositoryName: 'app',
      encryptionConfiguration: { encryptionType: 'KMS', kmsKey: 'arn:aws:kms:eu-west-1:111111111111:key/k' },
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      tags: [{ Key: 'ManagedBy', Value: 'x' }],
    });
    expect(ecr.commandCalls(PutImageTagMutabilityCommand)[0].args[0].input).toEqual({ repositoryName: 'team/api', imageTagMutability: 'MUTABLE' });
  });
});
