/**
 * Waits until one image of the source registry is in every destination the
 * topology routes its repository to. A tag is resolved to its digest once,
 * at the start: a later push of the same tag does not change what is waited
 * for. Each round asks ECR's per-image replication status in the source
 * (`DescribeImageReplicationStatus`: source credentials only); where that
 * API does not answer (an endpoint without it, a role without the right),
 * each pending destination is asked for the image by digest through its
 * look-up role instead. No SDK here: the registries, the clock and the
 * interruption are passed in.
 */
import { TopologyModel } from '@ecr-kms-replication/stacks';
import { abortableSleep } from '../backfill/scheduler';
import { AccessOptions, CallerIdentityError, callerAccountOf, openRegistry } from '../registry/access';
import { describeAwsError } from '../registry/errors';
import { mapLimit } from '../registry/pool';
import { ReaderOptions } from '../registry/reader';
import { ReplicationStatusData, RepositoryAdmin, SdkRepositoryAdmin } from '../registry/repositories';

/** Seconds between two rounds. */
export const DEFAULT_WAIT_POLL_SECONDS = 5;

/** How long to wait by default, in seconds. */
export const DEFAULT_WAIT_TIMEOUT_SECONDS = 900;

/** ECR's per-image replication statuses (the SDK's `ReplicationStatus`). */
export const REPLICATION_STATUSES = ['IN_PROGRESS', 'COMPLETE', 'FAILED'] as const;

/**
 * Errors after which the replication status API is not asked again: the
 * endpoint or the credentials cannot answer it, whatever the image.
 * `ImageNotFoundException` and `RepositoryNotFoundException` are not among
 * them: they say something about the image.
 */
function statusApiUnavailable(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  const name = err?.name ?? '';
  if (/AccessDenied|UnauthorizedOperation|NotAuthorized|UnknownOperation|NotImplemented|InvalidAction|UnsupportedOperation/i.test(name)) return true;
  // An endpoint that does not know the API answers 404 or 501, or with something that is not ECR's JSON.
  const status = err?.$metadata?.httpStatusCode;
  return status === 404 || status === 501 || name === 'SyntaxError';
}

