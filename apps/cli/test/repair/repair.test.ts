/**
 * `repair` with fake registries: what it reads and decides (read-only by
 * default), the confirmation, one destination Region at a time, the
 * interruption, the backfill (backfill's own code, with a fake backfill API)
 * and repositories under a namespace.
 */
import { validateTopology } from '@ecr-kms-replication/stacks';
import { runCli } from '../../src/cli';
import { EXIT_BACKFILL_NOT_STARTED, REPAIR_ROLE_NAME } from '../../src/commands/repair';
import { ReplicationBackfills } from '../../src/registry/backfills';
import { BackfillData, ImageSummary, RepositoryData } from '../../src/registry/data';
import { NewRepository, RepositoryAdmin } from '../../src/registry/repositories';
import { assessRepository, missingFromSource } from '../../src/repair/assess';
import { RepairReport, runRepair } from '../../src/repair/repair';
import { Capture, CROSS_ACCOUNT, FakeRegistry, fakeReaders, goodRegistries, keyIn, SAME_ACCOUNT, SOURCE, topology, topologyFile, topologyInput } from '../fixtures';

const MODEL = topology();
const FILE = topologyFile(topologyInput());
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const image = (c: string, tags: string[], status = 'ACTIVE'): ImageSummary => ({ digest: digest(c), tags, status });
const AES = (name: string, imageTagMutability = 'IMMUTABLE'): RepositoryData => ({ name, encryptionType: 'AES256', imageTagMutability });

/** Registries in memory (images of every status in `FakeRegistry.images`): the reader (fixtures) and the repository admin share them. */
class World {
  readonly registries: Record<string, FakeRegistry> = goodRegistries(MODEL);
  readonly writes: string[] = [];
  onDelete?: (id: string, name: string) => void;
  failCreate = false;

  constructor() {
    this.registries[SOURCE.id].images = new Map([['app', [image('a', ['v1']), image('b', ['v2'])]], ['team/api', [image('c', ['v1'])]]]);
  }

  repositoriesFor = (o: { account: string; region: string }): RepositoryAdmin => {
    const id = `${o.account}-${o.region}`;
    const reg = this.registries[id];
    return {
      findImage: async () => undefined,
      replicationStatus: async () => [],
      deleteRepository: async (r) => {
        this.writes.push(`delete ${id} ${r}`);
        this.onDelete?.(id, r);
        reg.repositories!.delete(r);
        reg.images?.delete(r);
      },
      createRepository: async (r: NewRepository) => {
        this.writes.push(`create ${id} ${r.name} ${r.kmsKey} ${r.imageTagMutability} ${JSON.stringify(r.tags)}`);
        if (this.failCreate) throw Object.assign(new Error('boom'), { name: 'KmsException' });
        reg.repositories!.set(r.name, { name: r.name, encryptionType: 'KMS', kmsKey: r.kmsKey, imageTagMutability: r.imageTagMutability });
      },
      putImageTagMutability: async (r, m) => {
        this.writes.push(`tag-mutability ${id} ${r} ${m}`);
        reg.repositories!.set(r, { ...reg.repositories!.get(r)!, imageTagMutability: m });
      },
    };
  };

  /** A destination repository replication created before the destination had its key. */
  aes(id: string, name: string, images: ImageSummary[], mutability = 'IMMUTABLE') {
    this.registries[id].repositories!.set(name, AES(name, mutability));
    (this.registries[id].images ??= new Map()).set(name, images);
  }
}

/** A backfill API in memory: each backfill complete at the next listing; `failStart` makes start fail. */
class FakeBackfills implements ReplicationBackfills {
  readonly started: string[] = [];
  private readonly all: BackfillData[] = [];
  constructor(private readonly failStart?: Error) {}
  async startBackfill(d: { account: string; region: string }): Promise<BackfillData> {
    if (this.failStart) throw this.failStart;
    this.started.push(`${d.account}-${d.region}`);
    const b = { id: `bf-${this.started.length}`, destination: d, status: 'PREPARING' };
    this.all.push(b);
    return b;
  }
  async listBackfills(): Promise<BackfillData[]> {
    return this.all.map((b) => ({ ...b, status: 'COMPLETE', progress: { total: 2, completed: 2, failed: 0, failureCodes: [] } }));
  }
  async failedBackfillImages(): Promise<never[]> {
    return [];
  }
}

