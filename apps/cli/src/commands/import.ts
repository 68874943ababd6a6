import * as fs from 'fs';
import * as path from 'path';
import { Environment, schemaReference } from '@ecr-kms-replication/stacks';
import { Command, InvalidArgumentError, Option } from 'commander';
import { addRoleOptions, CREDENTIALS_HELP } from './live';
import { CliContext, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../context';
import { importReplication } from '../import/replication';
import { importedTopologyText, importTopology, replicatedRepositories } from '../import/topology';
import { AccessOptions, AssumeRoleMode, callerAccountOf, CallerIdentityError, LOOKUP_ROLE_NAME, openRegistry } from '../registry/access';
import { RepositoryData } from '../registry/data';
import { describeAwsError } from '../registry/errors';
import { mapLimit } from '../registry/pool';

interface ImportFlags {
  readonly region: string;
  readonly account?: string;
  readonly output?: string;
  readonly force?: boolean;
  readonly roleName: string;
  /** `false` from `--no-assume-role`. */
  readonly assumeRole: AssumeRoleMode | false;
}

/** Where the topology file usually lives: the `$schema` line of a topology written to stdout is relative to it. */
const USUAL_TOPOLOGY_FOLDER = path.join('apps', 'pipeline');

/** Lifecycle policies read at the same time (one call per repository). */
const LIFECYCLE_CONCURRENCY = 4;

export function importCommand(ctx: CliContext, setExitCode: (code: number) => void): Command {
  const command = new Command('import')
    .description('Write a topology file from a live source registry: its replication configuration, the repositories it replicates and their settings.')
    .addOption(new Option('--region <region>', 'the Region of the source registry (required)').argParser(regionCode).makeOptionMandatory())
    .addOption(new Option('--account <account>', 'the account of the source registry (default: the current credentials\' one)').argParser(accountId))
    .option('-o, --output <file>', 'write the topology to this file instead of stdout')
    .option('--force', 'replace the --output file when it exists');
  return addRoleOptions(command, { roleName: LOOKUP_ROLE_NAME, roleDescription: 'default: the CDK bootstrap look-up role, read-only' })
    .addHelpText('after', [
      CREDENTIALS_HELP,
      '',
      'What cannot be read from a registry (the pipeline, the key principals) is written as placeholders',
      'and comments; what the topology cannot express is said on stderr and in the file.',
      '',
      'Exit status: 0 the topology was written (warnings say what was not imported as it is),',
      '1 the registry could not be read, has no replication configuration, or the file could not be written,',
      '2 usage error (or --output exists and --force is not given).',
    ].join('\n'))
    .action(async (flags: ImportFlags) => setExitCode(await runImport(ctx, flags)));
}

async function runImport(ctx: CliContext, flags: ImportFlags): Promise<number> {
  if (flags.output !== undefined && fs.existsSync(flags.output) && !flags.force) {
    ctx.stderr.write(`error: ${flags.output} exists: pass --force to replace it\n`);
    return EXIT_USAGE;
  }
  const access: AccessOptions = {
    assumeRole: flags.assumeRole === false ? 'never' : flags.assumeRole,
    roleName: flags.roleName,
    stsRegion: ctx.env.AWS_REGION || ctx.env.AWS_DEFAULT_REGION || flags.region,
    readerFor: ctx.readerFor,
    sessionName: 'ecr-kms-replication-import',
    env: ctx.env,
  };

  let callerAccount: string;
  try {
    callerAccount = await callerAccountOf(access);
  } catch (e) {
    if (!(e instanceof CallerIdentityError)) throw e;
    ctx.stderr.write(`error: ${e.detail}\n`);
    return EXIT_FAILED;
  }
  const account = flags.account ?? callerAccount;
  const where = `the registry of account ${account} in ${flags.region}`;
  const registry = await openRegistry({ account, region: flags.region }, callerAccount, access);
  if ('error' in registry.identity) {
    ctx.stderr.write(`error: cannot read ${where}: ${registry.identity.error}\n`);
    return EXIT_FAILED;
  }

  let text: string;
  let imported: ReturnType<typeof importTopology>;
  try {
    const rules = await registry.reader.replicationRules();
    if (rules.length === 0) {
      ctx.stderr.write(`error: ${where} has no replication configuration: nothing to import\n`);
      return EXIT_FAILED;
    }
    const repositories = await registry.reader.allRepositories();
    const names = replicatedRepositories(rules, repositories);
    const policies = await mapLimit(names, LIFECYCLE_CONCURRENCY, async (name) => [name, await registry.reader.lifecyclePolicy(name)] as const);
    const destinations = await readDestinations(importReplication(rules, repositories.map((r) => r.name)).destinations, names, callerAccount, access);
    imported = importTopology({
      destinations,
      account,
      region: flags.region,
      rules,
      repositories,
      lifecyclePolicies: new Map(policies.flatMap(([name, policy]) => (policy === undefined ? [] : [[name, policy] as const]))),
    });
    const folder = flags.output !== undefined ? path.dirname(path.resolve(flags.output)) : path.join(repositoryRoot(), USUAL_TOPOLOGY_FOLDER);
    text = importedTopologyText(imported, schemaReference(folder, stacksPackageDir()));
  } catch (e) {
    ctx.stderr.write(`error: cannot read ${where}: ${describeAwsError(e, flags.region, ctx.env)}\n`);
    return EXIT_FAILED;
  }

  for (const problem of imported.problems) ctx.stderr.write(`warning: ${problem}\n`);
  for (const note of imported.notes) ctx.stderr.write(`note: ${note}\n`);
  if (flags.output === undefined) {
    ctx.stdout.write(text);
    return EXIT_OK;
  }
  try {
    fs.writeFileSync(flags.output, text);
  } catch (e) {
    ctx.stderr.write(`error: cannot write ${flags.output}: ${(e as Error).message}\n`);
    return EXIT_FAILED;
  }
  ctx.stderr.write(`wrote ${flags.output}: ${imported.summary.destinations} destination(s) and `
    + `${imported.summary.repositories} repository(ies) from ${where}`
    + `${imported.summary.namespaces ? `, ${imported.summary.namespaces} proposed namespace(s) to review` : ''}; fill in its placeholders, then run validate\n`);
  return EXIT_OK;
}

/**
 * What each destination holds of the replicated repositories, through the
 * same role choice as the source (the look-up role in other accounts). A
 * destination that cannot be read is said so in the file, not an error.
 */
async function readDestinations(
  destinations: readonly Environment[],
  names: readonly string[],
  callerAccount: string,
  access: AccessOptions,
): Promise<Map<string, ReadonlyMap<string, RepositoryData> | { error: string }>> {
  const read = await mapLimit(destinations, LIFECYCLE_CONCURRENCY, async (d): Promise<ReadonlyMap<string, RepositoryData> | { error: string }> => {
    const opened = await openRegistry(d, callerAccount, access);
    if ('error' in opened.identity) return { error: opened.identity.error };
    try {
      return await opened.reader.repositories(names);
    } catch (e) {
      return { error: describeAwsError(e, d.region, access.env) };
    }
  });
  return new Map(destinations.map((d, i) => [`${d.account}-${d.region}`, read[i]]));
}

/** The folder of the stacks package, which holds the topology's JSON Schema. */
function stacksPackageDir(): string {
  return path.dirname(require.resolve('@ecr-kms-replication/stacks/package.json'));
}

/** The repository root: the stacks package sits in packages/stacks. */
function repositoryRoot(): string {
  return path.resolve(stacksPackageDir(), '..', '..');
}

function regionCode(value: string): string {
  if (!/^[a-z]{2,4}(-[a-z]+)+-\d+$/.test(value)) throw new InvalidArgumentError('expected an AWS Region code, e.g. us-east-1.');
  return value;
}

function accountId(value: string): string {
  if (!/^\d{12}$/.test(value)) throw new InvalidArgumentError('expected a 12-digit AWS account ID.');
  return value;
}
