/**
 * `backfill` without the command line. Who reads what:
 * - the source registry, through its backfill role (`--role-name`): the
 *   replication configuration, its images (for `--only-missing` and
 *   `--dry-run`), and the backfills themselves;
 * - each destination, through its read-only look-up role
 *   (`--destination-role-name`, the one `verify` uses): its images only.
 * Which role, if any, is assumed in each account follows `--assume-role`.
 */
import { DestinationModel, TopologyModel } from '@ecr-kms-replication/stacks';
import { MissingImages, missingImages, repositoriesCopiedTo } from './compare';
import { BackfillState, BackfillTarget, scheduleBackfills, ScheduleOptions } from './scheduler';
import { AccessOptions, CallerIdentityError, callerAccountOf, openRegistry } from '../registry/access';
import { ReplicationBackfills, SdkReplicationBackfills } from '../registry/backfills';
import { BackfillImageFailure, BackfillProgress, ImageSummary } from '../registry/data';
import { describeAwsError } from '../registry/errors';
import { mapLimit } from '../registry/pool';
import { ReaderOptions, RegistryReader } from '../registry/reader';

export interface BackfillOptions extends AccessOptions, Pick<ScheduleOptions, 'pollSeconds' | 'maxInProgress' | 'sleep' | 'signal' | 'onUpdate'> {
  /** Role name template of the destinations (their images are read there); `roleName` is the source's. */
  readonly destinationRoleName: string;
  /** Destination ids to backfill. @default every destination */
  readonly destinations?: readonly string[];
  /** Start a backfill only where some source image is missing. */
  readonly onlyMissing: boolean;
  /** Say what would be started, start nothing. */
  readonly dryRun: boolean;
  /** Wait until every backfill has ended. */
  readonly wait: boolean;
  /** Destinations read at the same time. */
  readonly concurrency: number;
  /** The source registry's backfill API. Default: the AWS SDK. */
  readonly backfillsFor?: (options: ReaderOptions) => ReplicationBackfills;
}

/**
 * What happened to a destination:
 * - `complete`: the backfill completed and no image failed;
 * - `failed`: the backfill failed, was stopped, or some images failed;
 * - `running`: still running when the command returned (`--no-wait`, or interrupted);
 * - `not-started`: could not start yet (Region busy or 10 in progress) when the command returned;
 * - `nothing-missing`: `--only-missing` found every source image there;
 * - `would-start` / `would-attach` / `nothing-to-do`: `--dry-run`;
 * - `error`: could not be read, compared, started or followed.
 */
export type BackfillOutcome = 'complete' | 'failed' | 'running' | 'not-started' | 'nothing-missing' | 'would-start' | 'would-attach' | 'error';

export interface BackfillDestinationReport {
  readonly id: string;
  readonly account: string;
  readonly region: string;
  readonly outcome: BackfillOutcome;
  readonly backfillId?: string;
  /** The backfill was already running: followed, not restarted. */
  readonly attached?: boolean;
  /** ECR's status of the backfill. */
  readonly status?: string;
  readonly progress?: BackfillProgress;
  readonly failureCode?: string;
  /** Source images missing here (`--only-missing`, `--dry-run`), per repository. */
  readonly missing?: MissingSummary;
  readonly failedImages: readonly BackfillImageFailure[];
  /** One line for a human. */
  readonly detail: string;
}

/** How many source images a destination lacks, in total and per repository. */
export interface MissingSummary {
  readonly images: number;
  readonly repositories: readonly { readonly repository: string; readonly images: number; readonly repositoryMissing: boolean }[];
}

export interface BackfillReport {
  /** Every backfill complete with no failed image (`--no-wait`: every one started; `--dry-run`: everything read). */
  readonly ok: boolean;
  /** Nothing could be done at all (credentials, source registry): said once, here. */
  readonly error?: string;
  readonly dryRun: boolean;
  /** The wait was interrupted: the backfills go on in AWS. */
  readonly interrupted: boolean;
  readonly source: { readonly id: string; readonly role: string | null };
  readonly destinations: readonly BackfillDestinationReport[];
}

/** `--destination` ids that are not destinations of the topology (a usage error). */
export function unknownDestinations(topology: TopologyModel, ids: readonly string[]): string[] {
  return ids.filter((id) => !topology.destinations.some((d) => d.id === id));
}

