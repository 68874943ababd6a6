/**
 * The image comparison of `backfill --only-missing`, `backfill --dry-run` and
 * `verify --images` against moto_server, with real images put into moto
 * repositories (moto gives an image the digest of its layers). moto has no
 * replication backfill API: the backfills themselves are a fake here, and
 * their scheduling is unit-tested with mocked SDK clients. Skipped with a
 * warning when moto_server is not installed, except on CI (CI=true).
 */
import { createHash } from 'crypto';
import { CreateRepositoryCommand, ECRClient, PutImageCommand, PutReplicationConfigurationCommand } from '@aws-sdk/client-ecr';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { describeAgainstMoto } from '@ecr-kms-replication/testing';
import { BackfillReport } from '../../src/backfill/backfill';
import { runCli } from '../../src/cli';
import { ReplicationBackfills } from '../../src/registry/backfills';
import { BackfillData } from '../../src/registry/data';
import { VerifyReport } from '../../src/report/result';
import { Capture, repo, topologyFile, topologyInput } from '../fixtures';
import { manifest, MOTO_ACCOUNT } from './moto-registries';

/** moto's only account for the dummy `testing` credentials. */
const SOURCE = { account: MOTO_ACCOUNT, region: 'us-east-1' };
const SAME_ACCOUNT = { account: MOTO_ACCOUNT, region: 'eu-west-1', creationTemplate: false };
const CROSS_ACCOUNT = { account: '111111111111', region: 'eu-central-1' };
const FILE = topologyFile(topologyInput({
  source: SOURCE,
  destinations: [SAME_ACCOUNT, CROSS_ACCOUNT],
  repositories: [repo('app'), repo('team/api')],
}));

async function ecrIn(env: { account: string; region: string }): Promise<ECRClient> {
  if (env.account === MOTO_ACCOUNT) return new ECRClient({ region: env.region });
  const sts = new STSClient({ region: 'us-east-1' });
  const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${env.account}:role/setup`, RoleSessionName: 'setup' }));
  const credentials = { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken };
  return new ECRClient({ region: env.region, credentials });
}

/** The digest moto gives an image: the SHA-256 of its layers' digests. */
function motoDigest(layer: string): string {
  return `sha256:${createHash('sha256').update(`sha256:${layer.repeat(64)}`).digest('hex')}`;
}

/**
 * The source has app:v1, v2, v3 (pushed in that order); the same-account
 * destination only v3 (replicated after replication was switched on); the
 * cross-account destination has all three.
 */
async function deploy(): Promise<void> {
  const images: [typeof SOURCE, string[]][] = [[SOURCE, ['a', 'b', 'c']], [SAME_ACCOUNT, ['c']], [CROSS_ACCOUNT, ['a', 'b', 'c']]];
  for (const [env, layers] of images) {
    const ecr = await ecrIn(env);
    for (const name of ['app', 'team/api']) await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    for (const layer of layers) {
      const tag = { a: 'v1', b: 'v2', c: 'v3' }[layer];
      await ecr.send(new PutImageCommand({ repositoryName: 'app', imageManifest: manifest(layer), imageTag: tag }));
      // Distinct push times, so that "most recent" is well defined.
      await new Promise((r) => setTimeout(r, 1100));
    }
  }
  await (await ecrIn(SOURCE)).send(new PutReplicationConfigurationCommand({
    replicationConfiguration: {
      rules: [{ destinations: [SAME_ACCOUNT, CROSS_ACCOUNT].map((d) => ({ region: d.region, registryId: d.account })) }],
    },
  }));
}

/** moto has no backfill API: a registry's backfills in memory, each complete at the next listing. */
class FakeBackfills implements ReplicationBackfills {
  readonly started: string[] = [];
  private readonly all: BackfillData[] = [];
  async startBackfill(d: { account: string; region: string }): Promise<BackfillData> {
    this.started.push(`${d.account}-${d.region}`);
    const b = { id: `bf-${this.started.length}`, destination: d, status: 'PREPARING' };
    this.all.push(b);
    return b;
  }
  async listBackfills(): Promise<BackfillData[]> {
    const now = this.all.map((b) => ({ ...b, status: 'COMPLETE', progress: { total: 2, completed: 2, failed: 0, failureCodes: [] } }));
    return now;
  }
  async failedBackfillImages(): Promise<never[]> {
    return [];
  }
}

async function cli(args: string[], backfills = new FakeBackfills()) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runCli([...args, '--topology', FILE, '--json'], {
    stdout, stderr, env: process.env, backfillsFor: () => backfills, sleep: async () => undefined,
  });
  return { code, json: stdout.text ? JSON.parse(stdout.text) : undefined, stderr: stderr.text, backfills };
}

describeAgainstMoto('backfill against moto_server', () => {
  beforeAll(() => deploy(), 60_000);

  test('--dry-run counts the missing images per destination (digests compared) and starts nothing', async () => {
    const { code, json, backfills } = await cli(['backfill', '--dry-run']);
    const report = json as BackfillReport;
    expect(code).toBe(0);
    expect(backfills.started).toEqual([]);
    expect(report.destinations.map((d) => [d.id, d.outcome, d.missing])).toEqual([
      [`${MOTO_ACCOUNT}-eu-west-1`, 'would-start', { images: 2, repositories: [{ repository: 'app', images: 2, repositoryMissing: false }] }],
      ['111111111111-eu-central-1', 'would-start', { images: 0, repositories: [] }],
    ]);
  });

  test('--only-missing starts a backfill only where images are missing, reading the other account through its look-up role', async () => {
    const { code, json, backfills } = await cli(['backfill', '--only-missing']);
    const report = json as BackfillReport;
    expect(code).toBe(0);
    expect(backfills.started).toEqual([`${MOTO_ACCOUNT}-eu-west-1`]);
    expect(report.destinations.map((d) => [d.id, d.outcome, d.missing?.images])).toEqual([
      [`${MOTO_ACCOUNT}-eu-west-1`, 'complete', 2],
      ['111111111111-eu-central-1', 'nothing-missing', 0],
    ]);
  });

  test('--destination limits the comparison and the backfills to the destinations named', async () => {
    const { code, json, backfills } = await cli(['backfill', '--only-missing', '--destination', '111111111111-eu-central-1']);
    expect(code).toBe(0);
    expect(backfills.started).toEqual([]);
    expect((json as BackfillReport).destinations.map((d) => [d.id, d.outcome])).toEqual([['111111111111-eu-central-1', 'nothing-missing']]);
  });

  test('verify --images warns where recent source images are absent, with the backfill to run', async () => {
    const { json } = await cli(['verify', '--images', '2']);
    const report = json as VerifyReport;
    const presence = report.environments.map((e) => e.checks.filter((c) => c.check === 'image-presence').map((c) => `${c.repository} ${c.status}: ${c.detail}`));
    expect(presence).toEqual([
      [],
      [`app warn: 1 of the 2 most recent source image(s) are not in ${MOTO_ACCOUNT}/eu-west-1: v2 (${motoDigest('b').slice(7, 19)})`],
      ['app pass: the 2 most recent source image(s) are here'],
    ]);
    const fix = report.environments[1].checks.find((c) => c.check === 'image-presence')?.fix;
    expect(fix).toContain(`run ecr-kms-replication backfill --destination ${MOTO_ACCOUNT}-eu-west-1 --only-missing`);
  });
}, { resetBeforeEach: false });
