import { topologyWarnings } from '@ecr-kms-replication/stacks';
import { Command } from 'commander';
import { loadOrReport } from './load';
import { topologyOption } from './options';
import { CliContext, EXIT_OK, EXIT_USAGE } from '../context';

export function validateCommand(ctx: CliContext, setExitCode: (code: number) => void): Command {
  return new Command('validate')
    .description('Validate the topology file and report every problem in it.')
    .addOption(topologyOption(ctx))
    .addHelpText('after', '\nExit status: 0 the topology is valid, 2 it is not (or cannot be read).')
    .action((opts: { topology: string }) => {
      const model = loadOrReport(ctx, opts.topology);
      if (!model) return setExitCode(EXIT_USAGE);
      const crossAccount = model.destinations.filter((d) => d.crossAccount).length;
      ctx.stdout.write(
        `${opts.topology} is valid: source ${model.source.id}, ${model.destinations.length} destination(s) `
        + `(${crossAccount} cross-account), ${model.repositories.length} repository(ies), key ${model.keyAlias}\n`,
      );
      for (const warning of topologyWarnings(model)) ctx.stderr.write(`warning: ${warning}\n`);
      return setExitCode(EXIT_OK);
    });
}