/** An image as given on the command line: `NAME:TAG` or `NAME@sha256:...`. */
export interface ImageReference {
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** `NAME:TAG` or `NAME@DIGEST`; `undefined` when `text` is neither. */
export function parseImageReference(text: string): ImageReference | undefined {
  const at = /^([a-z0-9][a-z0-9._/-]*)@(sha256:[a-f0-9]{64})$/.exec(text);
  if (at) return { repository: at[1], digest: at[2] };
  const colon = /^([a-z0-9][a-z0-9._/-]*):([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/.exec(text);
  if (colon) return { repository: colon[1], tag: colon[2] };
  return undefined;
}

/**
 * Where a destination stands:
 * - `pending`: the image is not there yet (ECR says IN_PROGRESS, or nothing yet, or the look-up does not find it);
 * - `complete`: ECR says COMPLETE, or the destination has the image;
 * - `failed`: ECR says FAILED (`failureCode` says why): the image will not arrive;
 * - `error`: the destination cannot be read (its look-up role) while the status API does not answer.
 */
export type WaitState = 'pending' | 'complete' | 'failed' | 'error';

export interface DestinationWait {
  readonly id: string;
  readonly account: string;
  readonly region: string;
  readonly state: WaitState;
  /** How the state was last learnt: ECR's replication status in the source, or a look-up in the destination. */
  readonly via?: 'replication-status' | 'look-up';
  /** ECR's replication status, when it gave one. */
  readonly status?: string;
  readonly failureCode?: string;
  readonly detail: string;
}

/**
 * How the wait ended: `complete` everywhere; `failed` some replication failed;
 * `timeout` still pending at the deadline; `error` something could not be read;
 * `interrupted` stopped by the user.
 */
export type WaitOutcome = 'complete' | 'failed' | 'timeout' | 'error' | 'interrupted';

export interface WaitReport {
  readonly ok: boolean;
  readonly outcome: WaitOutcome;
  /** Why nothing could be waited for (credentials, the source, the image not in the source). */
  readonly error?: string;
  readonly image: ImageReference & { readonly resolvedDigest?: string };
  readonly source: { readonly id: string; readonly role: string | null };
  readonly destinations: readonly DestinationWait[];
  readonly elapsedSeconds: number;
}

export interface WaitOptions extends AccessOptions {
  readonly image: ImageReference;
  /** The destination ids to wait for (already checked to be routed). */
  readonly destinations: readonly string[];
  readonly timeoutSeconds: number;
  /** @default 5 */
  readonly pollSeconds?: number;
  readonly concurrency: number;
  readonly repositoriesFor?: (options: ReaderOptions) => RepositoryAdmin;
  /** @default Date.now */
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly signal?: AbortSignal;
  /** Called after each round. */
  readonly onUpdate?: (destinations: readonly DestinationWait[], elapsedSeconds: number) => void;
}

export async function waitForImage(topology: TopologyModel, options: WaitOptions): Promise<WaitReport> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const started = now();
  const elapsed = () => Math.round((now() - started) / 1000);
  const targets = topology.destinations.filter((d) => options.destinations.includes(d.id));
  let states: DestinationWait[] = targets.map((d) => ({ id: d.id, account: d.account, region: d.region, state: 'pending', detail: 'not checked yet' }));
  const image: { -readonly [K in keyof WaitReport['image']]: WaitReport['image'][K] } = { ...options.image };
  const source = { id: topology.source.id, role: null as string | null };
  const end = (outcome: WaitOutcome, error?: string): WaitReport => ({
    ok: outcome === 'complete', outcome, ...(error !== undefined ? { error } : {}), image, source, destinations: states, elapsedSeconds: elapsed(),
  });

  let callerAccount: string;
  try {
    callerAccount = await callerAccountOf(options);
  } catch (e) {
    if (e instanceof CallerIdentityError) return end('error', e.detail);
    throw e;
  }
  const sessionName = 'ecr-kms-replication-wait';
  const adminFor = options.repositoriesFor ?? ((o: ReaderOptions) => new SdkRepositoryAdmin(o));
  const openAdmin = async (env: { account: string; region: string }) => {
    const opened = await openRegistry(env, callerAccount, { ...options, sessionName });
    if ('error' in opened.identity) return { role: opened.role, error: opened.identity.error };
    const roleArn = opened.role ?? undefined;
    return { role: opened.role, admin: adminFor({ account: env.account, region: env.region, roleArn, stsRegion: options.stsRegion, sessionName }) };
  };

  const src = await openAdmin(topology.source);
  source.role = src.role;
  if (!src.admin) return end('error', `source ${topology.source.id}: ${src.error}`);
  // The digest, once: what a tag points at later is another image.
  try {
    const found = await src.admin.findImage(options.image.repository, options.image);
    if (!found) return end('error', `${describe(options.image)} is not in the source ${topology.source.id}: push it there first`);
    image.resolvedDigest = found.digest;
  } catch (e) {
    const why = (e as Error).name === 'RepositoryNotFoundException'
      ? `the repository ${options.image.repository} does not exist in the source ${topology.source.id}`
      : `cannot read ${describe(options.image)} in the source ${topology.source.id}: ${describeAwsError(e, topology.source.region)}`;
    return end('error', why);
  }
  const digest = image.resolvedDigest!;

  let statusApi = true;
  const lookups = new Map<string, Promise<{ admin?: RepositoryAdmin; error?: string }>>();
  const deadline = started + options.timeoutSeconds * 1000;
  for (;;) {
    // 1. ECR's replication status, from the source, for every destination at once.
    let statuses: ReplicationStatusData[] | undefined;
    if (statusApi) {
      try {
        statuses = await src.admin.replicationStatus(options.image.repository, digest);
      } catch (e) {
        if (!statusApiUnavailable(e)) return end('error', `cannot read the replication status of ${describe(options.image)}: ${describeAwsError(e, topology.source.region)}`);
        statusApi = false;
      }
    }
    // 2. Where the status API does not answer, the destinations themselves.
    states = await mapLimit(states, options.concurrency, async (s): Promise<DestinationWait> => {
      if (s.state !== 'pending') return s;
      if (statuses) return fromStatus(s, statuses);
      if (!lookups.has(s.id)) lookups.set(s.id, openAdmin(s));
      const dest = await lookups.get(s.id)!;
      if (!dest.admin) return { ...s, state: 'error', via: 'look-up', detail: `cannot read the destination: ${dest.error}` };
      try {
        const there = await dest.admin.findImage(options.image.repository, { digest });
        return there
          ? { ...s, state: 'complete', via: 'look-up', detail: 'the image is here' }
          : { ...s, via: 'look-up', detail: 'not here yet' };
      } catch (e) {
        if ((e as Error).name === 'RepositoryNotFoundException') return { ...s, via: 'look-up', detail: 'not here yet (no such repository yet)' };
        return { ...s, state: 'error', via: 'look-up', detail: `cannot read the destination: ${describeAwsError(e, s.region)}` };
      }
    });
    options.onUpdate?.(states, elapsed());

    if (states.every((s) => s.state !== 'pending')) {
      if (states.some((s) => s.state === 'failed')) return end('failed');
      return end(states.some((s) => s.state === 'error') ? 'error' : 'complete');
    }
    if (options.signal?.aborted) return end('interrupted');
    const left = deadline - now();
    if (left <= 0) return end(states.some((s) => s.state === 'failed') ? 'failed' : 'timeout');
    await sleep(Math.min(left, (options.pollSeconds ?? DEFAULT_WAIT_POLL_SECONDS) * 1000), options.signal);
    if (options.signal?.aborted) return end('interrupted');
  }
}

function fromStatus(s: DestinationWait, statuses: readonly ReplicationStatusData[]): DestinationWait {
  const mine = statuses.find((x) => x.registryId === s.account && x.region === s.region);
  if (!mine) return { ...s, via: 'replication-status', detail: 'ECR reports no replication to it yet' };
  const base = { ...s, via: 'replication-status' as const, status: mine.status };
  switch (mine.status) {
    case 'COMPLETE': return { ...base, state: 'complete', detail: 'replicated (COMPLETE)' };
    case 'FAILED': return {
      ...base,
      state: 'failed',
      ...(mine.failureCode ? { failureCode: mine.failureCode } : {}),
      detail: `replication FAILED${mine.failureCode ? `: ${mine.failureCode}` : ''}`,
    };
    default: return { ...base, detail: `replication ${mine.status || 'not started'}` };
  }
}

/** `name:tag` or `name@digest`, as given. */
export function describe(image: ImageReference): string {
  return image.tag !== undefined ? `${image.repository}:${image.tag}` : `${image.repository}@${image.digest}`;
}
