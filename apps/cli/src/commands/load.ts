import { CliContext, topologyApi } from '../context';
import { topologyProblems, TopologyView } from '../topology';

/**
 * Loads and validates the topology file; on failure writes why to stderr and
 * returns `undefined` (the command then exits with 2).
 */
export function loadOrReport(ctx: CliContext, file: string): TopologyView | undefined {
  try {
    return topologyApi(ctx).loadTopology(file);
  } catch (e) {
    const problems = topologyProblems(e);
    if (problems) {
      // TopologyError's message already lists every problem, one a line.
      ctx.stderr.write(`${(e as Error).message.trimEnd()}\n`);
    } else {
      ctx.stderr.write(`error: cannot load the topology ${file}: ${(e as Error).message ?? e}\n`);
    }
    return undefined;
  }
}
