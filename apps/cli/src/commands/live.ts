/**
 * What every command that reads live registries shares: the same options
 * (`--topology`, `--json`, `--role-name`, `--assume-role`, `--concurrency`,
 * and `--verbose` where there are checks to list),
 * the same progress line, the same report rendering and the same exit codes.
 */
import { Command, Option } from 'commander';
import { integerAtLeast, topologyOption } from './options';
import { CliContext, EXIT_FAILED, EXIT_OK } from '../context';
import { ASSUME_ROLE_MODES, AssumeRoleMode, ForEachOptions } from '../registry/access';
import { renderJson, renderTable } from '../report/render';
import { VerifyReport } from '../report/result';

export interface LiveFlags {
  readonly topology: string;
  readonly json?: boolean;
  readonly verbose?: boolean;
  readonly roleName: string;
  /** `false` from `--no-assume-role`. */
  readonly assumeRole: AssumeRoleMode | false;
  readonly concurrency: number;
}

export interface LiveOptionDefaults {
  /** The role each environment is read through. */
  readonly roleName: string;
  /** What that role is, for --help. */
  readonly roleDescription: string;
  /**
   * Whether the command reports checks (passing and failing): only then does
   * it take `--verbose`, which lists the passing ones too.
   * @default true
   */
  readonly reportsChecks?: boolean;
}

/** Adds the shared options to `command`. */
export function addLiveOptions(command: Command, ctx: CliContext, defaults: LiveOptionDefaults): Command {
  command
    .addOption(topologyOption(ctx))
    .option('--json', 'print the report as JSON on stdout, and nothing else there (no progress line)');
  if (defaults.reportsChecks ?? true) {
    command.option('-v, --verbose', 'list the passing checks too, not only their count');
  }
  return addRoleOptions(command, defaults)
    .addOption(new Option('--concurrency <n>', 'environments read at the same time').argParser(integerAtLeast(1)).default(4))
    .addHelpText('after', CREDENTIALS_HELP);
}

/**
 * The options that choose how a registry is read (`--role-name`,
 * `--assume-role`, `--no-assume-role`), for commands that read live
 * registries without a topology (import); add {@link CREDENTIALS_HELP} after them.
 */
export function addRoleOptions(command: Command, defaults: LiveOptionDefaults): Command {
  return command
    .addOption(new Option('--role-name <template>', `role to assume in the target accounts (${defaults.roleDescription}); {account} and {region} are replaced (a full ARN is allowed)`)
      .default(defaults.roleName))
    .addOption(new Option('--assume-role <when>', 'other-accounts: in every account but the credentials\' own; always: in every account (CodeBuild); never')
      .choices([...ASSUME_ROLE_MODES]).default('other-accounts'))
    .option('--no-assume-role', 'the same as --assume-role never: use the current credentials everywhere');
}

/** Where credentials come from, said under every command that reads live registries. */
export const CREDENTIALS_HELP = [
  '',
  'Credentials and endpoints come from the usual AWS settings: AWS_PROFILE, AWS_REGION,',
  'AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL.',
].join('\n');

/** The access options the flags select. */
export function accessFrom(flags: LiveFlags, ctx: CliContext, defaultRegion: string, progressVerb?: string): ForEachOptions & { finish(): void } {
  const progress = progressVerb !== undefined && !flags.json && ctx.stderr.isTTY === true;
  return {
    assumeRole: flags.assumeRole === false ? 'never' : flags.assumeRole,
    roleName: flags.roleName,
    concurrency: flags.concurrency,
    stsRegion: ctx.env.AWS_REGION || ctx.env.AWS_DEFAULT_REGION || defaultRegion,
    readerFor: ctx.readerFor,
    env: ctx.env,
    onProgress: progress
      ? (done, total) => ctx.stderr.write(`\r${progressVerb}: ${done}/${total} environments done`)
      : undefined,
    finish: () => { if (progress) ctx.stderr.write('\r\x1b[K'); },
  };
}

/**
 * Prints a report (a table, or only JSON with `--json`) and returns the exit
 * code: 0 nothing failed, 1 something failed or could not be read. A report
 * that could not read anything says why once, on stderr.
 */
export function printReport(ctx: CliContext, flags: Pick<LiveFlags, 'json' | 'verbose'>, report: VerifyReport): number {
  if (flags.json) {
    ctx.stdout.write(renderJson(report));
  } else if (report.error !== undefined) {
    ctx.stderr.write(`error: ${report.error}\n`);
  } else {
    ctx.stdout.write(renderTable(report, { verbose: flags.verbose }));
  }
  return report.ok ? EXIT_OK : EXIT_FAILED;
}
