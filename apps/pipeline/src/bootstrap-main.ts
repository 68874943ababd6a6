import { TopologyError, loadTopology } from '@ecr-kms-replication/stacks';
import { bootstrapPlan } from './bootstrap-plan';
import { OutsideRepositoryError, TOPOLOGY_ENV_VAR, locateTopologyFile } from './topology-file';

/** `npm run bootstrap-plan`: the bootstrap commands for the selected topology. */
function main() {
  try {
    const file = locateTopologyFile(undefined);
    const topology = loadTopology(file.absolute);
    const topologyFile = process.env[TOPOLOGY_ENV_VAR] ? file.inRepository : undefined;
    process.stdout.write(`# Topology: ${file.inRepository}\n${bootstrapPlan(topology, { topologyFile })}\n`);
  } catch (error) {
    if (error instanceof TopologyError || error instanceof OutsideRepositoryError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

main();
