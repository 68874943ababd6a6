/**
 * The replication backfills of a source registry, for the `backfill`
 * command: kept apart from the {@link RegistryReader} because they need the
 * source's backfill role, not the read-only look-up role.
 */
import {
  ECRClient,
  paginateDescribeReplicationBackfillResults,
  paginateListReplicationBackfills,
  ReplicationBackfillSummary,
  StartReplicationBackfillCommand,
} from '@aws-sdk/client-ecr';
import { BackfillData, BackfillImageFailure } from './data';
import { clientConfig, ReaderOptions } from './reader';

/** What the backfill scheduler asks of the source registry. Faked in unit tests. */
export interface ReplicationBackfills {
  /** Starts a backfill to one destination (which must be in the replication configuration). */
  startBackfill(destination: { account: string; region: string }): Promise<BackfillData>;
  /** Every backfill of the registry (paginated), running and ended. */
  listBackfills(): Promise<BackfillData[]>;
  /** The images a backfill could not replicate (paginated; known once the backfill has ended). */
  failedBackfillImages(backfillId: string): Promise<BackfillImageFailure[]>;
}

export class SdkReplicationBackfills implements ReplicationBackfills {
  private readonly ecr: ECRClient;

  constructor(options: ReaderOptions) {
    this.ecr = new ECRClient(clientConfig(options));
  }

  async startBackfill(destination: { account: string; region: string }): Promise<BackfillData> {
    const out = await this.ecr.send(new StartReplicationBackfillCommand({
      destination: { region: destination.region, registryId: destination.account },
    }));
    return {
      id: out.replicationBackfillId ?? '',
      ...(out.registryId ? { sourceAccount: out.registryId } : {}),
      destination: { account: out.destination?.registryId ?? destination.account, region: out.destination?.region ?? destination.region },
      status: out.status ?? 'PREPARING',
      startedAt: out.startedAt,
    };
  }

  async listBackfills(): Promise<BackfillData[]> {
    const all: BackfillData[] = [];
    // At most 50 a page (the API's limit).
    for await (const page of paginateListReplicationBackfills({ client: this.ecr, pageSize: 50 }, {})) {
      // The answer names the registry it lists (ListReplicationBackfillsResponse.registryId).
      all.push(...(page.backfills ?? []).map((b) => ({ ...toBackfillData(b), ...(page.registryId ? { sourceAccount: page.registryId } : {}) })));
    }
    return all;
  }

  async failedBackfillImages(backfillId: string): Promise<BackfillImageFailure[]> {
    const failures: BackfillImageFailure[] = [];
    const pages = paginateDescribeReplicationBackfillResults({ client: this.ecr, pageSize: 1000 }, {
      replicationBackfillId: backfillId,
      resultStatusFilter: 'FAILED',
    });
    for await (const page of pages) {
      for (const r of page.results ?? []) {
        failures.push({
          repository: r.repositoryName ?? '',
          digest: r.imageId?.imageDigest,
          tag: r.imageId?.imageTag,
          // A manifest list fails through the images it references.
          failureCode: r.failureCode ?? (r.subImageFailureCodes?.length ? r.subImageFailureCodes.join(', ') : undefined),
        });
      }
    }
    return failures;
  }
}

function toBackfillData(b: ReplicationBackfillSummary): BackfillData {
  return {
    id: b.replicationBackfillId ?? '',
    destination: { account: b.destination?.registryId ?? '', region: b.destination?.region ?? '' },
    status: b.status ?? '',
    failureCode: b.failureCode,
    progress: b.progress
      ? {
        total: b.progress.totalReplicationCount ?? 0,
        completed: b.progress.completedReplicationCount ?? 0,
        failed: b.progress.failedReplicationCount ?? 0,
        failureCodes: b.progress.failureCodes ?? [],
      }
      : undefined,
    startedAt: b.startedAt,
    endedAt: b.endedAt,
  };
}
