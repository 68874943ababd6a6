/**
 * `import` against moto_server: a source registry set up by hand (repositories
 * with their settings and lifecycle policies, a replication configuration that
 * the topology can and cannot fully express), read through real SDK calls and
 * role assumption, and the written file checked by `validate` once its
 * placeholders are filled in. Skipped with a warning when moto_server is not
 * installed, except on CI (CI=true) where that is a failure.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  CreateRepositoryCommand,
  CreateRepositoryCommandInput,
  ECRClient,
  PutLifecyclePolicyCommand,
  PutReplicationConfigurationCommand,
  ReplicationRule,
} from '@aws-sdk/client-ecr';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { loadTopology } from '@ecr-kms-replication/stacks';
import { describeAgainstMoto, temporaryDirectory } from '@ecr-kms-replication/testing';
import { runCli } from '../../src/cli';
import { PLACEHOLDERS } from '../../src/import/topology';
import { Capture } from '../fixtures';

/** moto's only account for the dummy `testing` credentials. */
const MOTO_ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '111111111111';

/** Made at load time: temporaryDirectory registers its clean-up, which a test cannot do. */
const TMP = temporaryDirectory();

/** The two rules the repository construct writes for lifecycle { untaggedExpiryDays: 14, maxImageCount: 100 }. */
const PRODUCT_LIFECYCLE = JSON.stringify({
  rules: [
    { rulePriority: 1, description: 'Expire untagged images after 14 days', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: { type: 'expire' } },
    { rulePriority: 2, description: 'Keep at most 100 images', selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 100 }, action: { type: 'expire' } },
  ],
});
const TAGGED_LIFECYCLE = JSON.stringify({
  rules: [{ rulePriority: 1, selection: { tagStatus: 'tagged', tagPrefixList: ['pr-'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: { type: 'expire' } }],
});

async function ecrFor(account: string, region: string): Promise<ECRClient> {
  if (account === MOTO_ACCOUNT) return new ECRClient({ region });
  const sts = new STSClient({ region: 'us-east-1' });
  const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/setup`, RoleSessionName: 'setup' }));
  const credentials = { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken };
  return new ECRClient({ region, credentials });
}

/** A source registry as a team set it up by hand, before the product. */
async function existingRegistry(account: string, region: string, rules: ReplicationRule[] = RULES): Promise<void> {
  const ecr = await ecrFor(account, region);
  const repositories: CreateRepositoryCommandInput[] = [
    { repositoryName: 'app-main', imageTagMutability: 'IMMUTABLE', imageScanningConfiguration: { scanOnPush: true } },
    { repositoryName: 'app-old' }, // ECR's defaults: MUTABLE, no scan on push, AES-256
    { repositoryName: 'team/api', imageTagMutability: 'MUTABLE', imageScanningConfiguration: { scanOnPush: true } },
    {
      repositoryName: 'team/web',
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest' }],
      imageScanningConfiguration: { scanOnPush: true },
    },
    { repositoryName: 'unreplicated' },
  ];
  for (const input of repositories) await ecr.send(new CreateRepositoryCommand(input));
  await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'app-main', lifecyclePolicyText: PRODUCT_LIFECYCLE }));
  await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'team/web', lifecyclePolicyText: TAGGED_LIFECYCLE }));
  if (rules.length > 0) await ecr.send(new PutReplicationConfigurationCommand({ replicationConfiguration: { rules } }));
}

const RULES: ReplicationRule[] = [{
  destinations: [{ region: 'eu-west-1', registryId: MOTO_ACCOUNT }, { region: 'eu-central-1', registryId: '222222222222' }],
  repositoryFilters: [
    { filter: 'app', filterType: 'PREFIX_MATCH' },
    { filter: 'team/', filterType: 'PREFIX_MATCH' },
    { filter: 'gone/', filterType: 'PREFIX_MATCH' },
  ],
}];

async function cli(argv: string[]) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runCli(argv, { stdout, stderr, env: process.env });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** What a person does with the file: fills in the placeholders. */
function fillPlaceholders(file: string): void {
  const text = fs.readFileSync(file, 'utf8');
  expect(text).toContain(PLACEHOLDERS.connectionArn);
  expect(text).toContain(PLACEHOLDERS.repository);
  fs.writeFileSync(file, text
    .replace(PLACEHOLDERS.connectionArn, 'arn:aws:codeconnections:us-east-1:333333333333:connection/00000000-0000-0000-0000-000000000000')
    .replace(PLACEHOLDERS.repository, 'my-org/ecr-kms-replication'));
}

describeAgainstMoto('import against moto_server', () => {

  test('writes a file that validate accepts once its placeholders are filled in, with the registry\'s content', async () => {
    await existingRegistry(MOTO_ACCOUNT, 'us-east-1');
    const file = path.join(fs.mkdtempSync(path.join(TMP, 'case-')), 'topology.yaml');
    const { code, stdout, stderr } = await cli(['import', '--region', 'us-east-1', '--output', file]);
    expect(code).toBe(0);
    expect(stdout).toBe('');

    // What the topology cannot say is said, not dropped.
    const warnings = stderr.split('\n').filter((line) => line.startsWith('warning: '));
    expect(warnings).toEqual([
      expect.stringContaining("warning: rule 1: filter 'app' is a prefix of 2 repositories (app-main, app-old)"),
      "warning: rule 1: filter 'team/' is not proposed as the namespace team: its repositories differ in tag mutability (MUTABLE, IMMUTABLE), which a namespace gives them all.",
      expect.stringContaining("warning: rule 1: filter 'team/' is a prefix of 2 repositories (team/api, team/web)"),
      expect.stringContaining("warning: rule 1: filter 'gone/' matches no repository of the registry"),
      'warning: repository team/web has IMMUTABLE_WITH_EXCLUSION (exceptions: latest): the topology has no exceptions; imported as IMMUTABLE.',
      expect.stringContaining("warning: repository team/web: its lifecycle policy has rules the topology's lifecycle"),
    ]);
    expect(stderr).toContain(`wrote ${file}: 2 destination(s) and 4 repository(ies) from the registry of account ${MOTO_ACCOUNT} in us-east-1`);

    // Not valid as written: the placeholders stand for what a registry cannot tell.
    const before = await cli(['validate', '--topology', file]);
    expect(before.code).toBe(2);
    expect(before.stderr).toContain('pipeline.connectionArn');
    expect(before.stderr).toContain('pipeline.repository');

    fillPlaceholders(file);
    const after = await cli(['validate', '--topology', file]);
    expect(after.stderr).toBe('');
    expect(after.code).toBe(0);
    expect(after.stdout).toContain(`source ${MOTO_ACCOUNT}-us-east-1, 2 destination(s) (1 cross-account), 4 repository(ies)`);

    const model = loadTopology(file);
    expect(model.destinations.map((d) => d.id)).toEqual([`${MOTO_ACCOUNT}-eu-west-1`, '222222222222-eu-central-1']);
    const everywhere = [`${MOTO_ACCOUNT}-eu-west-1`, '222222222222-eu-central-1'];
    expect(model.repositories).toEqual([
      { name: 'app-main', existing: true, existingDestinations: [], imageTagMutability: 'IMMUTABLE', scanOnPush: true, lifecycle: { untaggedExpiryDays: 14, maxImageCount: 100 }, destinations: everywhere },
      { name: 'app-old', existing: true, existingDestinations: [], imageTagMutability: 'MUTABLE', scanOnPush: false, destinations: everywhere },
      { name: 'team/api', existing: true, existingDestinations: [], imageTagMutability: 'MUTABLE', scanOnPush: true, destinations: everywhere },
      { name: 'team/web', existing: true, existingDestinations: [], imageTagMutability: 'IMMUTABLE', scanOnPush: true, destinations: everywhere },
    ]);
    // The editor's schema line points at the schema from the file's folder.
    const schema = /^# yaml-language-server: \$schema=(.*)$/m.exec(fs.readFileSync(file, 'utf8'))![1];
    expect(fs.existsSync(path.resolve(path.dirname(file), schema))).toBe(true);
  });

  test('reads another account through the look-up role (--account)', async () => {
    await existingRegistry(OTHER_ACCOUNT, 'eu-west-1', [{
      destinations: [{ region: 'us-west-2', registryId: OTHER_ACCOUNT }],
      repositoryFilters: [{ filter: 'app', filterType: 'PREFIX_MATCH' }],
    }]);
    const { code, stdout, stderr } = await cli(['import', '--region', 'eu-west-1', '--account', OTHER_ACCOUNT]);
    // A listed name may not be a prefix of another (app of app-old): the registry's repositories are app-main and app-old.
    expect(stderr).toBe("warning: rule 1: filter 'app' is a prefix of 2 repositories (app-main, app-old): they are imported by name; "
      + "a repository created later under 'app' is replicated only once it is added to repositories.\n");
    expect(code).toBe(0);
    expect(stdout).toContain(`# Imported by \`ecr-kms-replication import\` from the registry of account ${OTHER_ACCOUNT} in eu-west-1`);
    expect(stdout).toMatch(/^repositories:\n {2}- name: app-main\n {4}existing: true\n/m);
    expect(stdout).toMatch(/^destinations:\n {2}- account: "111111111111"\n {4}region: us-west-2\n/m);
  });

  test('a registry without a replication configuration: exit 1, nothing written', async () => {
    await existingRegistry(MOTO_ACCOUNT, 'us-east-1', []);
    const file = path.join(fs.mkdtempSync(path.join(TMP, 'case-')), 'topology.yaml');
    const { code, stderr } = await cli(['import', '--region', 'us-east-1', '--output', file]);
    expect(code).toBe(1);
    expect(stderr).toBe(`error: the registry of account ${MOTO_ACCOUNT} in us-east-1 has no replication configuration: nothing to import\n`);
    expect(fs.existsSync(file)).toBe(false);
  });
});
