import { Command, Option } from 'commander';
import { accessFrom, addLiveOptions, LiveFlags } from './live';
import { loadOrReport } from './load';
import { destinationOption, integerAtLeast } from './options';
import { runBackfill, unknownDestinations } from '../backfill/backfill';
import { progressPrinter, renderBackfillJson, renderBackfillTable } from '../backfill/render';
import { DEFAULT_POLL_SECONDS } from '../backfill/scheduler';
import { CliContext, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../context';
import { LOOKUP_ROLE_NAME } from '../registry/access';

/** The role the source stage deploys for this command (the `BackfillRole` construct's name). */
export const BACKFILL_ROLE_NAME = 'ecr-replication-backfill-{region}';

interface BackfillFlags extends LiveFlags {
  readonly destination?: string[];
  readonly destinationRoleName: string;
  readonly onlyMissing?: boolean;
  /** `false` from `--no-wait`. */
  readonly wait: boolean;
  readonly dryRun?: boolean;
  readonly pollSeconds: number;
}

export function backfillCommand(ctx: CliContext, setExitCode: (code: number) => void): Command {
  const command = new Command('backfill')
    .description('Replicate the images that existed before replication (ECR replication backfills), to every destination or the ones named.');
  addLiveOptions(command, ctx, {
    roleName: BACKFILL_ROLE_NAME,
    roleDescription: 'of the source registry; default: the backfill role its stage deploys',
    // A backfill reports what it started and how it went, not checks.
    reportsChecks: false,
  })
    .addOption(destinationOption('backfill only this destination'))
    .addOption(new Option('--destination-role-name <template>', 'role to read the destinations\' images with (--only-missing, --dry-run); {account} and {region} are replaced')
      .default(LOOKUP_ROLE_NAME))
    .option('--only-missing', 'start a backfill only where some source image is missing (image digests compared per repository)')
    .option('--no-wait', 'start the backfills, print their ids and return without waiting for them')
    .option('--dry-run', 'say what would be started and how many images are missing where; start nothing')
    .addOption(new Option('--poll-seconds <n>', 'seconds between two progress checks').argParser(integerAtLeast(1)).default(DEFAULT_POLL_SECONDS))
    .addHelpText('after', [
      '',
      'ECR replicates only the images pushed after a destination joined the replication configuration.',
      'A backfill copies the older ones. ECR runs one backfill per destination Region at a time and at',
      'most 10 per registry: the destinations are scheduled accordingly, and a backfill already running',
      'for a destination is followed, not restarted. Ctrl-C stops waiting; the backfills go on in AWS.',
      '',
      'Exit status: 0 every backfill complete with no failed image (--no-wait: every one started;',
      '--dry-run: everything read), 1 a failed image, backfill or read, 2 usage or topology error.',
    ].join('\n'))
    .action(async (flags: BackfillFlags) => {
      const model = loadOrReport(ctx, flags.topology);
      if (!model) return setExitCode(EXIT_USAGE);
      const unknown = unknownDestinations(model, flags.destination ?? []);
      if (unknown.length > 0) {
        ctx.stderr.write(`error: --destination ${unknown.join(', ')}: not a destination of the topology `
          + `(destinations: ${model.destinations.map((d) => d.id).join(', ') || 'none'})\n`);
        return setExitCode(EXIT_USAGE);
      }

      const access = accessFrom(flags, ctx, model.source.region);
      const progress = flags.json ? undefined : progressPrinter(ctx.stderr);
      const interrupt = new AbortController();
      const removeHandler = (ctx.onInterrupt ?? onSigint)(() => interrupt.abort());
      let report;
      try {
        report = await runBackfill(model, {
          ...access,
          destinationRoleName: flags.destinationRoleName,
          destinations: flags.destination,
          onlyMissing: flags.onlyMissing === true,
          dryRun: flags.dryRun === true,
          wait: flags.wait,
          pollSeconds: flags.pollSeconds,
          backfillsFor: ctx.backfillsFor,
          sleep: ctx.sleep,
          signal: interrupt.signal,
          onUpdate: progress ? (states) => progress.update(states) : undefined,
        });
      } finally {
        removeHandler();
        progress?.done();
      }

      if (flags.json) ctx.stdout.write(renderBackfillJson(report));
      else if (report.error !== undefined) ctx.stderr.write(`error: ${report.error}\n`);
      else ctx.stdout.write(renderBackfillTable(report));
      return setExitCode(report.ok ? EXIT_OK : EXIT_FAILED);
    });
  return command;
}

function onSigint(handler: () => void): () => void {
  const listener = () => {
    process.stderr.write('\nStopping the wait (the backfills go on in AWS)...\n');
    handler();
  };
  process.once('SIGINT', listener);
  return () => process.removeListener('SIGINT', listener);
}
