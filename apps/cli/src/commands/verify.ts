import { Command, Option } from 'commander';
import { accessFrom, addLiveOptions, LiveFlags, printReport } from './live';
import { loadOrReport } from './load';
import { integerAtLeast, queueUrls } from './options';
import { CliContext, EXIT_USAGE } from '../context';
import { LOOKUP_ROLE_NAME } from '../registry/access';
import { QueueLocation } from '../registry/data';
import { verifyTopology } from '../verify/verify';

interface VerifyFlags extends LiveFlags {
  readonly images?: number;
  readonly deadLetterQueue?: QueueLocation[];
}

export function verifyCommand(ctx: CliContext, setExitCode: (code: number) => void): Command {
  const command = new Command('verify')
    .description('Check the live registries against the topology: replication rules, KMS encryption, tag mutability, registry policies, creation templates.');
  addLiveOptions(command, ctx, { roleName: LOOKUP_ROLE_NAME, roleDescription: 'default: the CDK bootstrap look-up role, read-only' })
    .addOption(new Option('--images <n>', 'also check the replication status of the N most recent images of each source repository, and that every destination has them')
      .argParser(integerAtLeast(1)))
    .addOption(new Option('--dead-letter-queue <url...>', 'also check that these SQS queues (the alerts\' dead-letter queues) are empty; '
      + 'each is read in its own account and Region, through the same role choice')
      .argParser(queueUrls))
    .addHelpText('after', '\nExit status: 0 every check passed, 1 a check failed or could not run, 2 usage or topology error.')
    .action(async (flags: VerifyFlags) => {
      const model = loadOrReport(ctx, flags.topology);
      if (!model) return setExitCode(EXIT_USAGE);
      const access = accessFrom(flags, ctx, model.source.region, 'verifying');
      const report = await verifyTopology(model, { ...access, images: flags.images, deadLetterQueues: flags.deadLetterQueue });
      access.finish();
      return setExitCode(printReport(ctx, flags, report));
    });
  return command;
}
