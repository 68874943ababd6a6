import { TopologyModel, validateTopology } from '@ecr-kms-replication/stacks';
import { GenerateTopologyOptions, generateTopologyDocument } from '../bench/generate-topology';

/** A generated topology, through the same validation as a topology file. */
export function generatedTopology(options: GenerateTopologyOptions): TopologyModel {
  return validateTopology(generateTopologyDocument(options), 'generated topology');
}
