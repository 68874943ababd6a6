import { Command } from 'commander';
import { accessFrom, addLiveOptions, LiveFlags, printReport } from './live';
import { loadOrReport } from './load';
import { CliContext, EXIT_USAGE } from '../context';
import { preflightTopology } from '../preflight/preflight';
import { LOOKUP_ROLE_NAME } from '../registry/access';

export function preflightCommand(ctx: CliContext, setExitCode: (code: number) => void): Command {
  const command = new Command('preflight')
    .description('Before a deployment: report what already exists in the registries and would stand in its way '
      + '(replication configuration, registry policies, creation templates, repositories, the key alias, stuck stacks), each with its fix. Read-only.');
  addLiveOptions(command, ctx, { roleName: LOOKUP_ROLE_NAME, roleDescription: 'default: the CDK bootstrap look-up role, read-only' })
    .addHelpText('after', '\nExit status: 0 nothing blocks the deployment (warnings allowed), 1 something blocks it or a registry could not be read, 2 usage or topology error.')
    .action(async (flags: LiveFlags) => {
      const model = loadOrReport(ctx, flags.topology);
      if (!model) return setExitCode(EXIT_USAGE);
      const access = accessFrom(flags, ctx, model.source.region, 'checking');
      const report = await preflightTopology(model, access);
      access.finish();
      return setExitCode(printReport(ctx, flags, report));
    });
  return command;
}
