import * as fs from 'fs';
import { TopologyError, loadTopology, planSummary } from '@ecr-kms-replication/stacks';
import { addPipeline, createApp } from './app';
import { OutsideRepositoryError, locateTopologyFile } from './topology-file';

/**
 * `npm run synth`: validates the topology, prints the plan, synthesizes.
 * User errors print one clear report, leave no templates behind and exit 2.
 */
function main() {
  const outdir = process.env.CDK_OUTDIR;
  try {
    const app = createApp();
    const file = locateTopologyFile(app.node.tryGetContext('topology'));
    const topology = loadTopology(file.absolute);
    process.stderr.write(`${planSummary(topology)}\n`);
    const pipeline = addPipeline(app, { topology, topologyFile: file.inRepository });
    const waves = pipeline.destinationWaves.map((wave) => wave.length);
    process.stderr.write(`Pipeline: the destinations deploy in ${waves.length} wave${waves.length === 1 ? '' : 's'} `
      + `(${waves.join(' + ')} destinations; at most 50 actions a CodePipeline stage), then the source.\n\n`);
    app.synth();
  } catch (error) {
    if (error instanceof TopologyError || error instanceof OutsideRepositoryError) {
      if (outdir) {
        // A stale cloud assembly from an earlier run must not pass for this one.
        fs.rmSync(outdir, { recursive: true, force: true });
      }
      process.stderr.write(`\n${error.message}\n\n`);
      process.exit(2);
    }
    throw error;
  }
}

main();
