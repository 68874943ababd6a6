import * as path from 'path';
import { planSummary, topologyMermaid } from '@ecr-kms-replication/stacks';
import { Capture, fakeReaders, goodRegistries, topology, topologyFile, topologyInput } from './fixtures';
import { createProgram, runCli } from '../src/cli';
import { CliContext } from '../src/context';

/** The fixtures' topology as a file; every command reads it through $ECR_REPLICATION_TOPOLOGY unless told otherwise. */
const VALID = topologyFile(topologyInput());

/** Two mistakes, on lines 6 and 7. */
const INVALID = topologyFile([
  'source:',
  '  account: "111111111111"',
  '  region: us-east-1',
  'destinations:',
  '  - account: "222222222222"',
  '    region: eu-wst-1',
  'repositories: []',
  'pipeline:',
  '  account: "333333333333"',
  '  region: us-east-1',
  '  connectionArn: arn:aws:codeconnections:us-east-1:333333333333:connection/00000000-0000-0000-0000-000000000000',
  '  repository: my-org/ecr-kms-replication',
  '',
].join('\n'));

const INVALID_REPORT = [
  `${INVALID} is not valid (2 problems):`,
  "  - destinations[0].region (line 6): is not a known AWS Region code; did you mean 'eu-west-1'? (value: \"eu-wst-1\")",
  '  - repositories (line 7): must list at least one repository (value: [])',
  '',
].join('\n');