async function repair(world: World, args: string[], options: { answer?: string; backfills?: FakeBackfills; interruptOnDelete?: number } = {}) {
  const stdout = new Capture();
  const stderr = new Capture();
  const { readerFor, roles } = fakeReaders(world.registries);
  const backfills = options.backfills ?? new FakeBackfills();
  let interrupt: (() => void) | undefined;
  let deletes = 0;
  if (options.interruptOnDelete !== undefined) {
    world.onDelete = () => { if (++deletes === options.interruptOnDelete) interrupt?.(); };
  }
  const questions: string[] = [];
  const code = await runCli(['repair', '--topology', FILE, ...args], {
    stdout,
    stderr,
    env: {},
    readerFor,
    repositoriesFor: world.repositoriesFor,
    backfillsFor: () => backfills,
    sleep: async () => undefined,
    onInterrupt: (handler) => { interrupt = handler; return () => { interrupt = undefined; }; },
    ...(options.answer !== undefined ? { prompt: async (q: string) => { questions.push(q); return options.answer!; } } : {}),
  });
  const json = args.includes('--json') ? JSON.parse(stdout.text) as RepairReport : undefined;
  return { code, stdout: stdout.text, stderr: stderr.text, json, roles, backfills, questions };
}

/** SAME_ACCOUNT: app AES-256, every image in the source. CROSS_ACCOUNT: team/api on the key but IMMUTABLE (MUTABLE wanted), app AES-256 with an image the source lacks. */
function brokenWorld(): World {
  const world = new World();
  world.aes(SAME_ACCOUNT.id, 'app', [image('a', ['v1']), image('b', ['v2'])]);
  world.registries[CROSS_ACCOUNT.id].repositories!.set('team/api', { name: 'team/api', encryptionType: 'KMS', kmsKey: keyIn(CROSS_ACCOUNT).keyArn, imageTagMutability: 'IMMUTABLE' });
  world.aes(CROSS_ACCOUNT.id, 'app', [image('a', ['v1']), image('z', ['hotfix'])]);
  return world;
}

describe('repair, read-only (the default)', () => {
  test('nothing to repair in a correct deployment: exit 0, read through the repair role; --verbose lists every repository', async () => {
    const verbose = await repair(new World(), ['--verbose']);
    expect(verbose.stdout).toMatch(/^ {2}team\/api +ok +- +KMS with arn:aws:kms:eu-west-1:111111111111:key\/key-111111111111-eu-west-1: nothing to repair$/m);
    const { code, stdout, roles } = await repair(new World(), []);
    expect(code).toBe(0);
    expect(stdout).toContain(`destination ${SAME_ACCOUNT.id} (current credentials): nothing to repair`);
    expect(stdout).toContain('OK: 0 to rebuild, 0 tag mutability to fix, 0 refused, 0 errors in 2 destinations');
    expect(roles).toContain(`arn:aws:iam::${CROSS_ACCOUNT.account}:role/${REPAIR_ROLE_NAME.replace('{region}', CROSS_ACCOUNT.region)}`);
  });

  test('lists what it would do per repository, with images and why one is refused: exit 1, nothing written', async () => {
    const world = brokenWorld();
    const { code, stdout, json } = await repair(world, ['--json']);
    expect(code).toBe(1);
    expect(world.writes).toEqual([]);
    expect(json!.destinations.map((d) => d.repositories.map((r) => [r.name, r.action, r.images.length]))).toEqual([
      [['app', 'rebuild', 2], ['team/api', 'none', 0]],
      [['app', 'refused', 2], ['team/api', 'fix-tag-mutability', 0]],
    ]);
    expect(json!.destinations[1].repositories[0].missingFromSource).toEqual([{ digest: digest('z'), tags: ['hotfix'], what: 'image', missingTags: ['hotfix'] }]);
    expect(stdout.startsWith('{')).toBe(true);
  });

  test('the table says what repair does, how to copy what the source lacks, how long pulls fail, and the topology change', async () => {
    const { stdout } = await repair(brokenWorld(), []);
    expect(stdout).toContain('Read-only: nothing is changed without --execute.');
    expect(stdout).toContain(`  app images: v1 (${'a'.repeat(12)}), v2 (${'b'.repeat(12)})`);
    expect(stdout).toMatch(/^ {2}app +REBUILD +2 +AES256, not alias\/ecr-kms-replication; every one of its 2 image\(s\) is in the source: delete, recreate with alias\/ecr-kms-replication, backfill$/m);
    expect(stdout).toMatch(/^ {2}team\/api +FIX TAG MUTABILITY +- +tag mutability IMMUTABLE, not MUTABLE: set in place \(PutImageTagMutability\)$/m);
    expect(stdout).toContain('app is left in place: the source lacks what follows; copy it there first, then run repair again:');
    expect(stdout).toContain(`crane copy 222222222222.dkr.ecr.eu-central-1.amazonaws.com/app@${digest('z')} 111111111111.dkr.ecr.us-east-1.amazonaws.com/app:hotfix`);
    expect(stdout).toContain(`  - ${SAME_ACCOUNT.id}: app (2 image(s) to backfill)`);
    expect(stdout).toContain(['repositories:', '  - name: app', `    existing: [${SAME_ACCOUNT.id}]`].join('\n'));
    expect(stdout).toContain('NOT OK: 1 to rebuild, 1 tag mutability to fix, 1 refused, 0 errors in 2 destinations');
  });

  test('--destination limits it; an unknown one is a usage error', async () => {
    const { json } = await repair(brokenWorld(), ['--destination', SAME_ACCOUNT.id, '--json']);
    expect(json!.destinations.map((d) => d.id)).toEqual([SAME_ACCOUNT.id]);
    const unknown = await repair(brokenWorld(), ['--destination', '999999999999-eu-west-1']);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('not a destination of the topology')]);
  });
});

