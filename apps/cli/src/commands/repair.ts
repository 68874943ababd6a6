import * as readline from 'readline';
import { Command, Option } from 'commander';
import { BACKFILL_ROLE_NAME } from './backfill';
import { accessFrom, addLiveOptions, LiveFlags } from './live';
import { loadOrReport } from './load';
import { destinationOption, integerAtLeast } from './options';
import { unknownDestinations } from '../backfill/backfill';
import { progressPrinter } from '../backfill/render';
import { DEFAULT_POLL_SECONDS } from '../backfill/scheduler';
import { CliContext, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../context';
import { LOOKUP_ROLE_NAME } from '../registry/access';
import { renderRepairJson, renderRepairTable } from '../repair/render';
import { RepairReport, runRepair } from '../repair/repair';

/** The role the destination stage deploys for this command (the `RepairRole` construct's name). */
export const REPAIR_ROLE_NAME = 'ecr-replication-repair-{region}';

/**
 * `--execute` rebuilt every repository but the backfill that refills them
 * could not be started (no backfill API at the endpoint, destination not in
 * the replication configuration, backfill role missing, ...).
 */
export const EXIT_BACKFILL_NOT_STARTED = 3;

interface RepairFlags extends LiveFlags {
  readonly destination?: string[];
  readonly sourceRoleName: string;
  readonly execute?: boolean;
  readonly yes?: boolean;
  readonly pollSeconds: number;
}

export function repairCommand(ctx: CliContext, setExitCode: (code: number) => void): Command {
  const command = new Command('repair')
    .description('Find destination repositories not encrypted with their registry\'s KMS key (or with the wrong tag mutability); with --execute, rebuild them from the source.');
  addLiveOptions(command, ctx, {
    roleName: REPAIR_ROLE_NAME,
    roleDescription: 'of each destination; default: the repair role its stage deploys',
  })
    .addOption(destinationOption('repair only this destination'))
    .addOption(new Option('--source-role-name <template>', 'role to read the source\'s images and start the backfill with; {account} and {region} are replaced')
      .default(BACKFILL_ROLE_NAME))
    .option('--execute', 'delete and recreate the repositories to rebuild, set tag mutability, then backfill (asks for a typed confirmation)')
    .option('--yes', 'with --execute: do not ask for the confirmation (automation)')
    .addOption(new Option('--poll-seconds <n>', 'seconds between two progress checks of the backfill').argParser(integerAtLeast(1)).default(DEFAULT_POLL_SECONDS))
    .addHelpText('after', [
      '',
      'A repository\'s encryption can never be changed: one that is not KMS-encrypted with its registry\'s key',
      'is deleted, recreated with the key and the topology\'s settings, and refilled from the source by a',
      'replication backfill. Tag mutability is set in place. The repositories are the topology\'s listed ones',
      'routed to each destination and every repository there under a namespace routed to it.',
      '',
      'A repository is deleted only if the source holds every one of its images (by digest, active) with every',
      'tag: this command enforces it, IAM cannot (the repair role may delete any of the topology\'s repositories).',
      'Others are refused and left in place, with what to copy to the source first. Pulls from a rebuilt',
      'repository fail until the backfill has copied its images back. The topology must then mark a rebuilt',
      'listed repository `existing` for its destination: the report prints the change.',
      '',
      'Exit status: 0 nothing to repair (--execute: everything repaired and backfilled), 1 something to repair',
      '(--execute: refused, failed, declined or interrupted), 2 usage or topology error (also --execute without',
      `a terminal and without --yes), ${EXIT_BACKFILL_NOT_STARTED} --execute rebuilt everything but the backfill could not be started.`,
    ].join('\n'))
    .action(async (flags: RepairFlags) => {
      const model = loadOrReport(ctx, flags.topology);
      if (!model) return setExitCode(EXIT_USAGE);
      const unknown = unknownDestinations(model, flags.destination ?? []);
      if (unknown.length > 0) {
        ctx.stderr.write(`error: --destination ${unknown.join(', ')}: not a destination of the topology `
          + `(destinations: ${model.destinations.map((d) => d.id).join(', ') || 'none'})\n`);
        return setExitCode(EXIT_USAGE);
      }
      const prompt = ctx.prompt ?? (process.stdin.isTTY ? terminalPrompt : undefined);
      if (flags.execute && !flags.yes && !prompt) {
        ctx.stderr.write('error: --execute deletes repositories and asks for a typed confirmation, but there is no terminal: add --yes to run without it\n');
        return setExitCode(EXIT_USAGE);
      }

      const access = accessFrom(flags, ctx, model.source.region);
      const progress = flags.json ? undefined : progressPrinter(ctx.stderr);
      const interrupt = new AbortController();
      const removeHandler = (ctx.onInterrupt ?? onSigint)(() => interrupt.abort());
      let report: RepairReport;
      try {
        report = await runRepair(model, {
          ...access,
          destinations: flags.destination,
          execute: flags.execute === true,
          sourceRoleName: flags.sourceRoleName,
          destinationRoleName: LOOKUP_ROLE_NAME,
          pollSeconds: flags.pollSeconds,
          repositoriesFor: ctx.repositoriesFor,
          backfillsFor: ctx.backfillsFor,
          sleep: ctx.sleep,
          signal: interrupt.signal,
          onUpdate: progress ? (states) => progress.update(states) : undefined,
          onStep: flags.json ? undefined : (d, r) => ctx.stderr.write(`${d}: ${r.name}: ${r.state}${r.error ? ` (${r.error})` : ''}\n`),
          confirm: flags.yes ? undefined : async (plan) => {
            const count = plan.destinations.reduce((n, d) => n + d.repositories.filter((r) => r.action === 'rebuild').length, 0);
            // Setting a tag mutability loses nothing: only deletions are confirmed.
            if (count === 0) return true;
            // The plan first, so that the person confirms what they have read.
            ctx.stderr.write(renderRepairTable(plan, model));
            const expected = `repair ${count}`;
            const answer = await prompt!(`This deletes and recreates ${count} repositories (their images come back from the source). Type "${expected}" to go on: `);
            return answer.trim() === expected;
          },
        });
      } finally {
        removeHandler();
        progress?.done();
      }

      if (flags.json) ctx.stdout.write(renderRepairJson(report));
      else if (report.error !== undefined) ctx.stderr.write(`error: ${report.error}\n`);
      else ctx.stdout.write(renderRepairTable(report, model, { verbose: flags.verbose }));
      return setExitCode(exitCodeOf(report));
    });
  return command;
}

/** 0 clean, 3 only the backfill could not start, 1 anything else left to do. */
export function exitCodeOf(report: RepairReport): number {
  if (report.ok) return EXIT_OK;
  const repaired = report.execute && !report.interrupted && !report.declined && report.error === undefined
    && report.destinations.every((d) => d.error === undefined && d.repositories.every((r) =>
      r.action === 'none' || r.action === 'absent' || r.state === 'fixed' || r.state === 'recreated'));
  return repaired && report.backfillStep === 'not-started' ? EXIT_BACKFILL_NOT_STARTED : EXIT_FAILED;
}

function terminalPrompt(question: string): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  return new Promise((resolve) => rl.question(question, (answer) => {
    rl.close();
    resolve(answer);
  }));
}

function onSigint(handler: () => void): () => void {
  const listener = () => {
    process.stderr.write('\nStopping after the current repository (none is left deleted)...\n');
    handler();
  };
  process.once('SIGINT', listener);
  return () => process.removeListener('SIGINT', listener);
}
