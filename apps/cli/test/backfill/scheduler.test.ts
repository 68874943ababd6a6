import { BackfillState, BackfillTarget, MAX_IN_PROGRESS, scheduleBackfills } from '../../src/backfill/scheduler';
import { ReplicationBackfills } from '../../src/registry/backfills';
import { BackfillData, BackfillImageFailure } from '../../src/registry/data';

const SOURCE = '111111111111';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function target(account: string, region: string): BackfillTarget {
  return { id: `${account}-${region}`, account, region };
}

/**
 * A source registry in memory: a started backfill takes `rounds` listings to
 * end (PREPARING, IN_PROGRESS..., then COMPLETE), with `failed` failed images.
 * It enforces ECR's rules: one in progress per destination Region, at most 10.
 */
class FakeRegistry implements ReplicationBackfills {
  readonly backfills: (Mutable<BackfillData> & { left: number; failures: BackfillImageFailure[]; endAs: string })[] = [];
  readonly started: string[] = [];
  /** Errors thrown by the next calls of each method, in order. */
  readonly errors: { start: Error[]; list: Error[] } = { start: [], list: [] };
  /** Starts that succeed in ECR but whose answer is lost (the call fails with this transient error). */
  readonly lostAnswers: Error[] = [];
  /** The most in progress at once. */
  peak = 0;
  private next = 1;

  constructor(private readonly plan: Record<string, { rounds?: number; failed?: BackfillImageFailure[]; endAs?: string }> = {}) {}

  /** A backfill that is already running (started by someone else, or an earlier run). */
  running(account: string, region: string, rounds = 1, status = 'IN_PROGRESS', sourceAccount?: string): string {
    const id = `existing-${this.next++}`;
    this.backfills.push({ id, ...(sourceAccount ? { sourceAccount } : {}), destination: { account, region }, status, left: rounds, failures: [], endAs: status === 'STOPPING' ? 'STOPPED' : 'COMPLETE', startedAt: new Date(0) });
    return id;
  }

  async startBackfill(d: { account: string; region: string }): Promise<BackfillData> {
    const error = this.errors.start.shift();
    if (error) throw error;
    const lost = this.lostAnswers.shift();
    if (lost) {
      await this.startBackfill(d);
      throw lost;
    }
    const active = this.backfills.filter((b) => !['COMPLETE', 'FAILED', 'STOPPED'].includes(b.status));
    if (active.some((b) => b.destination.region === d.region)) throw named('ReplicationBackfillInProgressException');
    if (active.length >= 10) throw named('LimitExceededException');
    const plan = this.plan[`${d.account}-${d.region}`] ?? {};
    const id = `bf-${this.next++}`;
    this.backfills.push({
      id, destination: d, status: 'PREPARING', left: plan.rounds ?? 1, failures: plan.failed ?? [], endAs: plan.endAs ?? 'COMPLETE', startedAt: new Date(),
    });
    this.started.push(`${d.account}-${d.region}`);
    this.peak = Math.max(this.peak, active.length + 1);
    return { id, destination: d, status: 'PREPARING' };
  }

  async listBackfills(): Promise<BackfillData[]> {
    const error = this.errors.list.shift();
    if (error) throw error;
    // Each listing moves every running backfill one step on.
    for (const b of this.backfills) {
      if (['COMPLETE', 'FAILED', 'STOPPED'].includes(b.status)) continue;
      if (b.left-- > 0) {
        b.status = b.status === 'STOPPING' ? 'STOPPING' : 'IN_PROGRESS';
        b.progress = { total: 4, completed: 1, failed: 0, failureCodes: [] };
      } else {
        b.status = b.endAs;
        b.progress = { total: 4, completed: 4 - b.failures.length, failed: b.failures.length, failureCodes: [...new Set(b.failures.map((f) => f.failureCode ?? ''))] };
        b.endedAt = new Date();
      }
    }
    return this.backfills.map(({ left, failures, endAs, ...b }) => ({ ...b }));
  }

  async failedBackfillImages(id: string): Promise<BackfillImageFailure[]> {
    return this.backfills.find((b) => b.id === id)?.failures ?? [];
  }
}

function named(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(name), { name, ...extra });
}

