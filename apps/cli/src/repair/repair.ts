/**
 * `repair` without the command line. Who reads and writes what:
 * - each destination, through `--role-name` (its repair role): its repositories, its key,
 *   the images of each repository to rebuild; with `--execute`, the deletes,
 *   creates and tag-mutability changes;
 * - the source, through `--source-role-name` (its backfill role): the images
 *   of the same repositories, then the backfill (`backfill`'s own code).
 *
 * Execution goes one destination Region at a time and one repository at a
 * time; each repository is recreated right after it is deleted, and an
 * interruption is honoured only between two repositories, so that no
 * repository is left deleted by a Ctrl-C. No SDK here: the registries, the
 * confirmation, the clock and the interruption are passed in.
 */
import { DestinationModel, TopologyModel } from '@ecr-kms-replication/stacks';
import { assessRepository, RepositoryAssessment } from './assess';
import { BackfillOptions, BackfillReport, runBackfill } from '../backfill/backfill';
import { AccessOptions, CallerIdentityError, callerAccountOf, openRegistry, OpenedRegistry } from '../registry/access';
import { ImageSummary, KeyData } from '../registry/data';
import { describeAwsError } from '../registry/errors';
import { mapLimit } from '../registry/pool';
import { ReaderOptions } from '../registry/reader';
import { NewRepository, RepositoryAdmin, SdkRepositoryAdmin } from '../registry/repositories';
import { routedRepositories } from '../registry/routed';

/** The tag every repository the stages create carries, also put on a recreated one. */
export const MANAGED_BY_TAG = { ManagedBy: 'ecr-kms-replication' } as const;

/**
 * Where a repository stands once `--execute` has run:
 * - `unchanged`: nothing was done to it (nothing to do, refused, not reached, or declined);
 * - `fixed`: its tag mutability was set in place;
 * - `recreated`: deleted and recreated with the registry's key (empty until the backfill refills it);
 * - `deleted`: deleted, and the recreation failed: pulls fail, and a push would let replication create it
 *   unencrypted by the key (the report gives the command that creates it);
 * - `failed`: the delete or the tag-mutability change failed: the repository is as it was.
 */
export type ExecutionState = 'unchanged' | 'fixed' | 'recreated' | 'deleted' | 'failed';

export interface RepositoryRepair extends RepositoryAssessment {
  /** With `--execute`. */
  readonly state?: ExecutionState;
  /** Why the execution failed (with `failed`, `deleted`). */
  readonly error?: string;
}

export interface DestinationRepair {
  readonly id: string;
  readonly account: string;
  readonly region: string;
  /** The role the destination was read (and repaired) with; `null` for the current credentials. */
  readonly role: string | null;
  /** The destination could not be read or assessed. */
  readonly error?: string;
  /** The registry's key (behind the topology's alias): rebuilt repositories are created with it. */
  readonly keyArn?: string;
  readonly repositories: readonly RepositoryRepair[];
}

/**
 * How the backfill step ended (`--execute`, after a rebuild):
 * - `complete`: every backfill complete, no failed image;
 * - `failed`: a backfill or some images failed;
 * - `not-started`: it could not be started or followed (no backfill API, destination not in the
 *   replication configuration, role, ...): the recreated repositories stay empty until it runs;
 * - `interrupted`: the wait was stopped: the backfills go on in AWS.
 */
export type BackfillStep = 'complete' | 'failed' | 'not-started' | 'interrupted';

export interface RepairReport {
  /** Nothing to repair (read-only), or everything repaired and backfilled (`--execute`). */
  readonly ok: boolean;
  /** Nothing could be read at all: said once, here. */
  readonly error?: string;
  readonly execute: boolean;
  /** `--execute` was declined at the confirmation: nothing was done. */
  readonly declined: boolean;
  /** Stopped by the user (Ctrl-C). */
  readonly interrupted: boolean;
  /** Execution stopped because a deleted repository could not be recreated: nothing more was deleted, no backfill started. */
  readonly halted?: string;
  readonly destinations: readonly DestinationRepair[];
  readonly backfillStep?: BackfillStep;
  /** The backfill's own report (the same as the `backfill` command's). */
  readonly backfill?: BackfillReport;
}

export interface RepairOptions extends AccessOptions, Pick<BackfillOptions, 'pollSeconds' | 'sleep' | 'onUpdate' | 'backfillsFor' | 'destinationRoleName'> {
  /** Destination ids to repair. @default every destination */
  readonly destinations?: readonly string[];
  /** Delete, recreate and fix; without it nothing is changed. */
  readonly execute: boolean;
  /** Role name template in the source (its images; the backfill). */
  readonly sourceRoleName: string;
  /** Destinations read at the same time. */
  readonly concurrency: number;
  /** A registry's images and repository writes. Default: the AWS SDK. */
  readonly repositoriesFor?: (options: ReaderOptions) => RepositoryAdmin;
  /** Asked once, with the plan, before anything is changed; `false` changes nothing. */
  readonly confirm?: (plan: RepairReport) => Promise<boolean>;
  /** Aborted on Ctrl-C. */
  readonly signal?: AbortSignal;
  /** Called as each repository is done (execution). */
  readonly onStep?: (destination: string, repository: RepositoryRepair) => void;
}

