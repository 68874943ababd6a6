import { planSummary, topologyMermaid } from '@ecr-kms-replication/stacks';
import { Command, Option } from 'commander';
import { loadOrReport } from './load';
import { topologyOption } from './options';
import { CliContext, EXIT_OK, EXIT_USAGE } from '../context';

export function planCommand(ctx: CliContext, setExitCode: (code: number) => void): Command {
  return new Command('plan')
    .description('Show what the pipeline deploys for the topology: stages, stacks and replication.')
    .addOption(topologyOption(ctx))
    .addOption(new Option('--format <format>', 'text, or a mermaid diagram').choices(['text', 'mermaid']).default('text'))
    .action((opts: { topology: string; format: 'text' | 'mermaid' }) => {
      const model = loadOrReport(ctx, opts.topology);
      if (!model) return setExitCode(EXIT_USAGE);
      const text = opts.format === 'mermaid' ? topologyMermaid(model) : planSummary(model);
      ctx.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
      return setExitCode(EXIT_OK);
    });
}
