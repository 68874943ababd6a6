import * as fs from 'fs';
import { loadTopology, TopologyError, TopologyModel } from '@ecr-kms-replication/stacks';
import { DEFAULT_TOPOLOGY_FILES } from './options';
import { CliContext } from '../context';

/**
 * Loads and validates the topology file; on failure writes why to stderr and
 * returns `undefined` (the command then exits with 2).
 */
export function loadOrReport(ctx: CliContext, file: string): TopologyModel | undefined {
  try {
    return loadTopology(file);
  } catch (e) {
    if (e instanceof TopologyError) {
      // The report names the file and lists every problem with its line.
      ctx.stderr.write(`${e.format().trimEnd()}\n`);
      if (e.kind === 'file' && !fs.existsSync(file)) {
        ctx.stderr.write('hint: name the file with --topology FILE or ECR_REPLICATION_TOPOLOGY; without either, '
          + `${DEFAULT_TOPOLOGY_FILES.join(' and then ')} are tried (\`npm run synth\` reads apps/pipeline/topology.yaml)\n`);
      }
    } else {
      ctx.stderr.write(`error: cannot load the topology ${file}: ${(e as Error).message ?? e}\n`);
    }
    return undefined;
  }
}