describe('repair --execute', () => {
  test('without a terminal and without --yes: exit 2 before reading anything', async () => {
    const world = brokenWorld();
    const { code, stderr, roles } = await repair(world, ['--execute']);
    expect(code).toBe(2);
    expect(stderr).toContain('there is no terminal: add --yes');
    expect(roles).toEqual([]);
    expect(world.writes).toEqual([]);
  });

  test('a tag mutability to set needs no confirmation: nothing is deleted', async () => {
    const world = new World();
    world.registries[CROSS_ACCOUNT.id].repositories!.set('team/api', { name: 'team/api', encryptionType: 'KMS', kmsKey: keyIn(CROSS_ACCOUNT).keyArn, imageTagMutability: 'IMMUTABLE' });
    const { code, questions } = await repair(world, ['--execute'], { answer: 'no' });
    expect([code, questions, world.writes]).toEqual([0, [], [`tag-mutability ${CROSS_ACCOUNT.id} team/api MUTABLE`]]);
  });

  test('asks for a typed confirmation; a wrong answer changes nothing: exit 1', async () => {
    const world = brokenWorld();
    const { code, stdout, questions } = await repair(world, ['--execute'], { answer: 'yes' });
    expect(questions).toEqual(['This deletes and recreates 1 repositories (their images come back from the source). Type "repair 1" to go on: ']);
    expect(code).toBe(1);
    expect(world.writes).toEqual([]);
    expect(stdout).toContain('Not confirmed: nothing was changed.');
  });

  test('confirmed: recreates right after deleting, with the key and the topology\'s settings, one Region at a time; refused left in place', async () => {
    const world = brokenWorld();
    const { code, json, backfills } = await repair(world, ['--execute', '--json'], { answer: 'repair 1' });
    const tags = JSON.stringify({ ManagedBy: 'ecr-kms-replication' });
    expect(world.writes).toEqual([
      `delete ${SAME_ACCOUNT.id} app`,
      `create ${SAME_ACCOUNT.id} app ${keyIn(SAME_ACCOUNT).keyArn} IMMUTABLE ${tags}`,
      `tag-mutability ${CROSS_ACCOUNT.id} team/api MUTABLE`,
    ]);
    expect(world.registries[CROSS_ACCOUNT.id].repositories!.get('app')).toEqual(AES('app'));
    // The backfill of backfill's own code, for the rebuilt destination only.
    expect(backfills.started).toEqual([SAME_ACCOUNT.id]);
    expect(json!.backfillStep).toBe('complete');
    expect(json!.destinations.map((d) => d.repositories.map((r) => [r.name, r.state ?? '-']))).toEqual([
      [['app', 'recreated'], ['team/api', '-']],
      [['app', 'unchanged'], ['team/api', 'fixed']],
    ]);
    // The refused repository is still to repair.
    expect(code).toBe(1);
  });

  test('--yes: everything rebuilt and backfilled: exit 0, with the backfill\'s report and the topology change', async () => {
    const world = new World();
    world.aes(SAME_ACCOUNT.id, 'app', [image('a', ['v1'])]);
    const { code, stdout } = await repair(world, ['--execute', '--yes']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^111111111111-eu-west-1 +COMPLETE +- +2 +0 +2 +bf-1 +COMPLETE: 2\/2 replicated, 0 failed$/m);
    expect(stdout).toContain(`    existing: [${SAME_ACCOUNT.id}]`);
    expect(stdout).toContain('OK: 1 rebuilt, 0 fixed, 0 refused, 0 failed, 0 not done, 0 errors; backfill complete');
  });

  test('the backfill cannot start (no backfill API): its own exit code, the repair still holds', async () => {
    const world = new World();
    world.aes(SAME_ACCOUNT.id, 'app', [image('a', ['v1'])]);
    const unsupported = Object.assign(new Error('not supported'), { name: 'UnsupportedOperationException' });
    const { code, stdout } = await repair(world, ['--execute', '--yes'], { backfills: new FakeBackfills(unsupported) });
    expect(code).toBe(EXIT_BACKFILL_NOT_STARTED);
    expect(world.registries[SAME_ACCOUNT.id].repositories!.get('app')!.kmsKey).toBe(keyIn(SAME_ACCOUNT).keyArn);
    expect(stdout).toContain(`The backfill could not be started: the rebuilt repositories stay empty until it runs: ecr-kms-replication backfill --destination ${SAME_ACCOUNT.id}`);
  });

  test('interrupted: finishes the repository under way, says where each one stands and the command that continues', async () => {
    const world = new World();
    world.aes(SAME_ACCOUNT.id, 'app', [image('a', ['v1'])]);
    world.aes(CROSS_ACCOUNT.id, 'app', [image('a', ['v1'])]);
    const { code, stdout, backfills } = await repair(world, ['--execute', '--yes'], { interruptOnDelete: 1 });
    expect(code).toBe(1);
    expect(world.writes.map((w) => w.split(' ').slice(0, 3).join(' '))).toEqual([`delete ${SAME_ACCOUNT.id} app`, `create ${SAME_ACCOUNT.id} app`]);
    expect(backfills.started).toEqual([]);
    expect(stdout).toMatch(/^ {2}app +REBUILD +1 +recreated +/m);
    expect(stdout).toMatch(/^ {2}app +REBUILD +1 +unchanged +/m);
    expect(stdout).toContain('Interrupted between two repositories: none is left deleted.');
    expect(stdout).toContain(`Continue with: ecr-kms-replication repair --execute --destination ${CROSS_ACCOUNT.id}`);
    expect(stdout).toContain(`The rebuilt repositories are empty until: ecr-kms-replication backfill --destination ${SAME_ACCOUNT.id}`);
  });

  test('a recreation that fails after the delete is said loudly, with the command that creates it; nothing more is deleted, no backfill', async () => {
    const world = new World();
    world.aes(SAME_ACCOUNT.id, 'app', [image('a', ['v1'])]);
    world.aes(SAME_ACCOUNT.id, 'team/api', [image('c', ['v1'])], 'MUTABLE');
    world.failCreate = true;
    const { code, stdout, backfills } = await repair(world, ['--execute', '--yes']);
    expect(code).toBe(1);
    expect(world.writes.filter((w) => w.startsWith('delete'))).toEqual([`delete ${SAME_ACCOUNT.id} app`]);
    expect(backfills.started).toEqual([]);
    expect(stdout).toContain(`Stopped: app in ${SAME_ACCOUNT.id} was deleted and could not be recreated; no other repository was deleted`);
    expect(stdout).toContain(`app in ${SAME_ACCOUNT.id} is DELETED and not recreated`);
    expect(stdout).toContain(`aws ecr create-repository --region eu-west-1 --repository-name app --encryption-configuration encryptionType=KMS,kmsKey=${keyIn(SAME_ACCOUNT).keyArn} --image-tag-mutability IMMUTABLE`);
  });
});

