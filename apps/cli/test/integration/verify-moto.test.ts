/**
 * `verify` against moto_server: real SDK calls, real AssumeRole into other
 * accounts (moto gives assumed-role credentials the role's account), and the
 * faults the command exists to catch. Skipped with a warning when moto_server
 * is not installed, except on CI (CI=true) where that is a failure.
 */
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateRepositoryCommand,
  PutRegistryPolicyCommand,
  PutReplicationConfigurationCommand,
} from '@aws-sdk/client-ecr';
import { CreateAliasCommand, CreateKeyCommand } from '@aws-sdk/client-kms';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DestinationModel, groupRepositories, repositoriesStackName, validateTopology } from '@ecr-kms-replication/stacks';
import { describeAgainstMoto } from '@ecr-kms-replication/testing';
import { runCli } from '../../src/cli';
import { VerifyReport } from '../../src/report/result';
import { Capture, repo, topologyFile, topologyInput, TopologyInput } from '../fixtures';
import { clientsFor, MOTO_ACCOUNT } from './moto-registries';

/** moto's only account for the dummy `testing` credentials. */
const ALIAS = 'alias/ecr-kms-replication';

// moto has no repository creation templates: the safety net is checked by the unit tests.
const SAME_ACCOUNT_DESTINATION = { account: MOTO_ACCOUNT, region: 'eu-west-1', creationTemplate: false };

/** The topology file the suite deploys and verifies. */
const TOPOLOGY = topologyInput({
  source: { account: MOTO_ACCOUNT, region: 'us-east-1' },
  destinations: [
    SAME_ACCOUNT_DESTINATION,
    { account: '111111111111', region: 'eu-central-1' },
    { account: '222222222222', region: 'ap-southeast-2' },
  ],
  repositories: [repo('app', 'IMMUTABLE'), repo('team/api', 'MUTABLE')],
  keyAlias: ALIAS,
});

interface Faults {
  /** `<env id>/<repository>` created with AES-256. */
  aes256?: string;
  /** `<env id>/<repository>` not created. */
  missing?: string;
  /** A destination left out of the replication rule. */
  notReplicatedTo?: string;
  /** A destination whose registry policy names another account. */
  policyForOtherAccount?: string;
  /** A destination whose registry policy also grants ecr:CreateRepository (drift). */
  policyGrantsCreateRepository?: string;
}