async function run(argv: string[], extra: Partial<CliContext> = {}) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runCli(argv, { stdout, stderr, env: { ECR_REPLICATION_TOPOLOGY: VALID }, ...extra });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('help and version', () => {
  test('--help lists the commands and exits 0', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const word of ['validate', 'plan', 'verify', '--version']) expect(stdout).toContain(word);
  });

  test('the description names every command', async () => {
    const { stdout } = await run(['--help']);
    const description = stdout.slice(0, stdout.indexOf('Options:'));
    const program = createProgram({ stdout: new Capture(), stderr: new Capture(), env: {} }, () => undefined);
    const commands = program.commands.map((command) => command.name());
    expect(commands).toEqual(expect.arrayContaining(['validate', 'plan', 'preflight', 'import', 'backfill', 'verify']));
    for (const command of commands) expect(description).toMatch(new RegExp(`\\b${command}\\b`));
  });

  test('--verbose is offered where there are checks to list, and only there', async () => {
    for (const command of ['verify', 'preflight']) expect((await run([command, '--help'])).stdout).toContain('--verbose');
    const backfill = await run(['backfill', '--help']);
    expect(backfill.code).toBe(0);
    expect(backfill.stdout).not.toContain('--verbose');
    expect((await run(['backfill', '--verbose'])).code).toBe(2);
  });

  test('--version prints the package version', async () => {
    const { code, stdout } = await run(['--version']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  test.each([
    ['validate', ['--topology']],
    ['plan', ['--topology', '--format', 'mermaid']],
    ['verify', ['--topology', '--json', '--images', '--dead-letter-queue', '--role-name', '--assume-role', '--no-assume-role', '--concurrency', '--verbose', 'AWS_ENDPOINT_URL', 'Exit status']],
  ])('%s --help mentions each option', async (command, options) => {
    const { code, stdout } = await run([command, '--help']);
    expect(code).toBe(0);
    const text = stdout.replace(/\s+/g, ' ');
    for (const option of options) expect(text).toContain(option);
    expect(text).toContain('(default: $ECR_REPLICATION_TOPOLOGY, else topology.yaml, else apps/pipeline/topology.yaml)');
  });
});

describe('usage errors exit 2', () => {
  test.each([
    [['frobnicate']],
    [['verify', '--concurrency', '0']],
    [['verify', '--images', 'many']],
    [['verify', '--dead-letter-queue', 'arn:aws:sqs:us-east-1:333333333333:dead-letters']],
    [['plan', '--format', 'svg']],
    [['validate', '--no-such-option']],
    [[]],
  ])('%j', async (argv) => {
    const { code, stderr } = await run(argv);
    expect(code).toBe(2);
    expect(stderr).not.toBe('');
  });
});

describe('validate', () => {
  test('a valid topology exits 0 with a one-line summary', async () => {
    const file = topologyFile(topologyInput(), 'mine.yaml');
    const { code, stdout, stderr } = await run(['validate', '--topology', file]);
    expect(code).toBe(0);
    expect(stdout).toBe(`${file} is valid: source 111111111111-us-east-1, 2 destination(s) (1 cross-account), 2 repository(ies), key alias/ecr-kms-replication\n`);
    expect(stderr).toBe('');
  });

  test('an invalid topology exits 2 with every problem and its line on stderr', async () => {
    const { code, stdout, stderr } = await run(['validate', '--topology', INVALID]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(INVALID_REPORT);
  });

  test('a file that is not YAML exits 2, pointing at the line and column', async () => {
    const file = topologyFile('source:\n  account: "111111111111\n  region: us-east-1\n');
    const { code, stdout, stderr } = await run(['validate', '--topology', file]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`^${escape(file)} is not valid YAML \\(\\d+ problems?\\):\n  - line \\d+, column \\d+: `));
  });

  test('from the repository root, without topology.yaml there, the file `npm run synth` reads is used', async () => {
    const cwd = process.cwd();
    process.chdir(path.join(__dirname, '..', '..', '..'));
    try {
      const { code, stdout } = await run(['validate'], { env: {} });
      expect(code).toBe(0);
      expect(stdout).toMatch(/^apps\/pipeline\/topology\.yaml is valid: /);
    } finally {
      process.chdir(cwd);
    }
  });

  test('a missing file exits 2 with the reason and where topologies are looked for', async () => {
    const missing = path.join(path.dirname(VALID), 'nope.yaml');
    const { code, stdout, stderr } = await run(['validate', '-t', missing]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`${missing} cannot be read: file not found (looked for ${missing})\n`
      + 'hint: name the file with --topology FILE or ECR_REPLICATION_TOPOLOGY; without either, topology.yaml and then '
      + 'apps/pipeline/topology.yaml are tried (`npm run synth` reads apps/pipeline/topology.yaml)\n');
  });

  test('the topology defaults to $ECR_REPLICATION_TOPOLOGY, then topology.yaml', async () => {
    const inFolder = topologyFile(topologyInput(), 'topology.yaml');
    const fromEnv = topologyFile(topologyInput(), 'from-env.yaml');
    const cwd = process.cwd();
    process.chdir(path.dirname(inFolder));
    try {
      expect((await run(['validate'], { env: {} })).stdout).toMatch(/^topology\.yaml is valid: /);
      expect((await run(['validate'], { env: { ECR_REPLICATION_TOPOLOGY: fromEnv } })).stdout).toMatch(new RegExp(`^${escape(fromEnv)} is valid: `));
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('plan', () => {
  const model = topology();

  test('text by default: the stacks package\'s plan summary', async () => {
    const { code, stdout } = await run(['plan']);
    expect(code).toBe(0);
    expect(stdout).toBe(planSummary(model));
    expect(stdout).toContain('111111111111-us-east-1');
  });

  test('--format mermaid: the diagram', async () => {
    const { code, stdout } = await run(['plan', '--format', 'mermaid']);
    expect(code).toBe(0);
    expect(stdout).toBe(topologyMermaid(model));
    expect(stdout).toMatch(/^flowchart /);
  });
});

describe.each(['validate', 'plan', 'verify'])('%s with an invalid topology', (command) => {
  test('exits 2 with the report on stderr and nothing on stdout', async () => {
    const { readerFor, roles } = fakeReaders({});
    const { code, stdout, stderr } = await run([command, '--topology', INVALID], { readerFor });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(INVALID_REPORT);
    expect(roles).toEqual([]);
  });
});

describe('verify', () => {
  const t = topology();

  test('exits 0 when every check holds', async () => {
    const { readerFor } = fakeReaders(goodRegistries(t));
    const { code, stdout } = await run(['verify'], { readerFor });
    expect(code).toBe(0);
    expect(stdout).toContain('OK: ');
  });

  test('--dead-letter-queue (several, as the scheduled build passes them) fails on a message waiting and says what to do', async () => {
    const url = (account: string, region: string, name: string) => `https://sqs.${region}.amazonaws.com/${account}/${name}`;
    const alerts = url('333333333333', 'us-east-1', 'ecr-kms-replication-alerts-dead-letters');
    const forwarding = url(t.destinations[1].account, t.destinations[1].region, 'ecr-kms-replication-forwarding-dead-letters');
    const registries = goodRegistries(t);
    registries['333333333333-us-east-1'] = { account: '333333333333', queues: new Map([[alerts, 0]]) };
    registries[t.destinations[1].id].queues = new Map([[forwarding, 2]]);
    const { code, stdout } = await run(['verify', '--dead-letter-queue', alerts, forwarding], { readerFor: fakeReaders(registries).readerFor });
    expect(code).toBe(1);
    expect(stdout).toContain(`2 messages wait in ${forwarding}`);
    expect(stdout).toContain('aws sqs purge-queue');
    expect(stdout).toContain('alerts 333333333333-us-east-1');
  });

  test('exits 1 when a check fails, and --json prints the report', async () => {
    const registries = goodRegistries(t);
    registries[t.destinations[0].id].repositories!.delete('app');
    const { readerFor } = fakeReaders(registries);
    const { code, stdout } = await run(['verify', '--json'], { readerFor });
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.ok).toBe(false);
    expect(report.summary.failed).toBe(1);
    expect(report.environments.map((e: { id: string }) => e.id)).toEqual([t.source.id, ...t.destinations.map((d) => d.id)]);
  });

  test('a progress line on a terminal, none with --json or without a terminal', async () => {
    const { readerFor } = fakeReaders(goodRegistries(t));
    const tty = new Capture(true);
    await runCli(['verify'], { stdout: new Capture(), stderr: tty, env: { ECR_REPLICATION_TOPOLOGY: VALID }, readerFor });
    expect(tty.text).toContain('verifying: 3/3 environments done');
    const ttyJson = new Capture(true);
    await runCli(['verify', '--json'], { stdout: new Capture(), stderr: ttyJson, env: { ECR_REPLICATION_TOPOLOGY: VALID }, readerFor });
    expect(ttyJson.text).toBe('');
    expect((await run(['verify'], { readerFor })).stderr).toBe('');
  });

  test('credentials that cannot be used: one error line on stderr, exit 1; --json keeps it in the JSON', async () => {
    const readerFor = () => ({
      callerArn: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5999'), { code: 'ECONNREFUSED' })),
    }) as never;
    const plain = await run(['verify'], { readerFor, env: { ECR_REPLICATION_TOPOLOGY: VALID, AWS_ENDPOINT_URL: 'http://127.0.0.1:5999' } });
    expect(plain.code).toBe(1);
    expect(plain.stdout).toBe('');
    expect(plain.stderr).toBe('error: cannot reach http://127.0.0.1:5999 (AWS_ENDPOINT_URL, ECONNREFUSED): is the endpoint running? '
      + 'Unset AWS_ENDPOINT_URL to use AWS itself\n');
    const json = await run(['verify', '--json'], { readerFor });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, environments: [], error: expect.stringContaining('ECONNREFUSED') });
    expect(json.stderr).toBe('');
  });

  test('--assume-role always also reads the credentials\' own account through the role (the pipeline\'s CodeBuild)', async () => {
    const { readerFor, roles } = fakeReaders(goodRegistries(t));
    expect((await run(['verify', '--assume-role', 'always', '--role-name', 'reader'], { readerFor })).code).toBe(0);
    expect(roles).toEqual([
      'arn:aws:iam::111111111111:role/reader', 'arn:aws:iam::111111111111:role/reader', 'arn:aws:iam::222222222222:role/reader',
    ]);
    expect((await run(['verify', '--assume-role', 'sometimes'])).code).toBe(2);
  });

  test('--no-assume-role and --role-name decide the roles', async () => {
    const first = fakeReaders(goodRegistries(t));
    await run(['verify', '--role-name', 'reader-{region}'], { readerFor: first.readerFor });
    expect(first.roles).toEqual([undefined, undefined, 'arn:aws:iam::222222222222:role/reader-eu-central-1']);
    const second = fakeReaders(goodRegistries(t));
    await run(['verify', '--no-assume-role'], { readerFor: second.readerFor });
    expect(second.roles).toEqual([undefined, undefined, undefined]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
