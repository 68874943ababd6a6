import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { emulatorEnv, findOnPath, MotoServer, temporaryDirectory } from '@ecr-kms-replication/testing';

const REPO_ROOT = path.join(__dirname, '..', '..', '..', '..');

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
