/**
 * `repair` and `wait` against moto_server, with real images put into moto
 * repositories (moto gives an image the digest of its layers). moto has
 * neither the replication backfill API nor DescribeImageReplicationStatus:
 * `repair --execute` reports that the backfill could not start (exit 3) and
 * `wait` falls back to looking the image up in each destination. Skipped with
 * a warning when moto_server is not installed, except on CI (CI=true).
 */
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  PutImageCommand,
  PutReplicationConfigurationCommand,
  Repository,
} from '@aws-sdk/client-ecr';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { describeAgainstMoto } from '@ecr-kms-replication/testing';
import { runCli } from '../../src/cli';
import { EXIT_BACKFILL_NOT_STARTED } from '../../src/commands/repair';
import { RepairReport } from '../../src/repair/repair';
import { WaitReport } from '../../src/wait/wait';
import { Capture, repo, topologyFile, topologyInput } from '../fixtures';
import { manifest, MOTO_ACCOUNT } from './moto-registries';

/** moto's only account for the dummy `testing` credentials. */
const SOURCE = { account: MOTO_ACCOUNT, region: 'us-east-1' };
const DESTINATION = { account: MOTO_ACCOUNT, region: 'eu-west-1', creationTemplate: false };
const DESTINATION_ID = `${MOTO_ACCOUNT}-eu-west-1`;
const ALIAS = 'alias/ecr-kms-replication';
const FILE = topologyFile(topologyInput({
  source: SOURCE,
  destinations: [DESTINATION],
  repositories: [repo('app'), repo('team/api', 'MUTABLE'), repo('good')],
}));

const source = new ECRClient({ region: SOURCE.region });
const destination = new ECRClient({ region: DESTINATION.region });
let keyArn: string;

async function push(ecr: ECRClient, repository: string, layer: string, tag: string) {
  await ecr.send(new PutImageCommand({ repositoryName: repository, imageManifest: manifest(layer), imageTag: tag }));
}

/**
 * The source has app:v1 and app:v2, team/api:v1, good:v1. The destination,
 * replicated into before it had a key: app (AES-256, v1 and v2: all in the
 * source), team/api (AES-256, with an image the source lacks), good (on the key).
 */
async function deploy(): Promise<void> {
  const kms = new KMSClient({ region: DESTINATION.region });
  keyArn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
  await kms.send(new CreateAliasCommand({ AliasName: ALIAS, TargetKeyId: keyArn }));
  for (const name of ['app', 'team/api', 'good']) {
    await source.send(new CreateRepositoryCommand({ repositoryName: name, imageTagMutability: name === 'team/api' ? 'MUTABLE' : 'IMMUTABLE' }));
  }
  await push(source, 'app', 'a', 'v1');
  await push(source, 'app', 'b', 'v2');
  await push(source, 'team/api', 'c', 'v1');
  await push(source, 'good', 'd', 'v1');
  await destination.send(new CreateRepositoryCommand({ repositoryName: 'app', imageTagMutability: 'IMMUTABLE' }));
  await destination.send(new CreateRepositoryCommand({ repositoryName: 'team/api', imageTagMutability: 'MUTABLE' }));
  await destination.send(new CreateRepositoryCommand({
    repositoryName: 'good', imageTagMutability: 'IMMUTABLE', encryptionConfiguration: { encryptionType: 'KMS', kmsKey: keyArn },
  }));
  await push(destination, 'app', 'a', 'v1');
  await push(destination, 'app', 'b', 'v2');
  await push(destination, 'team/api', 'c', 'v1');
  await push(destination, 'team/api', 'e', 'hotfix');
  await push(destination, 'good', 'd', 'v1');
  await source.send(new PutReplicationConfigurationCommand({
    replicationConfiguration: { rules: [{ destinations: [{ region: DESTINATION.region, registryId: DESTINATION.account }] }] },
  }));
}

async function cli(args: string[]) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runCli([...args, '--topology', FILE, '--json'], {
    stdout, stderr, env: process.env, sleep: async () => undefined,
  });
  return { code, json: stdout.text ? JSON.parse(stdout.text) : undefined, stderr: stderr.text };
}

async function repositories(ecr: ECRClient): Promise<Map<string, Repository>> {
  const out = await ecr.send(new DescribeRepositoriesCommand({}));
  return new Map((out.repositories ?? []).map((r) => [r.repositoryName!, r]));
}