async function run(targets: BackfillTarget[], registry: FakeRegistry, extra: Partial<Parameters<typeof scheduleBackfills>[1]> = {}) {
  const sleeps: number[] = [];
  const updates: string[][] = [];
  const result = await scheduleBackfills(targets, {
    backfills: registry,
    wait: true,
    sleep: async (ms) => { sleeps.push(ms); },
    onUpdate: (states) => updates.push(states.map((s) => `${s.id} ${s.phase} ${s.status ?? ''}`.trim())),
    ...extra,
  });
  return { ...result, sleeps, updates, byId: new Map(result.states.map((s) => [s.id, s] as [string, BackfillState])) };
}

describe('scheduleBackfills', () => {
  test('destinations in the same Region run one after another, other Regions at once', async () => {
    const registry = new FakeRegistry({ '222222222222-eu-west-1': { rounds: 2 } });
    const { states, updates } = await run([
      target('222222222222', 'eu-west-1'),
      target('333333333333', 'eu-west-1'),
      target(SOURCE, 'us-west-2'),
    ], registry);
    expect(states.map((s) => [s.id, s.phase, s.status])).toEqual([
      ['222222222222-eu-west-1', 'ended', 'COMPLETE'],
      ['333333333333-eu-west-1', 'ended', 'COMPLETE'],
      ['111111111111-us-west-2', 'ended', 'COMPLETE'],
    ]);
    // Round 1 starts the first eu-west-1 destination and us-west-2; the second eu-west-1 one waits.
    expect(updates[0]).toEqual(['222222222222-eu-west-1 running PREPARING', '333333333333-eu-west-1 waiting', '111111111111-us-west-2 running PREPARING']);
    expect(registry.started).toEqual(['222222222222-eu-west-1', '111111111111-us-west-2', '333333333333-eu-west-1']);
    expect(states[1].waitingFor).toBeUndefined();
  });

  test('never more than 10 in progress in the registry, counting backfills it did not start', async () => {
    const registry = new FakeRegistry();
    registry.running('999999999999', 'sa-east-1', 3);
    const regions = ['us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1',
      'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-southeast-1'];
    const { states, updates } = await run(regions.map((r) => target('222222222222', r)), registry);
    expect(registry.peak).toBeLessThanOrEqual(MAX_IN_PROGRESS);
    expect(updates[0].filter((u) => u.includes('running'))).toHaveLength(MAX_IN_PROGRESS - 1);
    expect(states.every((s) => s.status === 'COMPLETE')).toBe(true);
    expect(states.find((s) => s.region === 'ap-southeast-1')).toMatchObject({ attached: false, phase: 'ended' });
  });

  test('a backfill already running for a destination is followed, not restarted', async () => {
    const registry = new FakeRegistry();
    const existing = registry.running('222222222222', 'eu-west-1', 2);
    const { byId } = await run([target('222222222222', 'eu-west-1')], registry);
    expect(registry.started).toEqual([]);
    expect(byId.get('222222222222-eu-west-1')).toMatchObject({ backfillId: existing, attached: true, phase: 'ended', status: 'COMPLETE' });
  });

  test('a backfill being stopped is not followed: a new one starts once it has stopped', async () => {
    const registry = new FakeRegistry();
    registry.running('222222222222', 'eu-west-1', 1, 'STOPPING');
    const { byId } = await run([target('222222222222', 'eu-west-1')], registry);
    expect(registry.started).toEqual(['222222222222-eu-west-1']);
    expect(byId.get('222222222222-eu-west-1')).toMatchObject({ attached: false, status: 'COMPLETE' });
  });

  test('polls until every backfill has ended, sleeping the poll interval between rounds', async () => {
    const registry = new FakeRegistry({ '222222222222-eu-west-1': { rounds: 3 } });
    const { sleeps, updates } = await run([target('222222222222', 'eu-west-1')], registry, { pollSeconds: 7 });
    expect(sleeps).toEqual([7000, 7000, 7000, 7000]);
    expect(updates.map((u) => u[0])).toEqual([
      '222222222222-eu-west-1 running PREPARING',
      '222222222222-eu-west-1 running IN_PROGRESS',
      '222222222222-eu-west-1 running IN_PROGRESS',
      '222222222222-eu-west-1 running IN_PROGRESS',
      '222222222222-eu-west-1 ended COMPLETE',
    ]);
  });

  test('failed images are read once the backfill has ended, with their failure code', async () => {
    const failed = [{ repository: 'app', digest: 'sha256:abc', tag: 'v1', failureCode: 'KMS_ACCESS_DENIED' }];
    const registry = new FakeRegistry({ '222222222222-eu-west-1': { failed }, '222222222222-us-west-2': { endAs: 'FAILED' } });
    const { byId } = await run([target('222222222222', 'eu-west-1'), target('222222222222', 'us-west-2')], registry);
    expect(byId.get('222222222222-eu-west-1')).toMatchObject({ status: 'COMPLETE', failedImages: failed, progress: { failed: 1, failureCodes: ['KMS_ACCESS_DENIED'] } });
    expect(byId.get('222222222222-us-west-2')).toMatchObject({ status: 'FAILED', phase: 'ended' });
  });

  test('throttling and server errors are retried with growing pauses', async () => {
    const registry = new FakeRegistry();
    registry.errors.list.push(named('ThrottlingException'), named('ServerException', { $fault: 'server' }));
    registry.errors.start.push(named('TooManyRequestsException'));
    const { byId, sleeps } = await run([target('222222222222', 'eu-west-1')], registry, { pollSeconds: 30 });
    expect(byId.get('222222222222-eu-west-1')).toMatchObject({ phase: 'ended', status: 'COMPLETE' });
    expect(sleeps.slice(0, 3)).toEqual([2000, 4000, 2000]);
  });

  test('a destination ECR refuses to backfill is an error; the others go on', async () => {
    const registry = new FakeRegistry();
    registry.errors.start.push(named('ValidationException', { message: 'destination not in the replication configuration' }));
    const { byId } = await run([target('222222222222', 'eu-west-1'), target('222222222222', 'us-west-2')], registry);
    expect(byId.get('222222222222-eu-west-1')).toMatchObject({ phase: 'error', error: expect.stringContaining('cannot start the backfill: ValidationException') });
    expect(byId.get('222222222222-us-west-2')).toMatchObject({ phase: 'ended', status: 'COMPLETE' });
  });

  test('ReplicationBackfillInProgressException and LimitExceededException make the destination wait, not fail', async () => {
    const registry = new FakeRegistry();
    registry.errors.start.push(named('ReplicationBackfillInProgressException'), named('LimitExceededException'));
    const { byId, updates } = await run([target('222222222222', 'eu-west-1'), target('222222222222', 'us-west-2')], registry);
    expect(updates[0]).toEqual(['222222222222-eu-west-1 waiting', '222222222222-us-west-2 waiting']);
    expect([...byId.values()].map((s) => s.status)).toEqual(['COMPLETE', 'COMPLETE']);
  });

  test('without waiting, starts what the rules allow and returns the others as waiting', async () => {
    const registry = new FakeRegistry();
    const { states, sleeps } = await run([target('222222222222', 'eu-west-1'), target('333333333333', 'eu-west-1')], registry, { wait: false });
    expect(states.map((s) => [s.phase, s.backfillId])).toEqual([['running', 'bf-1'], ['waiting', undefined]]);
    expect(states[1].waitingFor).toContain('another backfill to eu-west-1 is in progress');
    expect(sleeps).toEqual([]);
  });

  test('an interruption stops the wait and leaves the backfills running', async () => {
    const registry = new FakeRegistry({ '222222222222-eu-west-1': { rounds: 100 } });
    const interrupt = new AbortController();
    let rounds = 0;
    const result = await scheduleBackfills([target('222222222222', 'eu-west-1')], {
      backfills: registry,
      wait: true,
      signal: interrupt.signal,
      sleep: async () => { if (++rounds === 2) interrupt.abort(); },
    });
    expect(result.interrupted).toBe(true);
    expect(result.states[0]).toMatchObject({ phase: 'running', backfillId: 'bf-1', status: 'IN_PROGRESS' });
    expect(rounds).toBe(2);
  });

  test('a registry that cannot be listed ends every destination in an error', async () => {
    const registry = new FakeRegistry();
    registry.errors.list.push(named('AccessDeniedException', { message: 'not authorized to perform: ecr:ListReplicationBackfills' }));
    const { states } = await run([target('222222222222', 'eu-west-1')], registry);
    expect(states[0]).toMatchObject({ phase: 'error', error: expect.stringContaining('cannot list the backfills of the source registry: access denied') });
  });

  describe('StartReplicationBackfill has no idempotency token: never a second backfill to one destination', () => {
    // Errors of StartReplicationBackfill in the ECR API model (@aws-sdk/client-ecr 3.1169): ReplicationBackfillInProgressException
    // ("already in progress for the specified destination Region"), LimitExceededException, ServerException, ValidationException.
    test('a start whose answer was lost: the retry meets ReplicationBackfillInProgressException and follows the backfill it started', async () => {
      const registry = new FakeRegistry({ '222222222222-eu-west-1': { rounds: 2 } });
      registry.lostAnswers.push(named('ServerException', { $fault: 'server' }));
      const { byId } = await run([target('222222222222', 'eu-west-1')], registry);
      expect(registry.started).toEqual(['222222222222-eu-west-1']);
      expect(byId.get('222222222222-eu-west-1')).toMatchObject({ backfillId: 'bf-1', attached: true, phase: 'ended', status: 'COMPLETE' });
    });

    test('a person starts the same destination while it waits for its Region: followed, not started again', async () => {
      const registry = new FakeRegistry({ '222222222222-eu-west-1': { rounds: 1 } });
      let round = 0;
      let theirs = '';
      const { byId } = await run([target('222222222222', 'eu-west-1'), target('333333333333', 'eu-west-1')], registry, {
        sleep: async () => {
          // Between two rounds, someone else starts 333333333333-eu-west-1 (it runs for 3 listings).
          if (++round === 1) theirs = registry.running('333333333333', 'eu-west-1', 3);
        },
      });
      expect(registry.started).toEqual(['222222222222-eu-west-1']);
      expect(byId.get('333333333333-eu-west-1')).toMatchObject({ backfillId: theirs, attached: true, phase: 'ended', status: 'COMPLETE' });
    });

    test('ReplicationBackfillInProgressException with a backfill of this source to another account in the Region: waits and says whose', async () => {
      const registry = new FakeRegistry();
      const { states } = await run([target('222222222222', 'eu-west-1')], registry, {
        wait: false,
        // Started by someone between the listing and the start.
        backfills: Object.assign(Object.create(registry), {
          startBackfill: async () => {
            registry.running('333333333333', 'eu-west-1', 3);
            throw named('ReplicationBackfillInProgressException');
          },
        }),
      });
      expect(states[0]).toMatchObject({ phase: 'waiting', attached: false });
      expect(states[0].waitingFor).toMatch(/^the backfill existing-\d of this source to 333333333333-eu-west-1 holds the Region/);
    });

    test('a running backfill of another source registry to the same destination is never followed: wait, and say why', async () => {
      const registry = new FakeRegistry();
      registry.running('222222222222', 'eu-west-1', 2, 'IN_PROGRESS', '999999999999');
      const first = await run([target('222222222222', 'eu-west-1')], registry, {
        wait: false,
        sourceAccount: SOURCE,
        backfills: Object.assign(Object.create(registry), { startBackfill: async () => { throw named('ReplicationBackfillInProgressException'); } }),
      });
      expect(first.states[0]).toMatchObject({ phase: 'waiting', attached: false });
      // Known busy from the listing: it is not even tried, and the reason is the Region's.
      expect(first.states[0].waitingFor).toContain('another backfill to eu-west-1 is in progress');

      const registry2 = new FakeRegistry();
      const later = await run([target('222222222222', 'eu-west-1')], registry2, {
        wait: false,
        sourceAccount: SOURCE,
        backfills: Object.assign(Object.create(registry2), {
          startBackfill: async () => {
            registry2.running('222222222222', 'eu-west-1', 2, 'IN_PROGRESS', '999999999999');
            throw named('ReplicationBackfillInProgressException');
          },
        }),
      });
      expect(later.states[0]).toMatchObject({ phase: 'waiting', attached: false });
      expect(later.states[0].backfillId).toBeUndefined();
      expect(later.states[0].waitingFor).toMatch(/of another source registry \(999999999999\) to 222222222222-eu-west-1 holds the Region: not followed/);
    });

    test('ReplicationBackfillInProgressException with nothing listed in the Region: waits, saying the registry does not list it', async () => {
      const registry = new FakeRegistry();
      registry.errors.start.push(named('ReplicationBackfillInProgressException'));
      const { states } = await run([target('222222222222', 'eu-west-1')], registry, { wait: false });
      expect(states[0].waitingFor).toContain('ECR reports a backfill in progress to eu-west-1 that this source registry does not list');
    });
  });
});
