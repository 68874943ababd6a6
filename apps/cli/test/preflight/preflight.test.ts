import { runCli } from '../../src/cli';
import { preflightTopology } from '../../src/preflight/preflight';
import { LOOKUP_ROLE_NAME } from '../../src/registry/access';
import { RegistryReader } from '../../src/registry/reader';
import { VerifyReport } from '../../src/report/result';
import {
  Capture,
  CROSS_ACCOUNT,
  deployedStacks,
  fakeReaders,
  FakeRegistry,
  goodRegistries,
  SAME_ACCOUNT,
  SOURCE,
  topology,
  topologyFile,
  topologyInput,
} from '../fixtures';

const t = topology();
const options = (readerFor: (o: { account: string; region: string; roleArn?: string }) => RegistryReader) => ({
  assumeRole: 'other-accounts' as const, roleName: LOOKUP_ROLE_NAME, concurrency: 2, stsRegion: 'us-east-1', readerFor,
});

/** Registries where nothing exists yet. */
function emptyRegistries(): Record<string, FakeRegistry> {
  return Object.fromEntries([t.source, ...t.destinations].map((env) => [env.id, { account: env.account }]));
}

/** After a successful deployment: everything exists and the stacks of this deployment hold it. */
function deployedRegistries(): Record<string, FakeRegistry> {
  const registries = goodRegistries(t);
  registries[SOURCE.id].key = { keyId: 'key-source', keyArn: 'arn:aws:kms:us-east-1:111111111111:key/key-source' };
  for (const env of [t.source, ...t.destinations]) registries[env.id].stacks = deployedStacks(t, env);
  return registries;
}

const problems = (report: VerifyReport) => report.environments.flatMap((e) => e.checks
  .filter((c) => c.status !== 'pass')
  .map((c) => `${e.id} ${c.status} ${c.check}${c.repository ? ` ${c.repository}` : ''}`));