/** The actions that leave something to repair. */
const TO_REPAIR = new Set(['fix-tag-mutability', 'rebuild', 'refused']);

export async function runRepair(topology: TopologyModel, options: RepairOptions): Promise<RepairReport> {
  const selected = options.destinations && options.destinations.length > 0
    ? topology.destinations.filter((d) => options.destinations!.includes(d.id))
    : [...topology.destinations];
  const base = { execute: options.execute, declined: false, interrupted: false };
  let callerAccount: string;
  try {
    callerAccount = await callerAccountOf(options);
  } catch (e) {
    if (e instanceof CallerIdentityError) return { ...base, ok: false, error: e.detail, destinations: [] };
    throw e;
  }
  const sessionName = 'ecr-kms-replication-repair';
  const adminFor = options.repositoriesFor ?? ((o: ReaderOptions) => new SdkRepositoryAdmin(o));
  const adminOf = (opened: OpenedRegistry<{ account: string; region: string }>) => adminFor({
    account: opened.env.account, region: opened.env.region, roleArn: opened.role ?? undefined, stsRegion: options.stsRegion, sessionName,
  });

  // The source's images, read once per repository whatever the number of destinations.
  let source: Promise<OpenedRegistry<typeof topology.source>> | undefined;
  const sourceImages = new Map<string, Promise<ImageSummary[] | undefined>>();
  const imagesInSource = (name: string) => {
    source ??= openRegistry(topology.source, callerAccount, { ...options, roleName: options.sourceRoleName, sessionName });
    if (!sourceImages.has(name)) {
      sourceImages.set(name, source.then(async (opened) => {
        if ('error' in opened.identity) throw new Error(`source ${topology.source.id}: ${opened.identity.error}`);
        try {
          return await opened.reader.images(name);
        } catch (e) {
          if ((e as Error).name === 'RepositoryNotFoundException') return undefined;
          throw new Error(`cannot list the images of ${name} in the source ${topology.source.id}: ${describeAwsError(e, topology.source.region)}`);
        }
      }));
    }
    return sourceImages.get(name)!;
  };

  const admins = new Map<string, RepositoryAdmin>();
  const destinations = await mapLimit(selected, options.concurrency, async (d): Promise<DestinationRepair> => {
    const opened = await openRegistry(d, callerAccount, { ...options, sessionName });
    const head = { id: d.id, account: d.account, region: d.region, role: opened.role };
    if ('error' in opened.identity) return { ...head, error: opened.identity.error, repositories: [] };
    const admin = adminOf(opened);
    admins.set(d.id, admin);
    try {
      const routed = await routedRepositories(topology, d.id, opened.reader);
      const existing = await opened.reader.repositories(routed.map((r) => r.name));
      let key: KeyData;
      try {
        key = await opened.reader.key(topology.keyAlias);
      } catch (e) {
        return { ...head, error: `cannot resolve the key ${topology.keyAlias}: ${describeAwsError(e, d.region)}`, repositories: [] };
      }
      const repositories = await mapLimit(routed, 4, async (expected) => {
        const repository = existing.get(expected.name);
        const adopted = topology.repositories.some((r) => r.name === expected.name && r.existingDestinations.includes(d.id));
        const first = assessRepository({ expected, repository, key, alias: topology.keyAlias, adopted, images: [] });
        if (first.action !== 'rebuild') return first;
        // Only a repository to rebuild is worth reading image by image, here and in the source.
        const [images, inSource] = await Promise.all([opened.reader.images(expected.name), imagesInSource(expected.name)]);
        return assessRepository({ expected, repository, key, alias: topology.keyAlias, adopted, images, sourceImages: inSource });
      });
      return { ...head, keyArn: key.keyArn, repositories };
    } catch (e) {
      return { ...head, error: e instanceof Error && !('$metadata' in e) ? e.message : describeAwsError(e, d.region), repositories: [] };
    }
  });

  const plan: RepairReport = { ...base, ok: isClean(destinations), destinations };
  if (!options.execute || plan.ok) return plan;
  const work = destinations.some((d) => d.repositories.some((r) => r.action === 'rebuild' || r.action === 'fix-tag-mutability'));
  if (!work) return { ...plan, ok: false };
  if (options.confirm && !(await options.confirm(plan))) {
    return { ...plan, ok: false, declined: true, destinations: destinations.map(markUnchanged) };
  }
  return execute(topology, plan, admins, options);
}

function isClean(destinations: readonly DestinationRepair[]): boolean {
  return destinations.every((d) => d.error === undefined && d.repositories.every((r) => !TO_REPAIR.has(r.action)));
}

