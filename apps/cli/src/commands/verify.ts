import { Command, Option } from 'commander';
import { loadOrReport } from './load';
import { integerAtLeast, topologyOption } from './options';
import { CliContext, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../context';
import { renderJson, renderTable } from '../verify/render';
import { DEFAULT_ROLE_NAME, verifyTopology } from '../verify/verify';

interface VerifyFlags {
  readonly topology: string;
  readonly json?: boolean;
  readonly verbose?: boolean;
  readonly images?: number;
  readonly roleName: string;
  readonly assumeRole: boolean;
  readonly concurrency: number;
}

export function verifyCommand(ctx: CliContext, setExitCode: (code: number) => void): Command {
  return new Command('verify')
    .description('Check the live registries against the topology: replication rules, KMS encryption, tag mutability, registry policies.')
    .addOption(topologyOption(ctx))
    .option('--json', 'print the report as JSON on stdout (no progress line)')
    .option('-v, --verbose', 'list the passing checks too, not only their count')
    .addOption(new Option('--images <n>', 'also check the replication status of the N most recent images of each source repository')
      .argParser(integerAtLeast(1)))
    .addOption(new Option('--role-name <template>', 'role to assume in every account other than the current credentials\' one; {account} and {region} are replaced (a full ARN is allowed)')
      .default(DEFAULT_ROLE_NAME))
    .option('--no-assume-role', 'use the current credentials in every account')
    .addOption(new Option('--concurrency <n>', 'environments checked at the same time').argParser(integerAtLeast(1)).default(4))
    .addHelpText('after', [
      '',
      'Credentials and endpoints come from the usual AWS settings: AWS_PROFILE, AWS_REGION,',
      'AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL.',
      '',
      'Exit status: 0 every check passed, 1 a check failed or could not run, 2 usage or topology error.',
    ].join('\n'))
    .action(async (opts: VerifyFlags) => {
      const model = loadOrReport(ctx, opts.topology);
      if (!model) return setExitCode(EXIT_USAGE);
      const progress = !opts.json && ctx.stderr.isTTY === true;
      const report = await verifyTopology(model, {
        assumeRole: opts.assumeRole,
        roleName: opts.roleName,
        concurrency: opts.concurrency,
        images: opts.images,
        stsRegion: ctx.env.AWS_REGION || ctx.env.AWS_DEFAULT_REGION || model.source.region,
        readerFor: ctx.readerFor,
        onProgress: progress
          ? (done, total) => ctx.stderr.write(`\rverifying: ${done}/${total} environments done`)
          : undefined,
      });
      if (progress) ctx.stderr.write('\r\x1b[K');
      ctx.stdout.write(opts.json ? renderJson(report) : renderTable(report, { verbose: opts.verbose }));
      return setExitCode(report.ok ? EXIT_OK : EXIT_FAILED);
    });
}
