/**
 * The README's moto recipe ("Try verify locally against the moto emulator"),
 * run as printed: its own shell commands against moto_server with the AWS
 * CLI, then the `verify` command it shows. What the commands create must be
 * what the stages synthesize for the recipe's topology (replication
 * configuration, registry policy, repositories), and `verify` must print what
 * the README shows. Skipped with a warning without moto_server or the aws
 * CLI, except on CI (CI=true).
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { DestinationStage, SourceStage, loadTopology } from '@ecr-kms-replication/stacks';
import { describeAgainstMoto, findOnPath, temporaryDirectory } from '@ecr-kms-replication/testing';
import { App } from 'aws-cdk-lib';

const REPO_ROOT = path.join(__dirname, '..', '..', '..', '..');
const AWS_CLI = findOnPath('aws');
const HEADING = '### Try verify locally against the moto emulator';

interface Recipe {
  /** The ```sh blocks, in order. */
  readonly shell: string[];
  /** The command shown after `$ ` in the ```text block, and the output shown below it. */
  readonly command: string;
  readonly output: string;
}

/** The recipe's section of the README, block by block. */
function readRecipe(): Recipe {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`${HEADING}\n`);
  if (start < 0) throw new Error(`README.md has no section "${HEADING}"`);
  const end = readme.indexOf('\n## ', start);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const blocks = [...section.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], body: m[2] }));
  const text = blocks.find((b) => b.lang === 'text');
  if (!text) throw new Error('the recipe shows no verify output');
  const [first, ...rest] = text.body.trimEnd().split('\n');
  return { shell: blocks.filter((b) => b.lang === 'sh').map((b) => b.body), command: first.replace(/^\$ /, ''), output: rest.join('\n') };
}

/** A CloudFormation value with its pseudo parameters resolved as in the commercial partition. */
function resolve(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolve);
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if ('Fn::Join' in obj) {
      const [sep, parts] = obj['Fn::Join'] as [string, unknown[]];
      return parts.map(resolve).join(sep);
    }
    if ('Ref' in obj && obj.Ref === 'AWS::Partition') return 'aws';
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, resolve(v)]));
  }
  return value;
}

/** CloudFormation's property names (`RepositoryFilters`) as the ECR API spells them (`repositoryFilters`). */
function camelCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCase);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k[0].toLowerCase() + k.slice(1), camelCase(v)]));
  }
  return value;
}

/** What the source and destination stages synthesize for the recipe's topology, by environment id. */
function synthesized() {
  const topology = loadTopology(path.join(REPO_ROOT, 'apps/pipeline/examples/moto-topology.yaml'));
  const app = new App({ outdir: temporaryDirectory('cdk-out-'), builtinCloudFormationValidation: false });
  new SourceStage(app, { topology });
  for (const destination of topology.destinations) new DestinationStage(app, { topology, destination });
  const byEnv = new Map<string, { type: string; props: Record<string, any> }[]>();
  for (const stack of app.synth().stacksRecursively) {
    const env = /-(\d{12}-[a-z0-9-]+?)(-repositories-\d+)?$/.exec(stack.stackName)![1];
    const resources = Object.values(stack.template.Resources ?? {}) as { Type: string; Properties: Record<string, any> }[];
    byEnv.set(env, [...byEnv.get(env) ?? [], ...resources.map((r) => ({ type: r.Type, props: resolve(r.Properties) as Record<string, any> }))]);
  }
  return { topology, byEnv };
}

