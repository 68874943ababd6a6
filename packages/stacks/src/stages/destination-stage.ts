import { StageProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { alertsEventBusArn } from './alerts-stack';
import { stageId } from './naming';
import { RegistryStage } from './registry-stage';
import { DestinationModel, TopologyModel } from '../topology/model';
import { coveringNamespace, createRepositoryPrefixes, creationTemplatesIn, repositoriesRoutedTo } from '../topology/routing';

export interface DestinationStageProps extends StageProps {
  readonly topology: TopologyModel;
  readonly destination: DestinationModel;
}

/**
 * A destination registry, ready before the first image arrives: its key,
 * every listed repository routed here pre-created with that key (except those
 * adopted here with `existing`; repositories adopted only in the source are
 * created), a creation template for each namespace routed here (and, in the
 * source's account only, the `ROOT` safety net) so that whatever replication
 * creates is encrypted with the key too, and the registry policy a
 * cross-account source needs: replicate into what is routed here, create only
 * under the routed namespaces.
 */
export class DestinationStage extends RegistryStage {
  constructor(scope: Construct, props: DestinationStageProps) {
    const { topology, destination } = props;
    const routed = repositoriesRoutedTo(topology, destination.id);
    const namespaces = createRepositoryPrefixes(topology, destination.id);
    super(scope, stageId('destination', destination), {
      ...props,
      role: 'destination',
      environment: destination,
      // Repositories adopted here exist already: not created, still in the registry policy.
      repositories: routed.filter((r) => !r.existingDestinations.includes(destination.id)),
      registry: {
        replicationAccess: destination.crossAccount
          ? {
            sourceAccount: topology.source.account,
            // A listed repository inside a routed namespace is covered by the namespace's wildcard.
            repositoryNames: routed.filter((r) => !coveringNamespace(topology, r.name)).map((r) => r.name),
            namespaces,
          }
          : undefined,
        creationTemplates: creationTemplatesIn(topology, destination.id),
        // ECR emits the failure in the registry it replicates into.
        alerts: topology.alerts ? { eventBusArn: alertsEventBusArn(topology.pipeline) } : undefined,
      },
    });
  }
}
