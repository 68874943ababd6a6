/**
 * `import` in-process, with fake registries: what it writes where, what it
 * says on stderr, which roles it reads through, and its exit codes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseTopology } from '@ecr-kms-replication/stacks';
import { temporaryDirectory } from '@ecr-kms-replication/testing';
import { runCli } from '../../src/cli';
import { CliContext } from '../../src/context';
import { PLACEHOLDERS } from '../../src/import/topology';
import { RepositoryData } from '../../src/registry/data';
import { Capture, FakeRegistry, fakeReaders } from '../fixtures';

/** The repository root, where the stacks package holds the topology's JSON Schema. */
const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const SCHEMA_FILE = path.join(ROOT, 'packages', 'stacks', 'schema', 'topology.schema.json');

/** Made at load time: temporaryDirectory registers its clean-up, which a test cannot do. */
const TMP = temporaryDirectory();
/** A new, empty folder for one test, removed with TMP. */
const caseDir = () => fs.mkdtempSync(path.join(TMP, 'case-'));

const repository = (name: string, extra: Partial<RepositoryData> = {}): RepositoryData =>
  ({ name, encryptionType: 'AES256', imageTagMutability: 'IMMUTABLE', scanOnPush: true, ...extra });

/** A source registry of account 111111111111 in us-east-1 that replicates two repositories to two destinations. */
function source(overrides: Partial<FakeRegistry> = {}): Record<string, FakeRegistry> {
  return {
    '111111111111-us-east-1': {
      account: '111111111111',
      rules: [{
        destinations: [{ region: 'eu-west-1', registryId: '111111111111' }, { region: 'eu-central-1', registryId: '222222222222' }],
        repositoryFilters: [{ filter: 'app', filterType: 'PREFIX_MATCH' }, { filter: 'team/api', filterType: 'PREFIX_MATCH' }],
      }],
      repositories: new Map([['app', repository('app')], ['team/api', repository('team/api', { imageTagMutability: 'MUTABLE' })], ['other', repository('other')]]),
      ...overrides,
    },
  };
}

async function run(argv: string[], extra: Partial<CliContext> = {}) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runCli(argv, { stdout, stderr, env: {}, ...extra });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

function filled(text: string): string {
  return text
    .replace(PLACEHOLDERS.connectionArn, 'arn:aws:codeconnections:us-east-1:333333333333:connection/00000000-0000-0000-0000-000000000000')
    .replace(PLACEHOLDERS.repository, 'my-org/ecr-kms-replication');
}

