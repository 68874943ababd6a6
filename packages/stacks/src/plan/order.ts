import { DestinationModel, SourceModel, TopologyModel } from '../topology/model';

/**
 * The order in which the registries are deployed: every destination first
 * (in parallel), so that each repository exists encrypted before replication
 * can create it; then, after a manual approval, the source with its
 * replication configuration.
 */
export interface DeploymentOrder {
  /** Deployed first, in parallel, in file order. */
  readonly destinations: readonly DestinationModel[];
  /** Deployed last, once every destination is in place. */
  readonly source: SourceModel;
}

export function deploymentOrder(model: TopologyModel): DeploymentOrder {
  return { destinations: [...model.destinations], source: model.source };
}
