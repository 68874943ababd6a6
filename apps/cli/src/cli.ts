/**
 * The `ecr-kms-replication` program. {@link runCli} parses the arguments,
 * runs the command and returns the exit code, with every stream passed in.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Command, CommanderError } from 'commander';
import { backfillCommand } from './commands/backfill';
import { importCommand } from './commands/import';
import { planCommand } from './commands/plan';
import { preflightCommand } from './commands/preflight';
import { repairCommand } from './commands/repair';
import { validateCommand } from './commands/validate';
import { verifyCommand } from './commands/verify';
import { waitCommand } from './commands/wait';
import { CliContext, EXIT_OK, EXIT_USAGE } from './context';

export type { CliContext } from './context';

/** Builds the program; `setExitCode` receives the outcome of the command that runs. */
export function createProgram(ctx: CliContext, setExitCode: (code: number) => void): Command {
  const program = new Command('ecr-kms-replication')
    .description([
      'KMS-encrypted Amazon ECR replication across Regions and accounts:',
      'validate a topology and plan its deployment; preflight the accounts before deploying;',
      'import an existing set-up; backfill the images that existed before replication;',
      'verify the live registries against the topology; repair destination repositories',
      'that are not on their key; wait until an image has reached every destination.',
    ].join('\n'))
    .version(packageVersion(), '-V, --version')
    .configureOutput({
      writeOut: (text) => ctx.stdout.write(text),
      writeErr: (text) => ctx.stderr.write(text),
    })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  // Subcommands made with `new Command` do not inherit the settings above.
  const commands = [validateCommand, planCommand, preflightCommand, verifyCommand, importCommand, backfillCommand, repairCommand, waitCommand]
    .map((make) => make(ctx, setExitCode));
  for (const command of commands) {
    command.copyInheritedSettings(program);
    program.addCommand(command);
  }
  return program;
}

/** Runs the CLI on `argv` (the arguments after the program name) and returns the exit code. */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  let exitCode = EXIT_OK;
  const program = createProgram(ctx, (code) => { exitCode = code; });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; every usage error exits 2.
      return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    ctx.stderr.write(`error: ${(e as Error).message ?? e}\n`);
    return EXIT_USAGE;
  }
  return exitCode;
}

function packageVersion(): string {
  // src/, lib/ and the esbuild bundle in .build/ all sit one level below the package.
  try {
    return JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).version;
  } catch {
    return '0.0.0';
  }
}