export async function runBackfill(topology: TopologyModel, options: BackfillOptions): Promise<BackfillReport> {
  const selected = options.destinations && options.destinations.length > 0
    ? topology.destinations.filter((d) => options.destinations!.includes(d.id))
    : [...topology.destinations];
  const base = { dryRun: options.dryRun, interrupted: false, source: { id: topology.source.id, role: null as string | null } };
  const fail = (error: string): BackfillReport => ({ ...base, ok: false, error, destinations: [] });

  let callerAccount: string;
  try {
    callerAccount = await callerAccountOf(options);
  } catch (e) {
    if (e instanceof CallerIdentityError) return fail(e.detail);
    throw e;
  }
  const sessionName = 'ecr-kms-replication-backfill';
  const source = await openRegistry(topology.source, callerAccount, { ...options, sessionName });
  base.source.role = source.role;
  if ('error' in source.identity) return fail(`source ${topology.source.id}: ${source.identity.error}`);

  // The API backfills only destinations of the replication configuration.
  let rules;
  try {
    rules = await source.reader.replicationRules();
  } catch (e) {
    return fail(`cannot read the replication configuration of the source ${topology.source.id}: ${describeAwsError(e, topology.source.region)}`);
  }
  const configured = (d: DestinationModel) => rules.some((r) => r.destinations.some((x) => x.registryId === d.account && x.region === d.region));

  const reports = new Map<string, BackfillDestinationReport>();
  const put = (d: DestinationModel, r: Omit<BackfillDestinationReport, 'id' | 'account' | 'region' | 'failedImages'> & { failedImages?: readonly BackfillImageFailure[] }) =>
    reports.set(d.id, { id: d.id, account: d.account, region: d.region, failedImages: [], ...r });
  for (const d of selected) {
    if (!configured(d)) {
      put(d, {
        outcome: 'error',
        detail: `not in the replication configuration of the source ${topology.source.id}: deploy the source stage first (a backfill needs it)`,
      });
    }
  }

  // Which source images each destination lacks.
  const compare = options.onlyMissing || options.dryRun;
  const missing = new Map<string, MissingImages[]>();
  if (compare) {
    // Everything the rules copy: every source repository a rule matches, not only the listed ones.
    let sourceImages: Map<string, ImageSummary[]>;
    let copiedTo: (d: DestinationModel) => string[];
    try {
      const sourceNames = (await source.reader.allRepositories()).map((r) => r.name);
      copiedTo = (d) => repositoriesCopiedTo(topology, rules, sourceNames, d);
      sourceImages = await imagesOf(source.reader, [...new Set(selected.flatMap(copiedTo))]);
    } catch (e) {
      return fail(`cannot list the images of the source ${topology.source.id}: ${describeAwsError(e, topology.source.region)}`);
    }
    const toCompare = selected.filter((d) => !reports.has(d.id));
    await mapLimit(toCompare, options.concurrency, async (d) => {
      const dest = await openRegistry(d, callerAccount, { ...options, roleName: options.destinationRoleName, sessionName });
      if ('error' in dest.identity) {
        put(d, { outcome: 'error', detail: `cannot compare the images: ${dest.identity.error}` });
        return;
      }
      try {
        const copied = copiedTo(d).filter((name) => sourceImages.has(name));
        const copiedImages = new Map(copied.map((name) => [name, sourceImages.get(name)!] as const));
        missing.set(d.id, missingImages(copiedImages, await imagesOf(dest.reader, copied, true)));
      } catch (e) {
        put(d, { outcome: 'error', detail: `cannot compare the images: ${describeAwsError(e, d.region)}` });
      }
    });
  }
  const missingSummary = (d: DestinationModel) => {
    const m = missing.get(d.id);
    if (!m) return undefined;
    return {
      images: m.reduce((n, r) => n + r.images.length, 0),
      repositories: m.map((r) => ({ repository: r.repository, images: r.images.length, repositoryMissing: r.repositoryMissing })),
    };
  };
  for (const d of selected) {
    const m = missingSummary(d);
    if (!reports.has(d.id) && options.onlyMissing && m && m.images === 0) {
      put(d, { outcome: 'nothing-missing', missing: m, detail: 'every source image is here: no backfill needed' });
    }
  }

  const targets: BackfillTarget[] = selected.filter((d) => !reports.has(d.id));
  const backfills = (options.backfillsFor ?? ((o) => new SdkReplicationBackfills(o)))({
    account: topology.source.account,
    region: topology.source.region,
    roleArn: source.role ?? undefined,
    stsRegion: options.stsRegion,
    sessionName,
  });

  if (options.dryRun) {
    let running: { id: string; account: string; region: string; status: string }[] = [];
    try {
      running = (await backfills.listBackfills())
        .filter((b) => (b.status === 'PREPARING' || b.status === 'IN_PROGRESS') && (b.sourceAccount ?? topology.source.account) === topology.source.account)
        .map((b) => ({ id: b.id, account: b.destination.account, region: b.destination.region, status: b.status }));
    } catch (e) {
      return fail(`cannot list the backfills of the source ${topology.source.id}: ${describeAwsError(e, topology.source.region)}`);
    }
    for (const t of targets) {
      const d = topology.destinations.find((x) => x.id === t.id)!;
      const m = missingSummary(d);
      const current = running.find((b) => b.account === t.account && b.region === t.region);
      const what = m ? `${m.images} source image(s) missing in ${m.repositories.length} repositor${m.repositories.length === 1 ? 'y' : 'ies'}` : '';
      put(d, current
        ? { outcome: 'would-attach', backfillId: current.id, status: current.status, missing: m, detail: `would follow the running backfill ${current.id}${what ? `; ${what}` : ''}` }
        : { outcome: 'would-start', missing: m, detail: `would start a backfill${what ? `: ${what}` : ''}` });
    }
    return finish(base, selected, reports, false);
  }

  const result = targets.length > 0
    ? await scheduleBackfills(targets, { ...options, backfills, sourceAccount: topology.source.account })
    : { states: [], interrupted: false };
  for (const s of result.states) {
    const d = topology.destinations.find((x) => x.id === s.id)!;
    put(d, { ...fromState(s), missing: missingSummary(d) });
  }
  return finish({ ...base, interrupted: result.interrupted }, selected, reports, options.wait);
}