if (!AWS_CLI && process.env.CI === 'true') {
  test('the aws CLI is installed (required on CI)', () => {
    throw new Error('aws not found on PATH: the README recipe test cannot be skipped on CI (CI=true)');
  });
} else if (!AWS_CLI) {
  console.warn('aws not found: skipping the README recipe test');
  test.skip('the README recipe against moto_server', () => undefined);
} else {
  describeAgainstMoto('the README recipe against moto_server', (moto) => {
    const recipe = readRecipe();
    const run = promisify(execFile);
    /** The environment the recipe's `export` lines leave, with this suite's emulator as the endpoint. */
    const env = () => ({ ...process.env, AWS_DEFAULT_REGION: 'us-east-1', AWS_ENDPOINT_URL: moto().endpoint });
    const aws = async (extraEnv: Record<string, string>, ...args: string[]) =>
      JSON.parse((await run('aws', [...args, '--output', 'json'], { env: { ...env(), ...extraEnv } })).stdout);

    test('starts moto_server as the suite does, and points every call at it', () => {
      expect(recipe.shell[0].trim()).toBe('moto_server -H 127.0.0.1 -p 5000');
      expect(recipe.shell[1]).toContain('export AWS_ENDPOINT_URL=http://127.0.0.1:5000');
      expect(recipe.shell).toHaveLength(4);
    });

    test('creates what the stages deploy, and verify prints what the README shows', async () => {
      // The recipe's commands, in one shell as in one terminal, against this suite's moto_server.
      const script = [recipe.shell[1], `export AWS_ENDPOINT_URL=${moto().endpoint}`, ...recipe.shell.slice(2)].join('\n');
      await run('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd: REPO_ROOT, env: process.env });

      const { topology, byEnv } = synthesized();
      const [sameAccount, crossAccount] = topology.destinations;
      const other = (await aws({}, 'sts', 'assume-role', '--role-arn', `arn:aws:iam::${crossAccount.account}:role/check`, '--role-session-name', 'check')).Credentials;
      const otherEnv = { AWS_ACCESS_KEY_ID: other.AccessKeyId, AWS_SECRET_ACCESS_KEY: other.SecretAccessKey, AWS_SESSION_TOKEN: other.SessionToken };

      // The source's replication configuration.
      const registry = await aws({}, 'ecr', 'describe-registry', '--region', topology.source.region);
      const replication = byEnv.get(topology.source.id)!.find((r) => r.type === 'AWS::ECR::ReplicationConfiguration')!;
      expect(registry.replicationConfiguration).toEqual(camelCase(replication.props.ReplicationConfiguration));

      // The cross-account destination's registry policy, statement for statement.
      const policy = await aws(otherEnv, 'ecr', 'get-registry-policy', '--region', crossAccount.region);
      const deployed = byEnv.get(crossAccount.id)!.find((r) => r.type === 'AWS::ECR::RegistryPolicy')!;
      expect(JSON.parse(policy.policyText)).toEqual(deployed.props.PolicyText);

      // Every repository, with the settings its stack gives it.
      for (const [environment, extraEnv] of [[topology.source, {}], [sameAccount, {}], [crossAccount, otherEnv]] as const) {
        const { repositories } = await aws(extraEnv, 'ecr', 'describe-repositories', '--region', environment.region);
        const actual = repositories.map((r: any) => ({
          name: r.repositoryName,
          mutability: r.imageTagMutability,
          scanOnPush: r.imageScanningConfiguration.scanOnPush,
          encryption: r.encryptionConfiguration.encryptionType,
        }));
        const expected = byEnv.get(environment.id)!.filter((r) => r.type === 'AWS::ECR::Repository').map((r) => ({
          name: r.props.RepositoryName,
          mutability: r.props.ImageTagMutability,
          scanOnPush: r.props.ImageScanningConfiguration.ScanOnPush,
          encryption: r.props.EncryptionConfiguration.EncryptionType,
        }));
        expect(sortByName(actual)).toEqual(sortByName(expected));
      }
      // moto has no creation templates: the recipe's topology asks for none.
      expect([...byEnv.values()].flat().filter((r) => r.type === 'AWS::ECR::RepositoryCreationTemplate')).toEqual([]);

      // The verify command, as the README types it.
      const [npx, program, ...args] = recipe.command.split(/\s+/);
      expect([npx, program]).toEqual(['npx', 'ecr-kms-replication']);
      const result = await run(process.execPath, [path.join(REPO_ROOT, 'apps/cli/bin/ecr-kms-replication'), ...args], { cwd: REPO_ROOT, env: env() })
        .catch((error: { code: number; stdout: string; stderr: string }) => error);
      expect({ stdout: result.stdout.trim(), stderr: result.stderr.replace(/^ecr-kms-replication: Node\.js .*\n/m, '') })
        .toEqual({ stdout: recipe.output.trim(), stderr: '' });
    }, 180_000);
  }, { resetBeforeEach: false });
}

function sortByName<T extends { name: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => a.name.localeCompare(b.name));
}
