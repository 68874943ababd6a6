/**
 * `wait` with fake registries: ECR's replication statuses (IN_PROGRESS,
 * COMPLETE, FAILED: the SDK's `ReplicationStatus`), the fall-back to the
 * destinations when the status API does not answer, ECR's errors
 * (ImageNotFoundException, RepositoryNotFoundException, ValidationException,
 * AccessDeniedException), the timeout on a fake clock, and usage errors.
 */
import { ReplicationStatus } from '@aws-sdk/client-ecr';
import { runCli } from '../../src/cli';
import { ImageSummary } from '../../src/registry/data';
import { ReplicationStatusData, RepositoryAdmin } from '../../src/registry/repositories';
import { destinationsOfRepository } from '../../src/registry/routed';
import { parseImageReference, REPLICATION_STATUSES, WaitReport, waitForImage } from '../../src/wait/wait';
import { Capture, CROSS_ACCOUNT, fakeReaders, goodRegistries, SAME_ACCOUNT, SOURCE, topology, topologyFile, topologyInput } from '../fixtures';

const MODEL = topology();
const FILE = topologyFile(topologyInput());
const DIGEST = `sha256:${'a'.repeat(64)}`;

const awsError = (name: string, httpStatusCode = 400) => Object.assign(new Error(`${name}: from the fake`), { name, $metadata: { httpStatusCode } });

interface FakeOptions {
  /** The source's answers to DescribeImageReplicationStatus, one per round (the last one repeats), or an error. */
  readonly statuses?: (ReplicationStatusData[] | Error)[];
  /** Images by registry id, then repository. */
  readonly images?: Record<string, Record<string, ImageSummary[]>>;
  /** Errors of findImage by registry id. */
  readonly findErrors?: Record<string, Error>;
}

function fakeAdmins(options: FakeOptions) {
  const calls: string[] = [];
  let round = 0;
  const repositoriesFor = (o: { account: string; region: string }): RepositoryAdmin => {
    const id = `${o.account}-${o.region}`;
    return {
      findImage: async (r, image) => {
        calls.push(`findImage ${id} ${r} ${image.tag ?? image.digest}`);
        if (options.findErrors?.[id]) throw options.findErrors[id];
        const images = options.images?.[id]?.[r];
        if (!images) throw awsError('RepositoryNotFoundException');
        return images.find((i) => (image.tag ? i.tags.includes(image.tag) : i.digest === image.digest));
      },
      replicationStatus: async () => {
        calls.push(`replicationStatus ${id}`);
        const answers = options.statuses ?? [];
        const answer = answers[Math.min(round++, answers.length - 1)];
        if (answer instanceof Error) throw answer;
        return answer ?? [];
      },
      deleteRepository: async () => { throw new Error('not in wait'); },
      createRepository: async () => { throw new Error('not in wait'); },
      putImageTagMutability: async () => { throw new Error('not in wait'); },
    };
  };
  return { repositoriesFor, calls };
}

const status = (d: { account: string; region: string }, s: ReplicationStatus, failureCode?: string): ReplicationStatusData =>
  ({ region: d.region, registryId: d.account, status: s, ...(failureCode ? { failureCode } : {}) });

const sourceImages = { [SOURCE.id]: { app: [{ digest: DIGEST, tags: ['v1'], status: 'ACTIVE' }] } };

async function wait(args: string[], fake: FakeOptions, options: { isTTY?: boolean } = {}) {
  const stdout = new Capture();
  const stderr = new Capture(options.isTTY);
  const { readerFor, roles } = fakeReaders(goodRegistries(MODEL));
  const admins = fakeAdmins(fake);
  let clock = 0;
  const code = await runCli(['wait', '--topology', FILE, ...args], {
    stdout,
    stderr,
    env: {},
    readerFor,
    repositoriesFor: admins.repositoriesFor,
    now: () => clock,
    sleep: async (ms) => { clock += ms; },
  });
  const json = args.includes('--json') ? JSON.parse(stdout.text) as WaitReport : undefined;
  return { code, stdout: stdout.text, stderr: stderr.text, json, calls: admins.calls, roles, seconds: clock / 1000 };
}

