import { Command, Option } from 'commander';
import { accessFrom, addLiveOptions, LiveFlags, printReport } from './live';
import { loadOrReport } from './load';
import { integerAtLeast } from './options';
import { CliContext, EXIT_USAGE } from '../context';
import { LOOKUP_ROLE_NAME } from '../registry/access';
import { verifyTopology } from '../verify/verify';

interface VerifyFlags extends LiveFlags {
  readonly images?: number;
}

export function verifyCommand(ctx: CliContext, setExitCode: (code: number) => void): Command {
  const command = new Command('verify')
    .description('Check the live registries against the topology: replication rules, KMS encryption, tag mutability, registry policies, creation templates.');
  addLiveOptions(command, ctx, { roleName: LOOKUP_ROLE_NAME, roleDescription: 'default: the CDK bootstrap look-up role, read-only' })
    .addOption(new Option('--images <n>', 'also check the replication status of the N most recent images of each source repository, and that every destination has them')
      .argParser(integerAtLeast(1)))
    .addHelpText('after', '\nExit status: 0 every check passed, 1 a check failed or could not run, 2 usage or topology error.')
    .action(async (flags: VerifyFlags) => {
      const model = loadOrReport(ctx, flags.topology);
      if (!model) return setExitCode(EXIT_USAGE);
      const access = accessFrom(flags, ctx, model.source.region, 'verifying');
      const report = await verifyTopology(model, { ...access, images: flags.images });
      access.finish();
      return setExitCode(printReport(ctx, flags, report));
    });
  return command;
}
