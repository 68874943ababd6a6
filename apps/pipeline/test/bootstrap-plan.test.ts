import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { validateTopology } from '@ecr-kms-replication/stacks';
import { emulatorEnv, findOnPath, MotoServer, temporaryDirectory } from '@ecr-kms-replication/testing';
import { generatedTopology } from './topologies';
import { bootstrapPlan, bootstrapSteps } from '../src/bootstrap-plan';

const REPO_ROOT = path.join(__dirname, '..', '..', '..');
const PIPELINE = {
  account: '333333333333',
  region: 'us-east-1',
  connectionArn: 'arn:aws:codeconnections:us-east-1:333333333333:connection/00000000-0000-0000-0000-000000000000',
  repository: 'my-org/ecr-kms-replication',
};
const putPolicy = (account: string, name: string, file: string) => `bash apps/pipeline/bin/put-policy.sh ${account} ${name} apps/pipeline/${file}`;

describe('the bootstrap plan of a topology with a tools account', () => {
  // Source 111111111111/us-east-1; destinations alternate over 111111111111, 222222222222 and 333333333333.
  const topology = generatedTopology({ destinations: 4, repositories: 1 });
  const plan = bootstrapPlan(topology);
  const steps = bootstrapSteps(topology);

  test('creates or updates the boundary, then the deployment policy, before bootstrapping each target environment', () => {
    const target = steps.find((s) => s.account === '222222222222')!;
    expect(target.commands.slice(0, 2)).toEqual([
      putPolicy('222222222222', 'ecr-kms-replication-boundary', 'permissions-boundary.json'),
      putPolicy('222222222222', 'ecr-kms-replication-deploy', 'cfn-execution-policy.json'),
    ]);
    expect(target.commands.slice(2).every((c) => c.startsWith('npx cdk bootstrap aws://222222222222/')
      && c.endsWith('--trust 333333333333 --cloudformation-execution-policies arn:aws:iam::222222222222:policy/ecr-kms-replication-deploy'))).toBe(true);
  });

  test('never prints a command that fails when run a second time', () => {
    expect(plan).not.toContain('aws iam create-policy');
    for (const line of plan.split('\n').filter((l) => l && !l.startsWith('#'))) {
      expect(line).toMatch(/^(npx cdk bootstrap |bash apps\/pipeline\/bin\/put-policy\.sh |\(cd apps\/pipeline && npx cdk deploy Pipeline\))/);
    }
  });

  test('says that it can run again and how a changed policy is applied', () => {
    expect(plan).toContain('# Every command can run again: cdk bootstrap updates an environment in place, and put-policy.sh');
    expect(plan).toContain('# creates a missing policy or makes the file\'s document its default version (keeping at most 5).');
    expect(plan).toContain('# After a change to apps/pipeline/cfn-execution-policy.json or apps/pipeline/permissions-boundary.json,');
    expect(plan).toContain('# run the put-policy.sh lines again in every target account');
  });

  test('gives every target account its boundary, once', () => {
    for (const account of ['111111111111', '222222222222', '333333333333']) {
      expect(plan.split('\n').filter((l) => l === putPolicy(account, 'ecr-kms-replication-boundary', 'permissions-boundary.json'))).toHaveLength(1);
    }
  });
});

test('a pipeline environment that is also the only target of its account still gets the boundary, and no deployment policy', () => {
  const topology = validateTopology({
    source: { account: '333333333333', region: 'us-east-1' },
    destinations: [{ account: '222222222222', region: 'eu-west-1' }],
    repositories: [{ name: 'app' }],
    pipeline: PIPELINE,
  }, 'test topology');
  const step = bootstrapSteps(topology).find((s) => s.account === '333333333333' && s.title.startsWith('Target'))!;
  expect(step.commands).toEqual([putPolicy('333333333333', 'ecr-kms-replication-boundary', 'permissions-boundary.json')]);
  expect(bootstrapPlan(topology)).toContain('keeps the\n# default execution policy (AdministratorAccess)');
});