describe('repair and namespaces', () => {
  test('repositories that exist under a namespace routed to a destination are repaired there, and only those', async () => {
    const base = validateTopology(topologyInput(), 'test');
    const model = { ...base, namespaces: [{ prefix: 'team-c', destinations: [CROSS_ACCOUNT.id], imageTagMutability: 'MUTABLE' as const }] };
    const world = new World();
    world.registries[SOURCE.id].repositories!.set('team-c/web', { name: 'team-c/web', encryptionType: 'KMS', imageTagMutability: 'MUTABLE' });
    world.registries[SOURCE.id].images!.set('team-c/web', [image('w', ['v1'])]);
    world.aes(CROSS_ACCOUNT.id, 'team-c/web', [image('w', ['v1'])]);
    world.aes(CROSS_ACCOUNT.id, 'team-cd/other', [image('x', ['v1'])]);
    world.aes(SAME_ACCOUNT.id, 'team-c/web', [image('w', ['v1'])]);
    const { readerFor } = fakeReaders(world.registries);
    const report = await runRepair(model, {
      execute: true,
      sourceRoleName: 'backfill',
      destinationRoleName: 'lookup',
      concurrency: 2,
      assumeRole: 'other-accounts',
      roleName: 'repair',
      stsRegion: 'us-east-1',
      readerFor,
      repositoriesFor: world.repositoriesFor,
      backfillsFor: () => new FakeBackfills(),
      sleep: async () => undefined,
    });
    expect(report.destinations.map((d) => d.repositories.map((r) => [r.name, r.origin.kind, r.action, r.state ?? '-']))).toEqual([
      [['app', 'listed', 'none', '-'], ['team/api', 'listed', 'none', '-']],
      [['app', 'listed', 'none', '-'], ['team/api', 'listed', 'none', '-'], ['team-c/web', 'namespace', 'rebuild', 'recreated']],
    ]);
    expect(world.writes[1]).toContain(`create ${CROSS_ACCOUNT.id} team-c/web ${keyIn(CROSS_ACCOUNT).keyArn} MUTABLE`);
    expect(report.ok).toBe(true);
  });
});