describeAgainstMoto('repair and wait against moto_server', () => {
  beforeAll(() => deploy(), 60_000);

  test('repair lists the AES-256 repository whose images are all in the source, and refuses the one holding an image the source lacks', async () => {
    const { code, json } = await cli(['repair']);
    const report = json as RepairReport;
    expect(code).toBe(1);
    const repos = report.destinations[0].repositories;
    expect(repos.map((r) => [r.name, r.action, r.images.length])).toEqual([
      ['app', 'rebuild', 2],
      ['team/api', 'refused', 2],
      ['good', 'none', 0],
    ]);
    const refused = repos.find((r) => r.name === 'team/api')!;
    expect(refused.missingFromSource.map((m) => [m.what, m.tags])).toEqual([['image', ['hotfix']]]);
  });

  test('wait returns 0 for an image that is in every destination (looked up there: moto has no replication status API)', async () => {
    const { code, json } = await cli(['wait', '--image', 'good:v1', '--timeout', '5', '--poll-seconds', '1']);
    const report = json as WaitReport;
    expect(code).toBe(0);
    expect(report.outcome).toBe('complete');
    expect(report.destinations).toEqual([expect.objectContaining({ id: DESTINATION_ID, state: 'complete', via: 'look-up' })]);
  });

  test('wait returns 1 after --timeout 5 for an image missing in a destination, naming it', async () => {
    await push(source, 'good', 'f', 'v2');
    const stdout = new Capture();
    const started = Date.now();
    const code = await runCli(['wait', '--image', 'good:v2', '--timeout', '5', '--poll-seconds', '1', '--topology', FILE], {
      stdout, stderr: new Capture(), env: process.env,
    });
    expect(code).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_500);
    expect(stdout.text).toMatch(new RegExp(`^TIMEOUT after [56]s: good:v2 \\(sha256:[0-9a-f]{64}\\) is not yet in ${DESTINATION_ID}$`, 'm'));
  }, 20_000);

  test('repair --execute --yes rebuilds the repository on the key, leaves the refused one and everything else as it was, and says the backfill could not start', async () => {
    const before = { source: await repositories(source), destination: await repositories(destination) };
    const { code, json } = await cli(['repair', '--execute', '--yes']);
    const report = json as RepairReport;
    // The refused repository is still to repair: 1 wins over the backfill's own code.
    expect(code).toBe(1);
    expect(report.backfillStep).toBe('not-started');
    expect(report.destinations[0].repositories.map((r) => [r.name, r.state ?? '-'])).toEqual([
      ['app', 'recreated'],
      ['team/api', 'unchanged'],
      ['good', '-'],
    ]);

    const after = { source: await repositories(source), destination: await repositories(destination) };
    const app = after.destination.get('app')!;
    expect(app.encryptionConfiguration).toEqual({ encryptionType: 'KMS', kmsKey: keyArn });
    expect(app.imageTagMutability).toBe('IMMUTABLE');
    expect((await destination.send(new DescribeImagesCommand({ repositoryName: 'app' }))).imageDetails).toEqual([]);
    // The refused one and the good one are untouched (same ARN, same creation time, same images).
    for (const name of ['team/api', 'good']) expect(after.destination.get(name)).toEqual(before.destination.get(name));
    expect((await destination.send(new DescribeImagesCommand({ repositoryName: 'team/api' }))).imageDetails).toHaveLength(2);
    expect(after.source).toEqual(before.source);

    // Run again: nothing left to rebuild, the refused one still refused.
    const again = await cli(['repair']);
    expect((again.json as RepairReport).destinations[0].repositories.map((r) => [r.name, r.action])).toEqual([
      ['app', 'none'],
      ['team/api', 'refused'],
      ['good', 'none'],
    ]);
  }, 60_000);

  test('once the missing image is copied to the source, the refused repository is rebuilt too: exit 3, only the backfill could not start', async () => {
    await push(source, 'team/api', 'e', 'hotfix');
    const { code, json } = await cli(['repair', '--execute', '--yes']);
    const report = json as RepairReport;
    expect(code).toBe(EXIT_BACKFILL_NOT_STARTED);
    expect(report.destinations[0].repositories.map((r) => [r.name, r.state ?? '-'])).toEqual([
      ['app', '-'],
      ['team/api', 'recreated'],
      ['good', '-'],
    ]);
    const api = (await repositories(destination)).get('team/api')!;
    expect([api.encryptionConfiguration?.kmsKey, api.imageTagMutability]).toEqual([keyArn, 'MUTABLE']);
  }, 60_000);
}, { resetBeforeEach: false });
