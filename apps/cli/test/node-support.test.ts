/**
 * The AWS SDK's NodeVersionSupportWarning: never on a supported Node.js,
 * never on standard output, and on an unsupported Node.js one line of ours
 * instead of the SDK's ten.
 */
import { execFile } from 'child_process';
import * as path from 'path';
import { promisify } from 'util';
import { topologyFile, topologyInput, repo } from './fixtures';

// A plain CommonJS file that the command's bin script loads first.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { handleUnsupportedNode, SDK_WARNING_SWITCH } = require('../bin/node-support') as {
  SDK_WARNING_SWITCH: string;
  handleUnsupportedNode: (proc: { version: string; env: Record<string, string | undefined>; stderr: { write(text: string): void } }) => void;
};

const CLI_DIR = path.join(__dirname, '..');

function fakeProcess(version: string, env: Record<string, string | undefined> = {}) {
  const written: string[] = [];
  return { version, env, stderr: { write: (text: string) => { written.push(text); } }, written };
}

describe('handleUnsupportedNode', () => {
  test.each(['v22.0.0', 'v22.22.0', 'v24.14.0'])('on a supported Node.js (%s) says nothing and leaves the SDK alone', (version) => {
    const proc = fakeProcess(version);
    handleUnsupportedNode(proc);
    expect(proc.written).toEqual([]);
    expect(proc.env).toEqual({});
  });

  test('on Node.js 20 writes one line and turns the SDK\'s ten-line warning off', () => {
    const proc = fakeProcess('v20.20.2');
    handleUnsupportedNode(proc);
    expect(proc.written).toEqual(['ecr-kms-replication: Node.js v20.20.2 is past its end of life and not supported; use Node.js 22 or later.\n']);
    expect(proc.env).toEqual({ [SDK_WARNING_SWITCH]: 'true' });
  });

  test('respects a user who set the SDK\'s switch', () => {
    const proc = fakeProcess('v20.20.2', { [SDK_WARNING_SWITCH]: 'false' });
    handleUnsupportedNode(proc);
    expect(proc.written).toEqual([]);
    expect(proc.env).toEqual({ [SDK_WARNING_SWITCH]: 'false' });
  });
});

const run = async (file: string, args: string[], env: NodeJS.ProcessEnv) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(file, args, { cwd: CLI_DIR, env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

test('the installed SDK warns on Node.js < 22 unless the switch is set, and never on standard output', async () => {
  const createClient = 'const { ECRClient } = require("@aws-sdk/client-ecr"); new ECRClient({ region: "us-east-1" }); process.stdout.write("done")';
  const major = Number(process.version.slice(1).split('.')[0]);
  const plain = await run(process.execPath, ['-e', createClient], { PATH: process.env.PATH });
  expect(plain.stdout).toBe('done');
  expect(plain.stderr.includes('NodeVersionSupportWarning')).toBe(major < 22);
  const switched = await run(process.execPath, ['-e', createClient], { PATH: process.env.PATH, [SDK_WARNING_SWITCH]: 'true' });
  expect(switched.stderr).not.toContain('NodeVersionSupportWarning');
});

test('verify --json through the bin script: standard output is the JSON report and nothing else', async () => {
  const file = topologyFile(topologyInput({
    source: { account: '123456789012', region: 'us-east-1' },
    destinations: [{ account: '123456789012', region: 'eu-west-1' }],
    repositories: [repo('app', 'IMMUTABLE')],
  }));
  // Nothing listens on port 9: every check ends in an error, quickly, and the report says so.
  const result = await run(process.execPath, [path.join(CLI_DIR, 'bin', 'ecr-kms-replication'), 'verify', '--json', '--no-assume-role', '--topology', file], {
    PATH: process.env.PATH,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    AWS_MAX_ATTEMPTS: '1',
    AWS_CONFIG_FILE: '/nonexistent/ecr-kms-replication-test/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/ecr-kms-replication-test/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  expect(result.code).toBe(1);
  expect(JSON.parse(result.stdout)).toMatchObject({ ok: false });
  expect(result.stderr).not.toContain('NodeVersionSupportWarning');
  const notices = result.stderr.split('\n').filter((line) => line.includes('is past its end of life'));
  expect(notices).toHaveLength(Number(process.version.slice(1).split('.')[0]) < 22 ? 1 : 0);
}, 90_000);