describe('wait', () => {
  test('the SDK\'s replication statuses are the ones handled', () => {
    expect([...REPLICATION_STATUSES].sort()).toEqual(Object.values(ReplicationStatus).sort());
  });

  test('resolves the tag once, then follows IN_PROGRESS until COMPLETE everywhere: exit 0', async () => {
    const { code, json, calls } = await wait(['--image', 'app:v1', '--json'], {
      images: sourceImages,
      statuses: [
        [status(SAME_ACCOUNT, 'IN_PROGRESS')],
        [status(SAME_ACCOUNT, 'COMPLETE'), status(CROSS_ACCOUNT, 'IN_PROGRESS')],
        [status(SAME_ACCOUNT, 'COMPLETE'), status(CROSS_ACCOUNT, 'COMPLETE')],
      ],
    });
    expect(code).toBe(0);
    expect(json!.outcome).toBe('complete');
    expect(json!.image).toEqual({ repository: 'app', tag: 'v1', resolvedDigest: DIGEST });
    expect(json!.destinations.map((d) => [d.id, d.state, d.via, d.status])).toEqual([
      [SAME_ACCOUNT.id, 'complete', 'replication-status', 'COMPLETE'],
      [CROSS_ACCOUNT.id, 'complete', 'replication-status', 'COMPLETE'],
    ]);
    // The tag is resolved once; the destinations are never read (source credentials only).
    expect(calls.filter((c) => c.startsWith('findImage'))).toEqual([`findImage ${SOURCE.id} app v1`]);
    expect(calls.filter((c) => c.startsWith('replicationStatus'))).toHaveLength(3);
  });

  test('FAILED names the destination and ECR\'s failure code, and is told from a timeout in --json: exit 1', async () => {
    const { code, json, stdout } = await wait(['--image', `app@${DIGEST}`, '--json'], {
      images: sourceImages,
      statuses: [[status(SAME_ACCOUNT, 'COMPLETE'), status(CROSS_ACCOUNT, 'FAILED', 'KMS_ACCESS_DENIED')]],
    });
    expect(code).toBe(1);
    expect(json!.outcome).toBe('failed');
    expect(json!.destinations[1]).toEqual(expect.objectContaining({ id: CROSS_ACCOUNT.id, state: 'failed', failureCode: 'KMS_ACCESS_DENIED' }));
    expect(stdout).not.toContain('TIMEOUT');
    const text = await wait(['--image', `app@${DIGEST}`], {
      images: sourceImages,
      statuses: [[status(SAME_ACCOUNT, 'COMPLETE'), status(CROSS_ACCOUNT, 'FAILED', 'KMS_ACCESS_DENIED')]],
    });
    expect(text.stdout).toContain(`FAILED: app@${DIGEST} failed to replicate to ${CROSS_ACCOUNT.id} (KMS_ACCESS_DENIED)`);
  });

  test('still IN_PROGRESS (or not reported) at --timeout: exit 1, outcome timeout, naming what is pending', async () => {
    const { code, json, seconds } = await wait(['--image', 'app:v1', '--timeout', '30', '--json'], {
      images: sourceImages,
      statuses: [[status(SAME_ACCOUNT, 'COMPLETE'), status(CROSS_ACCOUNT, 'IN_PROGRESS')]],
    });
    expect(code).toBe(1);
    expect(json!.outcome).toBe('timeout');
    expect(seconds).toBe(30);
    expect(json!.destinations.map((d) => [d.id, d.state])).toEqual([[SAME_ACCOUNT.id, 'complete'], [CROSS_ACCOUNT.id, 'pending']]);
  });

  test('where the status API does not answer, each destination is looked up by digest through its role', async () => {
    const { code, json, calls, roles } = await wait(['--image', 'app:v1', '--json'], {
      statuses: [awsError('UnknownOperationException', 404)],
      images: { ...sourceImages, [SAME_ACCOUNT.id]: sourceImages[SOURCE.id], [CROSS_ACCOUNT.id]: sourceImages[SOURCE.id] },
    });
    expect(code).toBe(0);
    expect(json!.destinations.map((d) => [d.id, d.state, d.via])).toEqual([[SAME_ACCOUNT.id, 'complete', 'look-up'], [CROSS_ACCOUNT.id, 'complete', 'look-up']]);
    expect(calls).toContain(`findImage ${CROSS_ACCOUNT.id} app ${DIGEST}`);
    // The other account through its look-up role; the source's account with the current credentials.
    expect(roles).toContain(`arn:aws:iam::${CROSS_ACCOUNT.account}:role/cdk-hnb659fds-lookup-role-${CROSS_ACCOUNT.account}-${CROSS_ACCOUNT.region}`);
  });

  test('AccessDenied on the status API falls back too; a destination without the repository yet is pending', async () => {
    const { code, json } = await wait(['--image', 'app:v1', '--timeout', '10', '--json'], {
      statuses: [awsError('AccessDeniedException')],
      images: { ...sourceImages, [SAME_ACCOUNT.id]: sourceImages[SOURCE.id] },
    });
    expect(code).toBe(1);
    expect(json!.outcome).toBe('timeout');
    expect(json!.destinations[1]).toEqual(expect.objectContaining({ state: 'pending', detail: 'not here yet (no such repository yet)' }));
  });

  test('a destination that cannot be read is an error, not a wait until the timeout', async () => {
    const { code, json } = await wait(['--image', 'app:v1', '--json'], {
      statuses: [awsError('AccessDeniedException')],
      images: { ...sourceImages, [SAME_ACCOUNT.id]: sourceImages[SOURCE.id] },
      findErrors: { [CROSS_ACCOUNT.id]: awsError('AccessDeniedException') },
    });
    expect(code).toBe(1);
    expect(json!.outcome).toBe('error');
    expect(json!.destinations[1].detail).toMatch(/^cannot read the destination: access denied in eu-central-1/);
  });

  test('ImageNotFoundException and RepositoryNotFoundException in the source, ValidationException from the status API: exit 1, said once', async () => {
    const missingTag = await wait(['--image', 'app:v9', '--json'], { images: sourceImages });
    expect([missingTag.code, missingTag.json!.outcome, missingTag.json!.error]).toEqual([1, 'error', `app:v9 is not in the source ${SOURCE.id}: push it there first`]);
    const noRepository = await wait(['--image', 'team/api:v1', '--json'], { images: sourceImages });
    expect(noRepository.json!.error).toBe(`the repository team/api does not exist in the source ${SOURCE.id}`);
    const invalid = await wait(['--image', 'app:v1', '--json'], { images: sourceImages, statuses: [awsError('ValidationException')] });
    expect([invalid.code, invalid.json!.outcome]).toEqual([1, 'error']);
    expect(invalid.json!.error).toMatch(/^cannot read the replication status of app:v1: ValidationException/);
  });

  test('a progress line on a terminal (stderr), only JSON on stdout with --json', async () => {
    const fake = { images: sourceImages, statuses: [[status(SAME_ACCOUNT, 'IN_PROGRESS')], [status(SAME_ACCOUNT, 'COMPLETE'), status(CROSS_ACCOUNT, 'COMPLETE')]] };
    const tty = await wait(['--image', 'app:v1'], fake, { isTTY: true });
    expect(tty.stderr).toContain(`waiting 0s: 0/2 destinations have the image; pending: ${SAME_ACCOUNT.id}, ${CROSS_ACCOUNT.id}`);
    expect(tty.stdout).toMatch(/^OK: app:v1 \(sha256:a{64}\) is in every destination \(5s\)$/m);
    const json = await wait(['--image', 'app:v1', '--json'], fake, { isTTY: true });
    expect(json.stderr).toBe('');
    expect(() => JSON.parse(json.stdout)).not.toThrow();
  });

  test('--destination waits only for the destinations named', async () => {
    const { code, json } = await wait(['--image', 'app:v1', '--destination', SAME_ACCOUNT.id, '--json'], {
      images: sourceImages, statuses: [[status(SAME_ACCOUNT, 'COMPLETE'), status(CROSS_ACCOUNT, 'FAILED', 'X')]],
    });
    expect(code).toBe(0);
    expect(json!.destinations.map((d) => d.id)).toEqual([SAME_ACCOUNT.id]);
  });

  test.each([
    [['--image', 'app'], /--image app: expected NAME:TAG or NAME@sha256/],
    [['--image', 'App:v1'], /expected NAME:TAG/],
    [['--image', 'app@sha256:123'], /expected NAME:TAG/],
    [['--image', 'other:v1'], /the topology replicates other nowhere/],
    [['--image', 'app:v1', '--destination', '999999999999-eu-west-1'], /--destination 999999999999-eu-west-1: not a destination of the topology/],
    [['--image', 'app:v1', '--timeout', '0'], /expected a whole number >= 1/],
  ])('usage error %j: exit 2, nothing read', async (args, message) => {
    const { code, stderr, calls } = await wait(args, { images: sourceImages });
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(calls).toEqual([]);
  });
});

