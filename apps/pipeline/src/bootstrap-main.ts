import * as fs from 'fs';
import * as path from 'path';
import { TopologyError, loadTopology } from '@ecr-kms-replication/stacks';
import { bootstrapPlan, keyTagProblems } from './bootstrap-plan';
import { OutsideRepositoryError, TOPOLOGY_ENV_VAR, locateTopologyFile } from './topology-file';

/** `npm run bootstrap-plan`: the bootstrap commands for the selected topology. */
function main() {
  try {
    const file = locateTopologyFile(undefined);
    const topology = loadTopology(file.absolute);
    const topologyFile = process.env[TOPOLOGY_ENV_VAR] ? file.inRepository : undefined;
    const policy = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cfn-execution-policy.json'), 'utf8'));
    const problems = keyTagProblems(topology, policy);
    if (problems.length > 0) {
      process.stderr.write(`${file.inRepository}: the deployment policy does not fit the topology:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
      process.exit(2);
    }
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
