/**
 * `DescribeImages` returns ACTIVE images only unless `filter.imageStatus`
 * asks for others (DescribeImagesFilter in the ECR API model of
 * `@aws-sdk/client-ecr`: ACTIVE, ARCHIVED, ACTIVATING, ANY). moto 5.2 does not
 * model image statuses, so the request and the mapping are checked on a mocked client.
 */
import { DescribeImagesCommand, ECRClient, ImageStatusFilter } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { SdkRegistryReader } from '../../src/registry/reader';

const ecr = mockClient(ECRClient);
afterAll(() => ecr.restore());

test('images() asks for every image status and keeps each image\'s status', async () => {
  ecr.reset();
  ecr.on(DescribeImagesCommand, { repositoryName: 'app', filter: { imageStatus: ImageStatusFilter.ANY } }).resolves({
    imageDetails: [
      { imageDigest: 'sha256:old', imageTags: ['v1'], imagePushedAt: new Date(1000), imageStatus: 'ARCHIVED' },
      { imageDigest: 'sha256:new', imageTags: ['v2'], imagePushedAt: new Date(2000), imageStatus: 'ACTIVE' },
    ],
  });
  // Without the filter, the API answers with active images only.
  ecr.on(DescribeImagesCommand, { repositoryName: 'app', filter: undefined }).resolves({ imageDetails: [{ imageDigest: 'sha256:new', imageStatus: 'ACTIVE' }] });
  const images = await new SdkRegistryReader({ account: '222222222222', region: 'eu-west-1', stsRegion: 'us-east-1' }).images('app');
  expect(images.map((i) => [i.digest, i.status])).toEqual([['sha256:new', 'ACTIVE'], ['sha256:old', 'ARCHIVED']]);
});