describe('wait and namespaces', () => {
  const base = topology();
  const ns = {
    ...base,
    repositories: base.repositories.map((r) => (r.name === 'app' ? { ...r, destinations: [SAME_ACCOUNT.id] } : r)),
    namespaces: [{ prefix: 'team-c', destinations: [CROSS_ACCOUNT.id], imageTagMutability: 'IMMUTABLE' as const }],
  };

  async function run(repository: string, destinations: string[]) {
    const { readerFor } = fakeReaders(goodRegistries(base));
    const admins = fakeAdmins({
      images: { [SOURCE.id]: { [repository]: [{ digest: DIGEST, tags: ['v1'], status: 'ACTIVE' }] } },
      statuses: [[status(SAME_ACCOUNT, 'COMPLETE'), status(CROSS_ACCOUNT, 'COMPLETE')]],
    });
    return waitForImage(ns, {
      image: parseImageReference(`${repository}:v1`)!,
      destinations,
      timeoutSeconds: 10,
      concurrency: 2,
      assumeRole: 'other-accounts',
      roleName: 'lookup-{account}',
      stsRegion: 'us-east-1',
      readerFor,
      repositoriesFor: admins.repositoriesFor,
      sleep: async () => undefined,
    });
  }

  test('an image under a namespace is waited for where the namespace is routed', async () => {
    expect(destinationsOfRepository(ns, 'team-c/web')).toEqual([CROSS_ACCOUNT.id]);
    expect(destinationsOfRepository(ns, 'app')).toEqual([SAME_ACCOUNT.id]);
    expect(destinationsOfRepository(ns, 'team-c')).toEqual([]);
    expect(destinationsOfRepository(ns, 'team-cd/web')).toEqual([]);
    const report = await run('team-c/web', destinationsOfRepository(ns, 'team-c/web'));
    expect([report.outcome, report.destinations.map((d) => d.id)]).toEqual(['complete', [CROSS_ACCOUNT.id]]);
  });
});
