/**
 * The `backfill` command end to end in-process: the source registry's
 * backfill API is the real SDK client with its ECR calls mocked
 * (aws-sdk-client-mock); images and replication rules come from fake readers.
 */
import {
  DescribeReplicationBackfillResultsCommand,
  ECRClient,
  ListReplicationBackfillsCommand,
  ReplicationBackfillInProgressException,
  ReplicationBackfillSummary,
  StartReplicationBackfillCommand,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { BackfillReport } from '../../src/backfill/backfill';
import { runCli } from '../../src/cli';
import { BACKFILL_ROLE_NAME } from '../../src/commands/backfill';
import { SdkReplicationBackfills } from '../../src/registry/backfills';
import { ReaderOptions } from '../../src/registry/reader';
import { Capture, CROSS_ACCOUNT, fakeReaders, goodRegistries, SAME_ACCOUNT, SOURCE, topology, topologyFile, topologyInput } from '../fixtures';

const ecr = mockClient(ECRClient);
const MODEL = topology();
const FILE = topologyFile(topologyInput());

function image(digest: string, tag?: string) {
  return { digest: `sha256:${digest}`, tags: tag ? [tag] : [] };
}

/** Fake registries: the source has two images of `app`; the same-account destination has the first only. */
function registries() {
  const regs = goodRegistries(MODEL);
  regs[SOURCE.id].images = new Map([['app', [image('b', 'v2'), image('a', 'v1')]]]);
  regs[SAME_ACCOUNT.id].images = new Map([['app', [image('a', 'v1')]]]);
  regs[CROSS_ACCOUNT.id].images = new Map([['app', [image('b', 'v2'), image('a', 'v1')]]]);
  return regs;
}

type Counts = [total: number, completed: number, failed: number];

function summary(id: string, destination: { account: string; region: string }, status: string, progress?: Counts): ReplicationBackfillSummary {
  return {
    replicationBackfillId: id,
    destination: { registryId: destination.account, region: destination.region },
    status: status as ReplicationBackfillSummary['status'],
    progress: progress && {
      totalReplicationCount: progress[0], completedReplicationCount: progress[1], failedReplicationCount: progress[2], failureCodes: [],
    },
    startedAt: new Date(0),
  };
}

async function backfill(args: string[], options: { regs?: ReturnType<typeof registries>; interruptAfter?: number; isTTY?: boolean } = {}) {
  const stdout = new Capture();
  const stderr = new Capture(options.isTTY);
  const { readerFor, roles } = fakeReaders(options.regs ?? registries());
  const backfillRoles: (string | undefined)[] = [];
  let interrupt: (() => void) | undefined;
  let sleeps = 0;
  const code = await runCli(['backfill', '--topology', FILE, ...args], {
    stdout,
    stderr,
    env: {},
    readerFor,
    backfillsFor: (o: ReaderOptions) => {
      backfillRoles.push(o.roleArn);
      // The real SDK client, its ECR calls answered by the mock.
      return new SdkReplicationBackfills(o);
    },
    sleep: async () => {
      if (++sleeps === options.interruptAfter) interrupt?.();
    },
    onInterrupt: (handler) => { interrupt = handler; return () => { interrupt = undefined; }; },
  });
  return { code, stdout: stdout.text, stderr: stderr.text, roles, backfillRoles, sleeps };
}

beforeEach(() => ecr.reset());

describe('backfill', () => {
  test('waits for every backfill, one line per change off a terminal, then the table: exit 0', async () => {
    let listed = 0;
    ecr.on(StartReplicationBackfillCommand).callsFake((input) => ({
      replicationBackfillId: `bf-${input.destination.region}`, status: 'PREPARING', destination: input.destination,
    }));
    ecr.on(ListReplicationBackfillsCommand).callsFake(() => {
      listed++;
      if (listed === 1) return { backfills: [] };
      const status = listed === 2 ? 'IN_PROGRESS' : 'COMPLETE';
      return { backfills: [summary('bf-eu-west-1', SAME_ACCOUNT, status, [2, listed === 2 ? 1 : 2, 0]), summary('bf-eu-central-1', CROSS_ACCOUNT, status, [2, 2, 0])] };
    });
    const { code, stdout, stderr, backfillRoles, roles } = await backfill([]);
    expect(code).toBe(0);
    expect(ecr.commandCalls(StartReplicationBackfillCommand).map((c) => c.args[0].input.destination)).toEqual([
      { region: 'eu-west-1', registryId: '111111111111' },
      { region: 'eu-central-1', registryId: '222222222222' },
    ]);
    expect(stderr.split('\n')).toEqual(expect.arrayContaining([
      '111111111111-eu-west-1: PREPARING',
      '111111111111-eu-west-1: IN_PROGRESS, 1/2 done, 0 failed',
      '111111111111-eu-west-1: COMPLETE, 2/2 done, 0 failed',
    ]));
    expect(stdout).toMatch(/^111111111111-eu-west-1 +COMPLETE +- +2 +0 +2 +bf-eu-west-1 +COMPLETE: 2\/2 replicated, 0 failed$/m);
    expect(stdout).toContain('OK: 2 complete, 0 failed (0 failed images), 0 running, 0 not started, 0 with nothing missing, 0 errors');
    // Without --only-missing no image is read: only the source's rules, through its own credentials (same account).
    expect(roles).toEqual([undefined]);
    expect(backfillRoles).toEqual([undefined]);
  });

  test('a retried start meets the SDK\'s ReplicationBackfillInProgressException: the command follows the running backfill of this source, exit 0', async () => {
    ecr.on(StartReplicationBackfillCommand).rejects(new ReplicationBackfillInProgressException({ message: 'in progress for eu-west-1', $metadata: {} }));
    ecr.on(ListReplicationBackfillsCommand)
      .resolvesOnce({ registryId: SOURCE.account, backfills: [] })
      .resolvesOnce({ registryId: SOURCE.account, backfills: [summary('bf-lost', SAME_ACCOUNT, 'PREPARING')] })
      .resolves({ registryId: SOURCE.account, backfills: [summary('bf-lost', SAME_ACCOUNT, 'COMPLETE', [2, 2, 0])] });
    const { code, stdout } = await backfill(['--destination', SAME_ACCOUNT.id, '--json']);
    expect(code).toBe(0);
    expect(ecr.commandCalls(StartReplicationBackfillCommand)).toHaveLength(1);
    expect((JSON.parse(stdout) as BackfillReport).destinations).toEqual([
      expect.objectContaining({ id: SAME_ACCOUNT.id, outcome: 'complete', backfillId: 'bf-lost', attached: true }),
    ]);
  });

  test('failed images are listed with repository, tag, digest and failure code: exit 1', async () => {
    const mockFailedBackfill = () => {
      ecr.reset();
      ecr.on(StartReplicationBackfillCommand).callsFake((input) => ({ replicationBackfillId: `bf-${input.destination.region}`, status: 'PREPARING' }));
      ecr.on(ListReplicationBackfillsCommand).resolvesOnce({ backfills: [] }).resolves({
        backfills: [summary('bf-eu-west-1', SAME_ACCOUNT, 'COMPLETE', [2, 1, 1])],
      });
      ecr.on(DescribeReplicationBackfillResultsCommand, { replicationBackfillId: 'bf-eu-west-1', resultStatusFilter: 'FAILED' })
        .resolvesOnce({
          results: [{ repositoryName: 'app', imageId: { imageDigest: 'sha256:0123456789abcdef', imageTag: 'v1' }, status: 'FAILED', failureCode: 'KMS_ACCESS_DENIED' }],
          nextToken: 'next',
        })
        .resolvesOnce({ results: [{ repositoryName: 'team/api', imageId: { imageDigest: 'sha256:fedcba9876543210' }, status: 'FAILED', subImageFailureCodes: ['IMAGE_NOT_FOUND'] }] });
    };
    mockFailedBackfill();
    const { code, stdout } = await backfill(['--destination', SAME_ACCOUNT.id, '--json']);
    expect(code).toBe(1);
    // Both pages of results were read (the paginator follows nextToken).
    expect(ecr.commandCalls(DescribeReplicationBackfillResultsCommand)).toHaveLength(2);
    const report = JSON.parse(stdout) as BackfillReport;
    expect(report.destinations).toEqual([expect.objectContaining({
      id: SAME_ACCOUNT.id,
      outcome: 'failed',
      status: 'COMPLETE',
      failedImages: [
        { repository: 'app', digest: 'sha256:0123456789abcdef', tag: 'v1', failureCode: 'KMS_ACCESS_DENIED' },
        { repository: 'team/api', digest: 'sha256:fedcba9876543210', failureCode: 'IMAGE_NOT_FOUND' },
      ],
    })]);
    mockFailedBackfill();
    const table = (await backfill(['--destination', SAME_ACCOUNT.id])).stdout;
    expect(table).toContain('Failed images');
    expect(table).toMatch(/111111111111-eu-west-1 +app +v1 \(0123456789ab\) +KMS_ACCESS_DENIED/);
    expect(table).toMatch(/111111111111-eu-west-1 +team\/api +fedcba987654 +IMAGE_NOT_FOUND/);
  });

  test('--only-missing compares digests and starts only where an image is missing', async () => {
    ecr.on(StartReplicationBackfillCommand).resolves({ replicationBackfillId: 'bf-1', status: 'PREPARING' });
    ecr.on(ListReplicationBackfillsCommand).resolvesOnce({ backfills: [] }).resolves({ backfills: [summary('bf-1', SAME_ACCOUNT, 'COMPLETE', [1, 1, 0])] });
    const { code, stdout, roles, backfillRoles } = await backfill(['--only-missing', '--json', '--assume-role', 'always']);
    expect(code).toBe(0);
    expect(ecr.commandCalls(StartReplicationBackfillCommand)).toHaveLength(1);
    const report = JSON.parse(stdout) as BackfillReport;
    expect(report.destinations.map((d) => [d.id, d.outcome, d.missing?.images])).toEqual([
      [SAME_ACCOUNT.id, 'complete', 1],
      [CROSS_ACCOUNT.id, 'nothing-missing', 0],
    ]);
    // The source through its backfill role, the destinations through their look-up roles.
    expect(roles).toEqual([
      'arn:aws:iam::111111111111:role/ecr-replication-backfill-us-east-1',
      'arn:aws:iam::111111111111:role/cdk-hnb659fds-lookup-role-111111111111-eu-west-1',
      'arn:aws:iam::222222222222:role/cdk-hnb659fds-lookup-role-222222222222-eu-central-1',
    ]);
    expect(backfillRoles).toEqual(['arn:aws:iam::111111111111:role/ecr-replication-backfill-us-east-1']);
  });

  test('--only-missing with nothing missing starts nothing and exits 0', async () => {
    const regs = registries();
    regs[SAME_ACCOUNT.id].images = regs[SOURCE.id].images;
    const { code, stdout } = await backfill(['--only-missing'], { regs });
    expect(code).toBe(0);
    expect(ecr.commandCalls(StartReplicationBackfillCommand)).toHaveLength(0);
    expect(ecr.commandCalls(ListReplicationBackfillsCommand)).toHaveLength(0);
    expect(stdout).toContain('OK: 0 complete, 0 failed (0 failed images), 0 running, 0 not started, 2 with nothing missing, 0 errors');
  });

  test('--dry-run says what would start or be followed and how many images are missing, and starts nothing', async () => {
    ecr.on(ListReplicationBackfillsCommand).resolves({ backfills: [summary('bf-running', CROSS_ACCOUNT, 'IN_PROGRESS', [5, 1, 0])] });
    const { code, stdout } = await backfill(['--dry-run']);
    expect(code).toBe(0);
    expect(ecr.commandCalls(StartReplicationBackfillCommand)).toHaveLength(0);
    expect(stdout).toContain('Dry run: nothing started.');
    expect(stdout).toMatch(/111111111111-eu-west-1 +WOULD START +1 .*would start a backfill: 1 source image\(s\) missing in 1 repository/);
    expect(stdout).toMatch(/222222222222-eu-central-1 +WOULD FOLLOW +0 .*would follow the running backfill bf-running/);
  });

  test('--no-wait starts, prints the ids and returns', async () => {
    ecr.on(ListReplicationBackfillsCommand).resolves({ backfills: [] });
    ecr.on(StartReplicationBackfillCommand).callsFake((input) => ({ replicationBackfillId: `bf-${input.destination.region}`, status: 'PREPARING' }));
    const { code, stdout, sleeps } = await backfill(['--no-wait']);
    expect(code).toBe(0);
    expect(sleeps).toBe(0);
    expect(stdout).toMatch(/111111111111-eu-west-1 +RUNNING .* bf-eu-west-1 /);
    expect(stdout).toMatch(/222222222222-eu-central-1 +RUNNING .* bf-eu-central-1 /);
  });

  test('Ctrl-C stops waiting, says the backfills go on in AWS, and stops none: exit 1', async () => {
    ecr.on(ListReplicationBackfillsCommand).resolves({ backfills: [summary('bf-1', SAME_ACCOUNT, 'IN_PROGRESS', [9, 3, 0])] });
    const { code, stdout } = await backfill(['--destination', SAME_ACCOUNT.id], { interruptAfter: 2 });
    expect(code).toBe(1);
    expect(stdout).toContain('Stopped waiting: the backfills go on in AWS (111111111111-eu-west-1 bf-1).');
    expect(stdout).toMatch(/111111111111-eu-west-1 +RUNNING .*bf-1 \(followed\)/);
    expect(ecr.commandCalls(StartReplicationBackfillCommand)).toHaveLength(0);
    expect(ecr.calls().map((c) => c.args[0].constructor.name)).not.toContain('StopReplicationBackfillCommand');
  });

  test('a destination not in the replication configuration is an error, the others go on', async () => {
    const regs = registries();
    regs[SOURCE.id].rules = [{ destinations: [{ region: CROSS_ACCOUNT.region, registryId: CROSS_ACCOUNT.account }] }];
    ecr.on(ListReplicationBackfillsCommand).resolvesOnce({ backfills: [] }).resolves({ backfills: [summary('bf-1', CROSS_ACCOUNT, 'COMPLETE', [1, 1, 0])] });
    ecr.on(StartReplicationBackfillCommand).resolves({ replicationBackfillId: 'bf-1', status: 'PREPARING' });
    const { code, stdout } = await backfill(['--json'], { regs });
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as BackfillReport;
    expect(report.destinations.map((d) => [d.id, d.outcome])).toEqual([[SAME_ACCOUNT.id, 'error'], [CROSS_ACCOUNT.id, 'complete']]);
    expect(report.destinations[0].detail).toContain('not in the replication configuration of the source 111111111111-us-east-1: deploy the source stage first');
  });

  test('on a terminal the progress block is redrawn in place', async () => {
    ecr.on(ListReplicationBackfillsCommand).resolvesOnce({ backfills: [] }).resolves({ backfills: [summary('bf-1', SAME_ACCOUNT, 'COMPLETE', [1, 1, 0])] });
    ecr.on(StartReplicationBackfillCommand).resolves({ replicationBackfillId: 'bf-1', status: 'PREPARING' });
    const { stderr } = await backfill(['--destination', SAME_ACCOUNT.id], { isTTY: true });
    expect(stderr).toBe('\r\x1b[K111111111111-eu-west-1: PREPARING\n\x1b[1A\r\x1b[K111111111111-eu-west-1: COMPLETE, 1/1 done, 0 failed\n');
  });

  test('usage errors exit 2: an unknown --destination names the valid ones', async () => {
    const { code, stderr } = await backfill(['--destination', '999999999999-eu-west-1']);
    expect(code).toBe(2);
    expect(stderr).toBe('error: --destination 999999999999-eu-west-1: not a destination of the topology (destinations: 111111111111-eu-west-1, 222222222222-eu-central-1)\n');
    expect((await backfill(['--poll-seconds', '0'])).code).toBe(2);
  });

  test('the default role is the one the source stage deploys', () => {
    expect(BACKFILL_ROLE_NAME).toBe('ecr-replication-backfill-{region}');
  });
});

describe('backfill compares everything the rules copy', () => {
  test('--dry-run counts a source repository the topology does not list but a rule matches', async () => {
    ecr.on(ListReplicationBackfillsCommand).resolves({ backfills: [] });
    const regs = registries();
    // The fixture's rule has no filter: it replicates app-old too.
    regs[SOURCE.id].repositories!.set('app-old', { name: 'app-old', encryptionType: 'KMS' });
    regs[SOURCE.id].images!.set('app-old', [image('c', 'v0')]);
    regs[SAME_ACCOUNT.id].images = regs[SOURCE.id].images;
    const { code, stdout } = await backfill(['--dry-run', '--json'], { regs });
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as BackfillReport;
    expect(report.destinations.map((d) => [d.id, d.missing?.repositories])).toEqual([
      [SAME_ACCOUNT.id, []],
      [CROSS_ACCOUNT.id, [expect.objectContaining({ repository: 'app-old', images: 1 })]],
    ]);
  });
});