describe('what the source must hold before a repository is deleted', () => {
  const key = keyIn(SAME_ACCOUNT);
  const expected = { name: 'app', origin: { kind: 'listed' as const }, imageTagMutability: 'IMMUTABLE' as const, scanOnPush: true };

  test('every image by digest, active, with every tag', () => {
    const here = [image('a', ['v1', 'latest']), image('b', []), image('c', ['old'])];
    expect(missingFromSource(here, [image('a', ['v1']), image('b', ['x']), image('c', ['old'], 'ARCHIVED')])).toEqual([
      { digest: digest('a'), tags: ['v1', 'latest'], what: 'tags', missingTags: ['latest'] },
      { digest: digest('c'), tags: ['old'], what: 'archived', missingTags: [] },
    ]);
    expect(missingFromSource(here, undefined).map((m) => m.what)).toEqual(['image', 'image', 'image']);
    // An archived image here counts like any other.
    expect(missingFromSource([image('a', ['v1'], 'ARCHIVED')], [image('a', ['v1'])])).toEqual([]);
  });

  test('adopted repositories keep any KMS key; AES-256 is rebuilt even when adopted; another key is rebuilt when not adopted', () => {
    const other = { name: 'app', encryptionType: 'KMS', kmsKey: 'arn:aws:kms:eu-west-1:111111111111:key/other', imageTagMutability: 'IMMUTABLE' };
    const assess = (repository: RepositoryData, adopted: boolean) =>
      assessRepository({ expected, repository, key, alias: 'alias/ecr-kms-replication', adopted, images: [], sourceImages: [] }).action;
    expect(assess(other, true)).toBe('none');
    expect(assess(other, false)).toBe('rebuild');
    expect(assess(AES('app'), true)).toBe('rebuild');
    expect(assess({ ...other, kmsKey: 'alias/ecr-kms-replication' }, false)).toBe('none');
  });
});
