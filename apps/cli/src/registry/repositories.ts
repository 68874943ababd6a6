/**
 * What `repair` and `wait` ask of a registry beyond the {@link RegistryReader}:
 * one image by tag or digest, the replication status of one image, and the
 * repository writes of `repair`.
 * Kept apart from the reader, like the backfills, because the writes need
 * the destination's repair role, not the read-only look-up role.
 */
import {
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeImageReplicationStatusCommand,
  DescribeImagesCommand,
  ECRClient,
  ImageDetail,
  ImageStatusFilter,
  PutImageTagMutabilityCommand,
} from '@aws-sdk/client-ecr';
import { ImageSummary } from './data';
import { clientConfig, ReaderOptions } from './reader';

/** The replication of one image to one destination (`DescribeImageReplicationStatus`). */
export interface ReplicationStatusData {
  readonly region: string;
  readonly registryId: string;
  /** ECR's `ReplicationStatus`: `IN_PROGRESS`, `COMPLETE` or `FAILED`. */
  readonly status: string;
  /** Set when `FAILED` (the API has a failure code, no longer reason). */
  readonly failureCode?: string;
}

/** What a repository is recreated with. */
export interface NewRepository {
  readonly name: string;
  /** The key ARN (or alias) the repository is encrypted with (`KMS`). */
  readonly kmsKey: string;
  readonly imageTagMutability: string;
  readonly scanOnPush: boolean;
  readonly tags: Readonly<Record<string, string>>;
}

/** One image, its replication status, and the writes of `repair`. Faked in unit tests. */
export interface RepositoryAdmin {
  /** One image by tag or digest, whatever its status; `undefined` when the repository has no such image (`ImageNotFoundException`). */
  findImage(repository: string, image: { tag?: string; digest?: string }): Promise<ImageSummary | undefined>;
  /** Where ECR says an image of this (source) registry stands in each destination. */
  replicationStatus(repository: string, digest: string): Promise<ReplicationStatusData[]>;
  /** Deletes a repository and its images (`force`). */
  deleteRepository(repository: string): Promise<void>;
  createRepository(repository: NewRepository): Promise<void>;
  putImageTagMutability(repository: string, imageTagMutability: string): Promise<void>;
}

/** Without it DescribeImages answers ACTIVE images only (DescribeImagesFilter in the ECR API model). */
const ANY_STATUS = { imageStatus: ImageStatusFilter.ANY };

export class SdkRepositoryAdmin implements RepositoryAdmin {
  private readonly ecr: ECRClient;

  constructor(options: ReaderOptions) {
    this.ecr = new ECRClient(clientConfig(options));
  }

  async findImage(repository: string, image: { tag?: string; digest?: string }): Promise<ImageSummary | undefined> {
    try {
      const out = await this.ecr.send(new DescribeImagesCommand({
        repositoryName: repository,
        imageIds: [{ imageTag: image.tag, imageDigest: image.digest }],
        filter: ANY_STATUS,
      }));
      return (out.imageDetails ?? []).flatMap(toImageSummary)[0];
    } catch (e) {
      if ((e as Error).name === 'ImageNotFoundException') return undefined;
      throw e;
    }
  }

  async replicationStatus(repository: string, digest: string): Promise<ReplicationStatusData[]> {
    const out = await this.ecr.send(new DescribeImageReplicationStatusCommand({ repositoryName: repository, imageId: { imageDigest: digest } }));
    return (out.replicationStatuses ?? []).map((s) => ({
      region: s.region ?? '',
      registryId: s.registryId ?? '',
      status: s.status ?? '',
      ...(s.failureCode ? { failureCode: s.failureCode } : {}),
    }));
  }

  async deleteRepository(repository: string): Promise<void> {
    await this.ecr.send(new DeleteRepositoryCommand({ repositoryName: repository, force: true }));
  }

  async createRepository(r: NewRepository): Promise<void> {
    await this.ecr.send(new CreateRepositoryCommand({
      repositoryName: r.name,
      encryptionConfiguration: { encryptionType: 'KMS', kmsKey: r.kmsKey },
      imageTagMutability: r.imageTagMutability as 'IMMUTABLE' | 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: r.scanOnPush },
      tags: Object.entries(r.tags).map(([Key, Value]) => ({ Key, Value })),
    }));
  }

  async putImageTagMutability(repository: string, imageTagMutability: string): Promise<void> {
    await this.ecr.send(new PutImageTagMutabilityCommand({ repositoryName: repository, imageTagMutability: imageTagMutability as 'IMMUTABLE' | 'MUTABLE' }));
  }
}

function toImageSummary(d: ImageDetail): ImageSummary[] {
  if (!d.imageDigest) return [];
  return [{ digest: d.imageDigest, tags: d.imageTags ?? [], pushedAt: d.imagePushedAt, ...(d.imageStatus ? { status: d.imageStatus } : {}) }];
}
