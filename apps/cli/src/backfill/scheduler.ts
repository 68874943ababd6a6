/**
 * Runs replication backfills to many destinations within ECR's rules: at
 * most one backfill in progress per destination Region, at most
 * {@link MAX_IN_PROGRESS} in progress per registry. A destination that
 * already has a backfill running is attached to, not restarted: whether it
 * was running when the command started, was started meanwhile by someone else
 * (a person and the pipeline at once), or was started by this command's own
 * retried call whose first answer was lost — `StartReplicationBackfill` has no
 * idempotency token, so the retry gets `ReplicationBackfillInProgressException`
 * (ECR API model, StartReplicationBackfill errors). Each round
 * lists the registry's backfills once (progress of all of them, ours and
 * others'), starts what the rules allow, then sleeps. No SDK here: the
 * registry, the clock and the interruption are passed in.
 */
import { ReplicationBackfills } from '../registry/backfills';
import { BACKFILL_TERMINAL_STATUSES, BackfillData, BackfillImageFailure, BackfillProgress } from '../registry/data';
import { describeAwsError } from '../registry/errors';

/** Backfills in progress at once per registry (ECR's limit: `LimitExceededException` beyond). */
export const MAX_IN_PROGRESS = 10;

/** Seconds between two rounds while waiting. */
export const DEFAULT_POLL_SECONDS = 30;

/** Consecutive transient errors (throttling, server errors, network) tolerated on one call before giving up. */
export const MAX_TRANSIENT_ERRORS = 5;

export interface BackfillTarget {
  /** `<account>-<region>`. */
  readonly id: string;
  readonly account: string;
  readonly region: string;
}

/**
 * Where a destination stands:
 * - `waiting`: not started yet (another backfill holds its Region, or the registry's 10 are taken);
 * - `running`: a backfill is on (`status` says which stage);
 * - `ended`: the backfill reached `COMPLETE`, `FAILED` or `STOPPED`;
 * - `error`: it could not be started or followed (`error` says why).
 */
export type BackfillPhase = 'waiting' | 'running' | 'ended' | 'error';

export interface BackfillState extends BackfillTarget {
  phase: BackfillPhase;
  backfillId?: string;
  /** The command follows a backfill it did not (knowingly) start: already running, started by someone else, or by a start whose answer was lost. */
  attached: boolean;
  /** ECR's status of the backfill. */
  status?: string;
  progress?: BackfillProgress;
  failureCode?: string;
  /** Why a `waiting` destination waits. */
  waitingFor?: string;
  error?: string;
  failedImages: BackfillImageFailure[];
}