/**
 * put-policy.sh for real, with the AWS CLI against moto_server's IAM. Skipped
 * with a warning without moto_server or the aws CLI, except on CI (CI=true).
 */
const MOTO_SERVER = findOnPath('moto_server');
const AWS_CLI = findOnPath('aws');
const MOTO_ACCOUNT = '123456789012';

if ((!MOTO_SERVER || !AWS_CLI) && process.env.CI === 'true') {
  test('moto_server and the aws CLI are installed (required on CI)', () => {
    throw new Error('moto_server or aws not found on PATH: the put-policy.sh test cannot be skipped on CI (CI=true)');
  });
} else if (!MOTO_SERVER || !AWS_CLI) {
  console.warn('moto_server or aws not found: skipping the put-policy.sh test');
  test.skip('put-policy.sh against moto_server', () => undefined);
} else {
  describe('put-policy.sh against moto_server', () => {
    let moto: MotoServer;
    const dir = temporaryDirectory();
    const arn = `arn:aws:iam::${MOTO_ACCOUNT}:policy/ecr-kms-replication-boundary`;
    const documentFile = (sid: string) => {
      const file = path.join(dir, `${sid}.json`);
      fs.writeFileSync(file, JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: sid, Effect: 'Allow', Action: 'ecr:DescribeRegistry', Resource: '*' }] }));
      return file;
    };
    const env = () => ({ ...process.env, ...emulatorEnv(moto.endpoint), AWS_DEFAULT_REGION: 'us-east-1' }) as NodeJS.ProcessEnv;
    const run = async (account: string, file: string) => {
      try {
        const { stdout } = await promisify(execFile)('bash', ['apps/pipeline/bin/put-policy.sh', account, 'ecr-kms-replication-boundary', file],
          { cwd: REPO_ROOT, env: env() });
        return { code: 0, out: stdout.trim() };
      } catch (error) {
        const e = error as { code: number; stderr: string };
        return { code: e.code, out: e.stderr.trim() };
      }
    };
    const aws = async (...args: string[]) => JSON.parse((await promisify(execFile)('aws', [...args, '--output', 'json'], { env: env() })).stdout);

    beforeAll(async () => {
      moto = await MotoServer.start(MOTO_SERVER);
    }, 60_000);
    afterAll(() => moto?.stop());

    test('creates, leaves an unchanged policy alone, updates, and keeps at most 5 versions', async () => {
      expect(await run(MOTO_ACCOUNT, documentFile('First'))).toEqual({ code: 0, out: `${arn}: created from ${dir}/First.json` });
      expect(await run(MOTO_ACCOUNT, documentFile('First'))).toEqual({ code: 0, out: `${arn}: already up to date (v1)` });
      for (const sid of ['Second', 'Third', 'Fourth']) {
        await aws('iam', 'create-policy-version', '--policy-arn', arn, '--policy-document', `file://${documentFile(sid)}`);
      }
      await aws('iam', 'create-policy-version', '--policy-arn', arn, '--policy-document', `file://${documentFile('Fifth')}`, '--set-as-default');
      // Five versions: the oldest one that is not the default goes before the new one is added.
      expect(await run(MOTO_ACCOUNT, documentFile('Sixth'))).toEqual({
        code: 0,
        out: `${arn}: deleted the oldest version v1 (IAM keeps at most 5)\n${arn}: updated from ${dir}/Sixth.json, now v6 (was v5)`,
      });
      const { Versions } = await aws('iam', 'list-policy-versions', '--policy-arn', arn);
      expect(Versions.map((v: { VersionId: string; IsDefaultVersion: boolean }) => `${v.VersionId}${v.IsDefaultVersion ? '*' : ''}`).sort())
        .toEqual(['v2', 'v3', 'v4', 'v5', 'v6*']);
    }, 120_000);

    test('refuses credentials of another account than the one named', async () => {
      expect(await run('111111111111', documentFile('First'))).toEqual({
        code: 2,
        out: `put-policy: these credentials are for account ${MOTO_ACCOUNT}, not 111111111111: nothing changed`,
      });
    }, 60_000);
  });
}