describe('preflightTopology', () => {
  test('registries where nothing exists yet: nothing blocks', async () => {
    const report = await preflightTopology(t, options(fakeReaders(emptyRegistries()).readerFor));
    expect(problems(report)).toEqual([]);
    expect(report.ok).toBe(true);
    // source: access, stack, key alias, replication configuration, 2 repositories;
    // same-account: access, stack, key alias, creation template, 2 repositories;
    // cross-account: access, stack, key alias, registry policy, 2 repositories.
    // each: + no foreign creation template overlaps; source: + nothing replicated unmanaged
    expect(report.summary.checks).toBe(6 + 6 + 6 + 3 + 1);
  });

  test('after a successful deployment: everything is this deployment\'s own, nothing blocks', async () => {
    const report = await preflightTopology(t, options(fakeReaders(deployedRegistries()).readerFor));
    expect(problems(report)).toEqual([]);
    const details = report.environments.flatMap((e) => e.checks.map((c) => c.detail));
    expect(details.filter((d) => d.startsWith('this deployment\'s own'))).toHaveLength(
      3 /* key aliases */ + 1 /* replication */ + 1 /* template */ + 1 /* policy */ + 3 * 2 /* repositories */);
  });

  test('a brownfield set-up: every obstacle is named, once, with its fix', async () => {
    const registries = emptyRegistries();
    registries[SOURCE.id].rules = [{ destinations: [{ region: 'ap-south-1', registryId: '444444444444' }], repositoryFilters: [{ filter: 'legacy/', filterType: 'PREFIX_MATCH' }] }];
    registries[SOURCE.id].repositories = new Map([['app', { name: 'app', encryptionType: 'AES256' }]]);
    registries[SAME_ACCOUNT.id].repositories = new Map([['team/api', { name: 'team/api', encryptionType: 'AES256' }]]);
    registries[SAME_ACCOUNT.id].images = new Map([['team/api', [{ digest: 'sha256:1', tags: ['v1'] }, { digest: 'sha256:2', tags: [], status: 'ARCHIVED' }]]]);
    registries[CROSS_ACCOUNT.id].policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'Legacy', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444444444444:root' }, Action: 'ecr:ReplicateImage', Resource: '*' }],
    });
    const report = await preflightTopology(t, options(fakeReaders(registries).readerFor));
    expect(report.ok).toBe(false);
    expect(problems(report)).toEqual([
      '111111111111-us-east-1 fail replication-configuration',
      '111111111111-us-east-1 fail repository app',
      '111111111111-eu-west-1 fail repository team/api',
      '222222222222-eu-central-1 fail registry-policy',
      '222222222222-eu-central-1 warn registry-policy',
    ]);
    const aes = report.environments[1].checks.find((c) => c.repository === 'team/api')!;
    expect(aes.detail).toContain('(AES-256, 2 image(s), 1 of them archived)');
    expect(aes.fix).toContain('aws ecr delete-repository --repository-name team/api --registry-id 111111111111 --region eu-west-1 (without --force');
  });

  // Stack names carry only role, account and Region: the ReplicationSource output (every stack of a stage) says whose they are.
  test.each([
    ['a same-account destination', SAME_ACCOUNT],
    ['a cross-account destination', CROSS_ACCOUNT],
  ])('%s whose stacks another topology (another source) deployed is refused, with both sources named', async (_, dest) => {
    const registries = deployedRegistries();
    const other = '111111111111-us-west-2';
    registries[dest.id].stacks = deployedStacks(t, dest).map((s) => ({ ...s, outputs: { ReplicationSource: other } }));
    const report = await preflightTopology(t, options(fakeReaders(registries).readerFor));
    expect(report.ok).toBe(false);
    const rows = report.environments.find((e) => e.id === dest.id)!.checks;
    const stacks = rows.filter((c) => c.check === 'stack');
    expect(stacks.length).toBeGreaterThan(1);
    for (const row of stacks) {
      expect(row.status).toBe('fail');
      expect(row.detail).toMatch(new RegExp(`belongs to the topology whose source is ${other} .*not to this one \\(source ${SOURCE.id}\\)`));
      expect(row.fix).toContain(`take ${dest.id} out of this topology (source ${SOURCE.id}) or use another account or Region`);
    }
    // Nothing in them counts as this deployment's own.
    expect(rows.filter((c) => c.detail.startsWith('this deployment\'s own'))).toEqual([]);
    // Stacks that name this topology's source, or predate the output, stay ours.
    registries[dest.id].stacks = deployedStacks(t, dest).map((s, i) => (i === 0 ? { ...s, outputs: { ReplicationSource: SOURCE.id } } : s));
    expect(problems(await preflightTopology(t, options(fakeReaders(registries).readerFor)))).toEqual([]);
  });

  test('a first create that failed: the stuck stack and what it left behind', async () => {
    const registries = emptyRegistries();
    const [registryStack] = deployedStacks(t, CROSS_ACCOUNT, 'ROLLBACK_COMPLETE');
    registries[CROSS_ACCOUNT.id].stacks = [{ ...registryStack, resources: registryStack.resources.map((r) => ({ ...r, status: 'DELETE_SKIPPED' })) }];
    registries[CROSS_ACCOUNT.id].key = { keyId: 'left', keyArn: 'arn:aws:kms:eu-central-1:222222222222:key/left' };
    const report = await preflightTopology(t, options(fakeReaders(registries).readerFor));
    expect(problems(report)).toEqual(['222222222222-eu-central-1 fail stack', '222222222222-eu-central-1 fail key-alias']);
    const [stack, alias] = report.environments[2].checks.filter((c) => c.status === 'fail');
    expect(stack.fix).toMatch(/^aws cloudformation delete-stack --stack-name ecr-replication-destination-222222222222-eu-central-1 --region eu-central-1/);
    expect(alias.detail).toContain('retained and no longer managed');
  });

  test('stacks that cannot be read: an error for that environment, not a guess', async () => {
    const { readerFor } = fakeReaders(emptyRegistries());
    const report = await preflightTopology(t, options((o) => ({
      ...readerFor(o),
      stackResources: () => Promise.reject(Object.assign(new Error('not allowed'), { name: 'AccessDenied' })),
    })));
    expect(report.ok).toBe(false);
    expect(report.environments[0].checks).toEqual([
      expect.objectContaining({ check: 'access', status: 'pass' }),
      { check: 'stack', status: 'error', detail: 'cannot read the stacks of this deployment: access denied in us-east-1: not allowed' },
    ]);
  });
});

describe('the preflight command', () => {
  const file = topologyFile(topologyInput());
  async function run(argv: string[], registries: Record<string, FakeRegistry>) {
    const stdout = new Capture();
    const stderr = new Capture();
    const code = await runCli(argv, { stdout, stderr, env: { ECR_REPLICATION_TOPOLOGY: file }, readerFor: fakeReaders(registries).readerFor });
    return { code, stdout: stdout.text, stderr: stderr.text };
  }

  test('--help names the options and the exit status', async () => {
    const { code, stdout } = await run(['preflight', '--help'], {});
    expect(code).toBe(0);
    for (const word of ['--topology', '--json', '--role-name', '--assume-role', '--no-assume-role', '--concurrency', 'AWS_ENDPOINT_URL', 'Exit status']) {
      expect(stdout).toContain(word);
    }
  });

  test('exit 0 when nothing blocks, 1 with the fixes when something does', async () => {
    const clean = await run(['preflight'], emptyRegistries());
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/^OK: 22 passed, 0 failed, 0 errors in 3 environments$/m);

    const registries = emptyRegistries();
    registries[SOURCE.id].repositories = new Map([['app', { name: 'app', encryptionType: 'KMS', kmsKey: 'k' }]]);
    const blocked = await run(['preflight'], registries);
    expect(blocked.code).toBe(1);
    expect(blocked.stdout).toContain('what to do:\n  - app: adopt it: add existing: true to the repository in the topology');
  });

  test('--json prints the report only', async () => {
    const { code, stdout } = await run(['preflight', '--json'], emptyRegistries());
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as VerifyReport).summary.environments).toBe(3);
  });

  test('an invalid topology exits 2', async () => {
    const { code, stderr } = await run(['preflight', '--topology', topologyFile({ source: {} })], {});
    expect(code).toBe(2);
    expect(stderr).toContain('is not valid');
  });
});