function markUnchanged(d: DestinationRepair): DestinationRepair {
  return { ...d, repositories: d.repositories.map((r) => (TO_REPAIR.has(r.action) ? { ...r, state: 'unchanged' as const } : r)) };
}

/** Deletes and recreates, one destination Region at a time, then backfills the rebuilt destinations. */
async function execute(
  topology: TopologyModel,
  plan: RepairReport,
  admins: ReadonlyMap<string, RepositoryAdmin>,
  options: RepairOptions,
): Promise<RepairReport> {
  const results = new Map(plan.destinations.map((d) => [d.id, d.repositories.map((r): RepositoryRepair => (TO_REPAIR.has(r.action) ? { ...r, state: 'unchanged' } : r))]));
  const regions = [...new Set(plan.destinations.map((d) => d.region))];
  let interrupted = false;
  let halted: string | undefined;
  regions: for (const region of regions) {
    for (const d of plan.destinations.filter((x) => x.region === region && x.error === undefined)) {
      const admin = admins.get(d.id)!;
      const model = topology.destinations.find((x) => x.id === d.id)!;
      const repos = results.get(d.id)!;
      for (let i = 0; i < repos.length; i++) {
        const r = repos[i];
        if (r.action !== 'rebuild' && r.action !== 'fix-tag-mutability') continue;
        if (options.signal?.aborted) {
          interrupted = true;
          break regions;
        }
        repos[i] = await repairOne(r, admin, model, topology, d.keyArn!);
        options.onStep?.(d.id, repos[i]);
        // What broke one recreation (the key, a quota) would break the next: delete nothing more.
        if (repos[i].state === 'deleted') {
          halted = `${r.name} in ${d.id} was deleted and could not be recreated`;
          break regions;
        }
      }
    }
  }
  const destinations = plan.destinations.map((d) => ({ ...d, repositories: results.get(d.id)! }));
  const done = (r: RepositoryRepair) => r.action === 'none' || r.action === 'absent' || r.state === 'fixed' || r.state === 'recreated';
  const allDone = destinations.every((d) => d.error === undefined && d.repositories.every(done));
  const rebuilt = destinations.filter((d) => d.repositories.some((r) => r.state === 'recreated')).map((d) => d.id);
  const report: RepairReport = { ...plan, ok: allDone && !interrupted, interrupted, destinations, ...(halted ? { halted } : {}) };
  // A backfill into a destination missing a repository would let replication create it: not while one is missing.
  if (rebuilt.length === 0 || interrupted || halted) return report;

  const backfill = await runBackfill(topology, {
    ...options,
    roleName: options.sourceRoleName,
    destinations: rebuilt,
    onlyMissing: false,
    dryRun: false,
    wait: true,
  });
  const step = backfillStep(backfill);
  return { ...report, ok: report.ok && step === 'complete', interrupted: backfill.interrupted, backfill, backfillStep: step };
}

function backfillStep(report: BackfillReport): BackfillStep {
  if (report.interrupted) return 'interrupted';
  if (report.ok) return 'complete';
  if (report.error !== undefined) return 'not-started';
  const notStarted = report.destinations.filter((d) => d.outcome === 'error' || d.outcome === 'not-started');
  return notStarted.length > 0 && report.destinations.every((d) => d.outcome === 'complete' || notStarted.includes(d)) ? 'not-started' : 'failed';
}

async function repairOne(
  r: RepositoryRepair,
  admin: RepositoryAdmin,
  destination: DestinationModel,
  topology: TopologyModel,
  keyArn: string,
): Promise<RepositoryRepair> {
  if (r.action === 'fix-tag-mutability') {
    try {
      await admin.putImageTagMutability(r.name, r.expectedTagMutability);
      return { ...r, state: 'fixed' };
    } catch (e) {
      return { ...r, state: 'failed', error: `cannot set the tag mutability: ${describeAwsError(e, destination.region)}` };
    }
  }
  try {
    await admin.deleteRepository(r.name);
  } catch (e) {
    return { ...r, state: 'failed', error: `cannot delete it: ${describeAwsError(e, destination.region)}` };
  }
  try {
    await admin.createRepository(newRepository(r, topology, keyArn));
    return { ...r, state: 'recreated' };
  } catch (e) {
    return { ...r, state: 'deleted', error: `deleted, but cannot recreate it: ${describeAwsError(e, destination.region)}` };
  }
}

/** What a rebuilt repository is created with: the registry's key, the topology's settings and tags. */
export function newRepository(r: Pick<RepositoryRepair, 'name' | 'expectedTagMutability'>, topology: TopologyModel, keyArn: string): NewRepository {
  const listed = topology.repositories.find((x) => x.name === r.name);
  return {
    name: r.name,
    kmsKey: keyArn,
    imageTagMutability: r.expectedTagMutability,
    scanOnPush: listed?.scanOnPush ?? false,
    tags: { ...MANAGED_BY_TAG, ...topology.tags },
  };
}
