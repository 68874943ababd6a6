/**
 * Runs replication backfills to many destinations within ECR's rules: at
 * most one backfill in progress per destination Region, at most
 * {@link MAX_IN_PROGRESS} in progress per registry. A destination that
 * already has a backfill running is attached to, not restarted. Each round
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
  /** The backfill was already running when the command started. */
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

  let first = true;
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

    // 2. Follow ours; on the first round, attach to those already running.
    for (const s of states) {
      if (first && s.phase === 'waiting') {
        // A backfill being stopped is not attached to: its Region frees once it has stopped.
        const current = running.filter((b) => sameDestination(b, s) && b.status !== 'STOPPING').sort(byStart)[0];
        if (current) Object.assign(s, { phase: 'running', attached: true, backfillId: current.id });
      }
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
    first = false;

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
          // Started by someone else since the listing: wait for it.
          busyRegions.add(s.region);
          s.waitingFor = `another backfill to ${s.region} is in progress (ECR runs one per destination Region)`;
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