describe('import', () => {
  test('writes the topology to stdout, its $schema line relative to apps/pipeline, and exits 0', async () => {
    const { readerFor, roles } = fakeReaders(source());
    const { code, stdout, stderr } = await run(['import', '--region', 'us-east-1'], { readerFor });
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout.split('\n')[0]).toBe('# yaml-language-server: $schema=../../packages/stacks/schema/topology.schema.json');
    expect(path.resolve(ROOT, 'apps', 'pipeline', '../../packages/stacks/schema/topology.schema.json')).toBe(SCHEMA_FILE);
    const model = parseTopology(filled(stdout));
    expect(model.source.id).toBe('111111111111-us-east-1');
    expect(model.destinations.map((d) => d.id)).toEqual(['111111111111-eu-west-1', '222222222222-eu-central-1']);
    expect(model.repositories.map((r) => [r.name, r.existing, r.imageTagMutability])).toEqual([['app', true, 'IMMUTABLE'], ['team/api', true, 'MUTABLE']]);
    // The credentials' own account: no role; then the destinations (what they already hold), the other account through its look-up role.
    expect(roles).toEqual([undefined, undefined, 'arn:aws:iam::222222222222:role/cdk-hnb659fds-lookup-role-222222222222-eu-central-1']);
  });

  test('--output writes the file (its $schema line relative to it) and says so; an existing file needs --force', async () => {
    const { readerFor } = fakeReaders(source());
    const dir = caseDir();
    const file = path.join(dir, 'topology.yaml');
    const first = await run(['import', '--region', 'us-east-1', '--output', file], { readerFor });
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('');
    expect(first.stderr).toBe(`wrote ${file}: 2 destination(s) and 2 repository(ies) from the registry of account 111111111111 in us-east-1; `
      + 'fill in its placeholders, then run validate\n');
    const text = fs.readFileSync(file, 'utf8');
    const schema = /^# yaml-language-server: \$schema=(.*)$/m.exec(text)![1];
    expect(path.resolve(dir, schema)).toBe(SCHEMA_FILE);

    fs.writeFileSync(file, 'mine');
    const again = await run(['import', '--region', 'us-east-1', '--output', file], { readerFor });
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(`error: ${file} exists: pass --force to replace it\n`);
    expect(fs.readFileSync(file, 'utf8')).toBe('mine');

    expect((await run(['import', '--region', 'us-east-1', '--output', file, '--force'], { readerFor })).code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
  });

  test('the filled-in output passes validate', async () => {
    const { readerFor } = fakeReaders(source());
    const file = path.join(caseDir(), 'topology.yaml');
    await run(['import', '--region', 'us-east-1', '--output', file], { readerFor });
    const before = await run(['validate', '--topology', file]);
    expect(before.code).toBe(2);
    expect(before.stderr).toContain('pipeline.connectionArn');
    fs.writeFileSync(file, filled(fs.readFileSync(file, 'utf8')));
    const after = await run(['validate', '--topology', file]);
    expect(after.stderr).toBe('');
    expect(after.code).toBe(0);
  });

  test('what cannot be expressed: a warning line each on stderr, the same notes in the file, exit 0', async () => {
    const { readerFor } = fakeReaders(source({
      rules: [
        { destinations: [{ region: 'eu-west-1', registryId: '111111111111' }], repositoryFilters: [{ filter: 'app', filterType: 'PREFIX_MATCH' }, { filter: 'legacy/', filterType: 'PREFIX_MATCH' }] },
      ],
      lifecyclePolicies: new Map([['app', '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":30},"action":{"type":"expire"}}]}']]),
    }));
    const { code, stdout, stderr } = await run(['import', '--region', 'us-east-1'], { readerFor });
    expect(code).toBe(0);
    const warnings = stderr.trimEnd().split('\n');
    expect(warnings).toEqual([
      "warning: rule 1: filter 'legacy/' matches no repository of the registry: nothing imported for it (the topology lists repositories, not prefixes).",
      expect.stringMatching(/^warning: repository app: its lifecycle policy has rules the topology's lifecycle .* cannot express: rule 1 \(tagStatus=any, countType=sinceImagePushed/),
    ]);
    expect(stdout).toContain('# Not imported as it is (2 notes, also printed by the import):');
    expect(stdout).toContain("#   - rule 1: filter 'legacy/' matches no repository");
  });

  test('reads the lifecycle policies of the replicated repositories only', async () => {
    const registries = source();
    const { readerFor } = fakeReaders(registries);
    const asked: string[] = [];
    const spying = (o: Parameters<typeof readerFor>[0]) => {
      const reader = readerFor(o);
      return { ...reader, lifecyclePolicy: (name: string) => { asked.push(name); return reader.lifecyclePolicy(name); } };
    };
    expect((await run(['import', '--region', 'us-east-1'], { readerFor: spying })).code).toBe(0);
    expect(asked.sort()).toEqual(['app', 'team/api']);
  });

  test('a registry without a replication configuration: nothing to import, exit 1', async () => {
    const { readerFor } = fakeReaders(source({ rules: [] }));
    const { code, stdout, stderr } = await run(['import', '--region', 'us-east-1'], { readerFor });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe('error: the registry of account 111111111111 in us-east-1 has no replication configuration: nothing to import\n');
  });

  test('a registry that cannot be read: one error line, exit 1, nothing written', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: ecr:DescribeRegistry'), { name: 'AccessDeniedException' });
    const { readerFor } = fakeReaders(source());
    const failing = (o: Parameters<typeof readerFor>[0]) => ({ ...readerFor(o), replicationRules: () => Promise.reject(denied) });
    const file = path.join(caseDir(), 'topology.yaml');
    const { code, stdout, stderr } = await run(['import', '--region', 'us-east-1', '--output', file], { readerFor: failing });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe('error: cannot read the registry of account 111111111111 in us-east-1: access denied in us-east-1: '
      + 'User is not authorized to perform: ecr:DescribeRegistry\n');
    expect(fs.existsSync(file)).toBe(false);
  });

  test('credentials that cannot be used: one error line, exit 1', async () => {
    const readerFor = () => ({
      callerArn: () => Promise.reject(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' })),
    }) as never;
    const { code, stderr } = await run(['import', '--region', 'us-east-1'], { readerFor });
    expect(code).toBe(1);
    expect(stderr).toBe('error: no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\n');
  });

  test('--account reads another account through the look-up role, or --role-name; --no-assume-role cannot', async () => {
    const other = { '222222222222-eu-west-1': source()['111111111111-us-east-1'] };
    const lookup = fakeReaders(other);
    const viaRole = await run(['import', '--region', 'eu-west-1', '--account', '222222222222'], { readerFor: lookup.readerFor });
    expect(viaRole.code).toBe(0);
    expect(lookup.roles.slice(0, 1)).toEqual(['arn:aws:iam::222222222222:role/cdk-hnb659fds-lookup-role-222222222222-eu-west-1']);
    expect(parseTopology(filled(viaRole.stdout)).source.id).toBe('222222222222-eu-west-1');

    const named = fakeReaders(other);
    expect((await run(['import', '--region', 'eu-west-1', '--account', '222222222222', '--role-name', 'importer'], { readerFor: named.readerFor })).code).toBe(0);
    expect(named.roles.slice(0, 1)).toEqual(['arn:aws:iam::222222222222:role/importer']);

    const none = await run(['import', '--region', 'eu-west-1', '--account', '222222222222', '--no-assume-role'], { readerFor: fakeReaders(other).readerFor });
    expect(none.code).toBe(1);
    expect(none.stderr).toBe('error: cannot read the registry of account 222222222222 in eu-west-1: the credentials are for account '
      + '111111111111, not 222222222222: use --assume-role other-accounts (the default)\n');
  });

  test('--assume-role always reads even the credentials\' own account through the role', async () => {
    const { readerFor, roles } = fakeReaders(source());
    expect((await run(['import', '--region', 'us-east-1', '--assume-role', 'always', '--role-name', 'reader'], { readerFor })).code).toBe(0);
    expect(roles.slice(0, 1)).toEqual(['arn:aws:iam::111111111111:role/reader']);
  });

  test('an output file that cannot be written: exit 1', async () => {
    const { readerFor } = fakeReaders(source());
    const file = path.join(caseDir(), 'no-such-folder', 'topology.yaml');
    const { code, stderr } = await run(['import', '--region', 'us-east-1', '--output', file], { readerFor });
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`^error: cannot write ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ENOENT`));
  });

  test.each([
    [['import']],
    [['import', '--region', 'Europe']],
    [['import', '--region', 'us-east-1', '--account', '1234']],
    [['import', '--region', 'us-east-1', '--assume-role', 'sometimes']],
    [['import', '--region', 'us-east-1', '--topology', 'topology.yaml']],
  ])('usage error %j: exit 2', async (argv) => {
    const { code, stderr } = await run(argv, { readerFor: fakeReaders(source()).readerFor });
    expect(code).toBe(2);
    expect(stderr).not.toBe('');
  });

  test('--help names every option, the credentials and the exit codes', async () => {
    const { code, stdout } = await run(['import', '--help']);
    expect(code).toBe(0);
    const text = stdout.replace(/\s+/g, ' ');
    for (const word of ['--region', '--account', '--output', '--force', '--role-name', '--assume-role', '--no-assume-role', 'AWS_ENDPOINT_URL', 'Exit status: 0']) {
      expect(text).toContain(word);
    }
    expect((await run(['--help'])).stdout).toContain('import');
  });
});
