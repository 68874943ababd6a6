import { Capture, fakeReaders, goodRegistries, topology } from './fixtures';
import { runCli } from '../src/cli';
import { CliContext } from '../src/context';
import { TopologyApi, TopologyView } from '../src/topology';

class FakeTopologyError extends Error {
  constructor(readonly problems: { path: string; message: string }[]) {
    super(`Invalid topology (2 problems):\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
    this.name = 'TopologyError';
  }
}

function fakeApi(model: TopologyView | Error): TopologyApi & { files: string[] } {
  const files: string[] = [];
  return {
    files,
    loadTopology: (path) => {
      files.push(path);
      if (model instanceof Error) throw model;
      return model;
    },
    planSummary: () => 'the plan',
    topologyMermaid: () => 'flowchart LR\n',
  };
}

async function run(argv: string[], extra: Partial<CliContext> = {}) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runCli(argv, { stdout, stderr, env: {}, topology: fakeApi(topology()), ...extra });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('help and version', () => {
  test('--help lists the commands and exits 0', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const word of ['validate', 'plan', 'verify', '--version']) expect(stdout).toContain(word);
  });

  test('--version prints the package version', async () => {
    const { code, stdout } = await run(['--version']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  test.each([
    ['validate', ['--topology']],
    ['plan', ['--topology', '--format', 'mermaid']],
    ['verify', ['--topology', '--json', '--images', '--role-name', '--no-assume-role', '--concurrency', '--verbose', 'AWS_ENDPOINT_URL', 'Exit status']],
  ])('%s --help mentions each option', async (command, options) => {
    const { code, stdout } = await run([command, '--help']);
    expect(code).toBe(0);
    const text = stdout.replace(/\s+/g, ' ');
    for (const option of options) expect(text).toContain(option);
    expect(text).toContain('(default: $ECR_REPLICATION_TOPOLOGY, else topology.yaml)');
  });
});

describe('usage errors exit 2', () => {
  test.each([
    [['frobnicate']],
    [['verify', '--concurrency', '0']],
    [['verify', '--images', 'many']],
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
  test('a valid topology exits 0 with a summary', async () => {
    const { code, stdout } = await run(['validate', '--topology', 'mine.yaml']);
    expect(code).toBe(0);
    expect(stdout).toBe('mine.yaml is valid: source 111111111111-us-east-1, 2 destination(s) (1 cross-account), 2 repository(ies), key alias/ecr-kms-replication\n');
  });

  test('an invalid topology exits 2 with every problem on stderr', async () => {
    const error = new FakeTopologyError([{ path: 'destinations[0].region', message: 'not a Region' }, { path: 'repositories', message: 'empty' }]);
    const { code, stdout, stderr } = await run(['validate'], { topology: fakeApi(error) });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('destinations[0].region: not a Region');
    expect(stderr).toContain('repositories: empty');
  });

  test('an unreadable file exits 2 with one line', async () => {
    const { code, stderr } = await run(['validate', '-t', 'nope.yaml'], { topology: fakeApi(new Error('ENOENT: no such file')) });
    expect(code).toBe(2);
    expect(stderr).toBe('error: cannot load the topology nope.yaml: ENOENT: no such file\n');
  });

  test('the topology defaults to $ECR_REPLICATION_TOPOLOGY, then topology.yaml', async () => {
    const api = fakeApi(topology());
    await run(['validate'], { topology: api });
    await run(['validate'], { topology: api, env: { ECR_REPLICATION_TOPOLOGY: 'from-env.yaml' } });
    expect(api.files).toEqual(['topology.yaml', 'from-env.yaml']);
  });
});

describe('plan', () => {
  test('text by default, mermaid on request', async () => {
    expect((await run(['plan'])).stdout).toBe('the plan\n');
    expect((await run(['plan', '--format', 'mermaid'])).stdout).toBe('flowchart LR\n');
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

  test('a topology error exits 2', async () => {
    const { code } = await run(['verify'], { topology: fakeApi(new FakeTopologyError([{ path: 'x', message: 'y' }])) });
    expect(code).toBe(2);
  });

  test('a progress line on a terminal, none with --json or without a terminal', async () => {
    const { readerFor } = fakeReaders(goodRegistries(t));
    const tty = new Capture(true);
    await runCli(['verify'], { stdout: new Capture(), stderr: tty, env: {}, topology: fakeApi(t), readerFor });
    expect(tty.text).toContain('verifying: 3/3 environments done');
    const ttyJson = new Capture(true);
    await runCli(['verify', '--json'], { stdout: new Capture(), stderr: ttyJson, env: {}, topology: fakeApi(t), readerFor });
    expect(ttyJson.text).toBe('');
    expect((await run(['verify'], { readerFor })).stderr).toBe('');
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