/** What the pipeline deploys for TOPOLOGY, with the faults asked for. */
async function deploy(faults: Faults = {}, input: TopologyInput = TOPOLOGY): Promise<void> {
  const model = validateTopology(input);
  for (const env of [model.source, ...model.destinations]) {
    const { ecr, kms } = await clientsFor(env.account, env.region);
    const key = await kms.send(new CreateKeyCommand({ Description: 'ecr-kms-replication' }));
    await kms.send(new CreateAliasCommand({ AliasName: ALIAS, TargetKeyId: key.KeyMetadata!.KeyId }));
    for (const r of model.repositories) {
      if (faults.missing === `${env.id}/${r.name}`) continue;
      await ecr.send(new CreateRepositoryCommand({
        repositoryName: r.name,
        imageTagMutability: r.imageTagMutability,
        encryptionConfiguration: faults.aes256 === `${env.id}/${r.name}`
          ? { encryptionType: 'AES256' }
          : { encryptionType: 'KMS', kmsKey: key.KeyMetadata!.Arn },
      }));
    }
    if (env.id === model.source.id) {
      await ecr.send(new PutReplicationConfigurationCommand({
        replicationConfiguration: {
          rules: [{
            destinations: model.destinations.filter((d) => d.id !== faults.notReplicatedTo).map((d) => ({ region: d.region, registryId: d.account })),
            repositoryFilters: [{ filter: 'app', filterType: 'PREFIX_MATCH' }, { filter: 'team/', filterType: 'PREFIX_MATCH' }],
          }],
        },
      }));
    } else if ((env as DestinationModel).crossAccount) {
      const principal = faults.policyForOtherAccount === env.id ? '333333333333' : model.source.account;
      await ecr.send(new PutRegistryPolicyCommand({
        policyText: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{
            Sid: 'ReplicationFromSource',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${principal}:root` },
            Action: faults.policyGrantsCreateRepository === env.id ? ['ecr:ReplicateImage', 'ecr:CreateRepository'] : 'ecr:ReplicateImage',
            Resource: `arn:aws:ecr:${env.region}:${env.account}:repository/*`,
          }],
        }),
      }));
    }
  }
}

async function cloudFormationFor(account: string, region: string): Promise<CloudFormationClient> {
  const sts = new STSClient({ region: 'us-east-1' });
  const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/setup`, RoleSessionName: 'setup' }));
  const credentials = { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken };
  return new CloudFormationClient({ region, credentials });
}

async function verify(args: string[] = [], input: TopologyInput = TOPOLOGY) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runCli(['verify', '--topology', topologyFile(input), ...args], { stdout, stderr, env: process.env });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

async function verifyJson(args: string[] = [], input: TopologyInput = TOPOLOGY) {
  const { code, stdout } = await verify(['--json', ...args], input);
  const report = JSON.parse(stdout) as VerifyReport;
  const problems = report.environments.flatMap((e) => e.checks.filter((c) => c.status !== 'pass').map((c) => ({ env: e.id, ...c })));
  return { code, report, problems };
}

describeAgainstMoto('verify against moto_server', () => {

  test('a correct deployment passes, reading the other accounts through the look-up role', async () => {
    await deploy();
    const { code, report, problems } = await verifyJson();
    expect(problems).toEqual([]);
    expect(code).toBe(0);
    expect(report.environments.map((e) => e.role)).toEqual([
      null,
      null,
      'arn:aws:iam::111111111111:role/cdk-hnb659fds-lookup-role-111111111111-eu-central-1',
      'arn:aws:iam::222222222222:role/cdk-hnb659fds-lookup-role-222222222222-ap-southeast-2',
    ]);
    const access = report.environments[2].checks.find((c) => c.check === 'access');
    expect(access?.detail).toContain('assumed-role/cdk-hnb659fds-lookup-role-111111111111-eu-central-1');
    // source: access + 2 replication + 2 repository; each destination: access + 2 × 3,
    // plus 2 policy rows and the policy scope row when cross-account; the source: + nothing replicated unmanaged
    expect(report.summary).toMatchObject({ environments: 4, checks: 6 + 7 + 10 + 10, failed: 0, errors: 0 });
  });

  test('the table names each environment and ends with the summary', async () => {
    await deploy();
    const { code, stdout, stderr } = await verify();
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain('destination 111111111111-eu-central-1 (via arn:aws:iam::111111111111:role/cdk-hnb659fds-lookup-role-111111111111-eu-central-1): ok, 10/10 checks passed');
    expect(stdout).toMatch(/^OK: 33 passed, 0 failed, 0 errors in 4 environments$/m);
  });

  test('a destination repository with AES-256 fails, naming the repository and the Region', async () => {
    await deploy({ aes256: '111111111111-eu-central-1/team/api' });
    const { code, problems } = await verifyJson();
    expect(code).toBe(1);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ env: '111111111111-eu-central-1', check: 'encryption', repository: 'team/api', status: 'fail' });
    expect(problems[0].detail).toContain('team/api in 111111111111/eu-central-1 is encrypted with AES256');
  });

  test('a missing destination repository fails, naming the repository and the Region', async () => {
    await deploy({ missing: `${MOTO_ACCOUNT}-eu-west-1/app` });
    const { code, problems } = await verifyJson();
    expect(code).toBe(1);
    expect(problems).toEqual([{
      env: `${MOTO_ACCOUNT}-eu-west-1`, check: 'repository', repository: 'app', status: 'fail', detail: `app does not exist in ${MOTO_ACCOUNT}/eu-west-1`,
    }]);
  });

  test('a destination missing from the replication rule fails every repository at the source', async () => {
    await deploy({ notReplicatedTo: '222222222222-ap-southeast-2' });
    const { code, problems } = await verifyJson();
    expect(code).toBe(1);
    expect(problems.map((p) => `${p.env} ${p.check} ${p.repository}: ${p.detail}`)).toEqual([
      `${MOTO_ACCOUNT}-us-east-1 replication app: no replication rule sends app to 222222222222/ap-southeast-2`,
      `${MOTO_ACCOUNT}-us-east-1 replication team/api: no replication rule sends team/api to 222222222222/ap-southeast-2`,
    ]);
  });

  test('a registry policy without the source account fails, naming the repository and the Region', async () => {
    await deploy({ policyForOtherAccount: '222222222222-ap-southeast-2' });
    const { code, problems } = await verifyJson();
    expect(code).toBe(1);
    expect(problems.map((p) => `${p.env} ${p.check} ${p.repository ?? p.detail}`)).toEqual([
      '222222222222-ap-southeast-2 registry-policy app',
      '222222222222-ap-southeast-2 registry-policy team/api',
      expect.stringContaining('222222222222-ap-southeast-2 registry-policy the registry policy of 222222222222/ap-southeast-2 grants principals other than the source account'),
    ]);
    expect(problems[0].detail).toBe(`the registry policy of 222222222222/ap-southeast-2 does not allow ${MOTO_ACCOUNT} ecr:ReplicateImage on app`);
  });

  test('a registry policy that also grants ecr:CreateRepository is drift, with what to do', async () => {
    await deploy({ policyGrantsCreateRepository: '222222222222-ap-southeast-2' });
    const { code, problems } = await verifyJson();
    expect(code).toBe(1);
    expect(problems).toEqual([expect.objectContaining({
      env: '222222222222-ap-southeast-2',
      check: 'registry-policy',
      status: 'fail',
      detail: expect.stringContaining('grants ecr:CreateRepository in statement "ReplicationFromSource"'),
      fix: expect.stringContaining('remove ecr:CreateRepository'),
    })]);
  });

  test('--no-assume-role reads every registry with the current credentials', async () => {
    const sameAccount = { ...TOPOLOGY, destinations: [SAME_ACCOUNT_DESTINATION] };
    await deploy({}, sameAccount);
    const { code, report } = await verifyJson(['--no-assume-role'], sameAccount);
    expect(code).toBe(0);
    expect(report.environments.map((e) => e.role)).toEqual([null, null]);
    // Without a role, another account cannot be reached: said once per environment, no stack trace.
    const other = await verifyJson(['--no-assume-role']);
    expect(other.code).toBe(1);
    expect(other.problems.filter((p) => p.check === 'access').map((p) => p.detail)).toEqual([
      `the credentials are for account ${MOTO_ACCOUNT}, not 111111111111: use --assume-role other-accounts (the default)`,
      `the credentials are for account ${MOTO_ACCOUNT}, not 222222222222: use --assume-role other-accounts (the default)`,
    ]);
  });

  test('more repositories than one DescribeRepositories call takes: every missing one is found', async () => {
    const many = {
      ...TOPOLOGY,
      destinations: [SAME_ACCOUNT_DESTINATION],
      repositories: Array.from({ length: 110 }, (_, i) => repo(`app-${String(i).padStart(3, '0')}`)),
    };
    await deploy({ missing: `${MOTO_ACCOUNT}-eu-west-1/app-105` }, many);
    const { code, problems } = await verifyJson([], many);
    expect(code).toBe(1);
    expect(problems.map((p) => `${p.env} ${p.check} ${p.repository}`)).toEqual([`${MOTO_ACCOUNT}-eu-west-1 repository app-105`]);
  });

  test('--dead-letter-queue reads each queue\'s depth in its own account through the look-up role (SQS GetQueueAttributes)', async () => {
    await deploy();
    const name = 'ecr-kms-replication-forwarding-dead-letters';
    const { Credentials: setup } = await new STSClient({ region: 'us-east-1' })
      .send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111111111111:role/setup', RoleSessionName: 'setup' }));
    const sqs = new SQSClient({
      region: 'eu-central-1',
      credentials: { accessKeyId: setup!.AccessKeyId!, secretAccessKey: setup!.SecretAccessKey!, sessionToken: setup!.SessionToken },
    });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    // The URL as AWS gives it (moto answers with its own endpoint): the path names the account and the queue.
    const url = `https://sqs.eu-central-1.amazonaws.com/111111111111/${name}`;
    expect(QueueUrl).toMatch(new RegExp(`/111111111111/${name}$`));

    const empty = await verifyJson(['--dead-letter-queue', url]);
    expect(empty.code).toBe(0);
    expect(empty.report.environments.find((e) => e.id === '111111111111-eu-central-1')!.checks.find((c) => c.check === 'dead-letter-queue'))
      .toEqual({ check: 'dead-letter-queue', status: 'pass', detail: `no message in ${name}` });

    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '{"detail-type":"ECR Replication Action"}' }));
    const waiting = await verifyJson(['--dead-letter-queue', url]);
    expect(waiting.code).toBe(1);
    expect(waiting.problems).toEqual([expect.objectContaining({ env: '111111111111-eu-central-1', check: 'dead-letter-queue', status: 'fail' })]);
    sqs.destroy();
  });

  test('--images reads the images of each source repository', async () => {
    await deploy();
    const { code, report } = await verifyJson(['--images', '3']);
    expect(code).toBe(0);
    expect(report.environments[0].checks.filter((c) => c.check === 'image-replication')).toEqual([
      { check: 'image-replication', repository: 'app', status: 'pass', detail: 'no image' },
      { check: 'image-replication', repository: 'team/api', status: 'pass', detail: 'no image' },
    ]);
  });

  test('a key alias missing in a destination is an error for its repositories', async () => {
    await deploy();
    const { code, problems } = await verifyJson([], { ...TOPOLOGY, keyAlias: 'alias/other' });
    expect(code).toBe(1);
    expect(problems.filter((p) => p.check === 'encryption').every((p) => p.status === 'error' && p.detail.includes('cannot resolve alias/other'))).toBe(true);
  });

  // moto's CloudFormation keeps stacks, their outputs and resources (it drops ECR settings, so the stack holds a queue here).
  test('a stack of ours the topology no longer produces is a warning naming the delete command (ListStacks, DescribeStacks)', async () => {
    await deploy();
    const model = validateTopology(TOPOLOGY);
    const used = new Set(groupRepositories(model.repositories).keys());
    const group = [1, 2, 3, 4, 5, 6, 7, 8].find((g) => !used.has(g))!;
    const name = repositoriesStackName('destination', { account: '111111111111', region: 'eu-central-1' }, group);
    const cloudformation = await cloudFormationFor('111111111111', 'eu-central-1');
    await cloudformation.send(new CreateStackCommand({
      StackName: name,
      TemplateBody: JSON.stringify({
        Resources: { Queue: { Type: 'AWS::SQS::Queue' } },
        Outputs: { ReplicationSource: { Value: model.source.id } },
      }),
    }));
    const { code, problems } = await verifyJson();
    expect(code).toBe(0);
    expect(problems).toEqual([expect.objectContaining({
      env: '111111111111-eu-central-1',
      check: 'stale-stack',
      status: 'warn',
      fix: `delete it with credentials of account 111111111111: aws cloudformation delete-stack --stack-name ${name} --region eu-central-1`,
    })]);
  });
});