export interface ScheduleOptions {
  readonly backfills: ReplicationBackfills;
  /**
   * The source registry's account: a listed backfill of another registry
   * (credentials of another account) is never attached to.
   * @default - the registry the backfills are read from
   */
  readonly sourceAccount?: string;
  /** Wait until every backfill has ended; `false`: start what can start now and return. */
  readonly wait: boolean;
  /** @default 30 */
  readonly pollSeconds?: number;
  /** @default 10 */
  readonly maxInProgress?: number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Aborted when the user stops waiting (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Called after each round with every destination's state. */
  readonly onUpdate?: (states: readonly BackfillState[]) => void;
}

export interface ScheduleResult {
  readonly states: readonly BackfillState[];
  /** The wait was interrupted: the running backfills go on in AWS. */
  readonly interrupted: boolean;
}

/** Runs the backfills of `targets` (in the order given) and returns how each one ended. */
export async function scheduleBackfills(targets: readonly BackfillTarget[], options: ScheduleOptions): Promise<ScheduleResult> {
  const sleep = options.sleep ?? abortableSleep;
  const maxInProgress = options.maxInProgress ?? MAX_IN_PROGRESS;
  const pollMs = (options.pollSeconds ?? DEFAULT_POLL_SECONDS) * 1000;
  const states: BackfillState[] = targets.map((t) => ({ ...t, phase: 'waiting', attached: false, failedImages: [] }));
  const retry = <T>(fn: () => Promise<T>) => withRetries(fn, sleep, options.signal);

  for (;;) {
    // 1. Where every backfill of the registry stands.
    let listing: BackfillData[];
    try {
      listing = await retry(() => options.backfills.listBackfills());
    } catch (e) {
      if (isAbort(e, options.signal)) return { states, interrupted: true };
      const reason = `cannot list the backfills of the source registry: ${describeAwsError(e)}`;
      for (const s of states) if (s.phase === 'waiting' || s.phase === 'running') Object.assign(s, { phase: 'error', error: reason });
      options.onUpdate?.(states);
      return { states, interrupted: false };
    }
    const running = listing.filter((b) => !isTerminal(b.status));

    // 2. Follow ours; attach to a backfill of this source to this destination that is running
    // (already on at the start, or started since by someone else): never start a second one.
    for (const s of states) {
      if (s.phase === 'waiting') attach(s, running, options.sourceAccount);
      if (s.phase !== 'running' || !s.backfillId) continue;
      const seen = listing.find((b) => b.id === s.backfillId);
      // A backfill just started may not be listed yet: keep what start said.
      if (!seen) continue;
      Object.assign(s, { status: seen.status, progress: seen.progress ?? s.progress, failureCode: seen.failureCode });
      if (isTerminal(seen.status)) {
        s.phase = 'ended';
        if (seen.status === 'FAILED' || (seen.progress?.failed ?? 0) > 0) {
          try {
            s.failedImages = await retry(() => options.backfills.failedBackfillImages(seen.id));
          } catch (e) {
            if (isAbort(e, options.signal)) return { states, interrupted: true };
            s.error = `cannot read the failed images: ${describeAwsError(e)}`;
          }
        }
      }
    }

    // 3. Start what the rules allow, in the order given.
    const busyRegions = new Set(listing.filter((b) => !isTerminal(b.status)).map((b) => b.destination.region));
    for (const s of states) if (s.phase === 'running') busyRegions.add(s.region);
    let inProgress = new Set([
      ...running.map((b) => b.id),
      ...states.filter((s) => s.phase === 'running').map((s) => s.backfillId),
    ]).size;
    for (const s of states.filter((x) => x.phase === 'waiting')) {
      if (inProgress >= maxInProgress) {
        s.waitingFor = `${maxInProgress} backfills are in progress in the source registry (ECR's limit)`;
        continue;
      }
      if (busyRegions.has(s.region)) {
        s.waitingFor = `another backfill to ${s.region} is in progress (ECR runs one per destination Region)`;
        continue;
      }
      try {
        const started = await retry(() => options.backfills.startBackfill(s));
        Object.assign(s, { phase: 'running', backfillId: started.id, status: started.status, waitingFor: undefined });
        busyRegions.add(s.region);
        inProgress++;
      } catch (e) {
        if (isAbort(e, options.signal)) return { states, interrupted: true };
        const name = (e as { name?: string }).name;
        if (name === 'ReplicationBackfillInProgressException') {
          // Started since the listing: by someone else, or by this very call when a retry followed a lost answer.
          busyRegions.add(s.region);
          let now: BackfillData[] | undefined;
          try {
            now = (await retry(() => options.backfills.listBackfills())).filter((b) => !isTerminal(b.status));
          } catch (listError) {
            if (isAbort(listError, options.signal)) return { states, interrupted: true };
          }
          if (now && attach(s, now, options.sourceAccount)) {
            const seen = now.find((b) => b.id === s.backfillId)!;
            Object.assign(s, { status: seen.status, progress: seen.progress, waitingFor: undefined });
            inProgress++;
          } else {
            s.waitingFor = busyBecause(s, now ?? [], options.sourceAccount);
          }
        } else if (name === 'LimitExceededException') {
          inProgress = maxInProgress;
          s.waitingFor = `${maxInProgress} backfills are in progress in the source registry (ECR's limit)`;
        } else {
          Object.assign(s, { phase: 'error', error: `cannot start the backfill: ${describeAwsError(e, s.region)}` });
        }
      }
    }
    options.onUpdate?.(states);

    if (!options.wait) return { states, interrupted: false };
    if (states.every((s) => s.phase === 'ended' || s.phase === 'error')) return { states, interrupted: false };
    if (options.signal?.aborted) return { states, interrupted: true };
    await sleep(pollMs, options.signal);
    if (options.signal?.aborted) return { states, interrupted: true };
  }
}

export function isTerminal(status: string | undefined): boolean {
  return status !== undefined && BACKFILL_TERMINAL_STATUSES.includes(status);
}

function sameDestination(b: BackfillData, t: BackfillTarget): boolean {
  return b.destination.account === t.account && b.destination.region === t.region;
}

/** A listed backfill of another source registry (the listing says whose it is). */
function otherSource(b: BackfillData, sourceAccount?: string): boolean {
  return sourceAccount !== undefined && b.sourceAccount !== undefined && b.sourceAccount !== sourceAccount;
}

/**
 * Follows the latest running backfill of this source to exactly this
 * destination, if any. One being stopped is not followed: its Region frees
 * once it has stopped, and a new one starts then.
 */
function attach(s: BackfillState, running: readonly BackfillData[], sourceAccount?: string): boolean {
  const current = running
    .filter((b) => sameDestination(b, s) && !otherSource(b, sourceAccount) && b.status !== 'STOPPING' && !isTerminal(b.status))
    .sort(byStart)[0];
  if (!current) return false;
  Object.assign(s, { phase: 'running', attached: true, backfillId: current.id });
  return true;
}

/** Why a destination waits after ECR said its Region is busy: whose backfill holds it, as far as the listing tells. */
function busyBecause(s: BackfillTarget, running: readonly BackfillData[], sourceAccount?: string): string {
  const foreign = running.find((b) => b.destination.region === s.region && otherSource(b, sourceAccount));
  if (foreign) {
    return `the backfill ${foreign.id} of another source registry (${foreign.sourceAccount}) to ${foreign.destination.account}-${s.region} holds the Region: `
      + 'not followed, waiting for it to end (ECR runs one per destination Region)';
  }
  const holder = running.find((b) => b.destination.region === s.region);
  if (holder && holder.status === 'STOPPING') {
    return `the backfill ${holder.id} to ${s.region} is stopping; a new one starts once it has stopped (ECR runs one per destination Region)`;
  }
  if (holder) {
    return `the backfill ${holder.id} of this source to ${holder.destination.account}-${s.region} holds the Region (ECR runs one per destination Region)`;
  }
  return `ECR reports a backfill in progress to ${s.region} that this source registry does not list (another registry's, or one not listed yet): `
    + 'waiting for it to end (ECR runs one per destination Region)';
}

function byStart(a: BackfillData, b: BackfillData): number {
  return (b.startedAt?.getTime() ?? 0) - (a.startedAt?.getTime() ?? 0);
}

/** Errors worth another try: throttling, ECR's server errors, timeouts and the network. */
export function isTransient(e: unknown): boolean {
  const err = e as { name?: string; code?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
  const name = `${err?.name ?? ''} ${err?.code ?? ''}`;
  if (/Throttl|TooManyRequests|RequestLimitExceeded|SlowDown|ServerException|ServiceUnavailable|InternalFailure|InternalError/i.test(name)) return true;
  if (/ECONNRESET|ETIMEDOUT|EAI_AGAIN|TimeoutError|EPIPE/i.test(name)) return true;
  return err?.$fault === 'server' || (err?.$metadata?.httpStatusCode ?? 0) >= 500;
}

/** `fn`, tried again after 2, 4, 8... seconds (at most 60) while it fails with a transient error. */
async function withRetries<T>(fn: () => Promise<T>, sleep: (ms: number, signal?: AbortSignal) => Promise<void>, signal?: AbortSignal): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!isTransient(e) || attempt >= MAX_TRANSIENT_ERRORS) throw e;
      await sleep(Math.min(60_000, 1000 * 2 ** attempt), signal);
      if (signal?.aborted) throw new AbortError();
    }
  }
}

class AbortError extends Error {
  constructor() {
    super('interrupted');
    this.name = 'AbortError';
  }
}

function isAbort(e: unknown, signal?: AbortSignal): boolean {
  return e instanceof AbortError || (signal?.aborted ?? false);
}

/** `setTimeout` as a promise that resolves early when `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