function finish(
  base: Omit<BackfillReport, 'ok' | 'destinations'>,
  selected: readonly DestinationModel[],
  reports: ReadonlyMap<string, BackfillDestinationReport>,
  wait: boolean,
): BackfillReport {
  const destinations = selected.map((d) => reports.get(d.id)!);
  const good: BackfillOutcome[] = base.dryRun
    ? ['would-start', 'would-attach', 'nothing-missing']
    : wait ? ['complete', 'nothing-missing'] : ['complete', 'nothing-missing', 'running'];
  return { ...base, ok: !base.interrupted && destinations.every((d) => good.includes(d.outcome)), destinations };
}

function fromState(s: BackfillState): Omit<BackfillDestinationReport, 'id' | 'account' | 'region'> {
  const common = {
    backfillId: s.backfillId,
    attached: s.backfillId ? s.attached : undefined,
    status: s.status,
    progress: s.progress,
    failureCode: s.failureCode,
    failedImages: s.failedImages,
  };
  const counts = s.progress ? `${s.progress.completed}/${s.progress.total} replicated, ${s.progress.failed} failed` : 'no count yet';
  switch (s.phase) {
    case 'waiting':
      return { ...common, outcome: 'not-started', detail: `not started: ${s.waitingFor ?? 'waiting for its turn'}; run backfill again later` };
    case 'error':
      return { ...common, outcome: 'error', detail: s.error ?? 'unknown error' };
    case 'running':
      return { ...common, outcome: 'running', detail: `${s.status ?? 'PREPARING'}: ${counts}` };
    case 'ended': {
      const failed = s.status !== 'COMPLETE' || (s.progress?.failed ?? 0) > 0 || s.failedImages.length > 0 || s.error !== undefined;
      const why = s.failureCode ? ` (${s.failureCode})` : '';
      return { ...common, outcome: failed ? 'failed' : 'complete', detail: `${s.status}${why}: ${counts}${s.error ? `; ${s.error}` : ''}` };
    }
  }
}

/**
 * The images of each repository; a repository that does not exist has none
 * (`absentAsUndefined`: is `undefined`, so that a destination can say so).
 */
async function imagesOf(reader: RegistryReader, names: readonly string[], absentAsUndefined = false): Promise<Map<string, ImageSummary[]>> {
  const found = await mapLimit(names, 4, async (name): Promise<ImageSummary[] | undefined> => {
    try {
      return await reader.images(name);
    } catch (e) {
      if ((e as Error).name !== 'RepositoryNotFoundException') throw e;
      return absentAsUndefined ? undefined : [];
    }
  });
  // In the order of the names (the topology's), whatever order the calls ended in.
  return new Map(names.flatMap((name, i) => (found[i] ? [[name, found[i]] as const] : [])));
}
