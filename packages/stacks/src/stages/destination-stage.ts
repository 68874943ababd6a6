import { StageProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { alertsEventBusArn } from './alerts-stack';
import { stageId } from './naming';
import { RegistryStage } from './registry-stage';
import { DestinationModel, TopologyModel, deploysCreationTemplate } from '../topology/model';
import { namespacesRoutedTo, repositoriesRoutedTo } from '../topology/routing';

export interface DestinationStageProps extends StageProps {
  readonly topology: TopologyModel;
  readonly destination: DestinationModel;
}

/**
 * A destination registry, ready before the first image arrives: its key,
 * every repository pre-created with that key (except those adopted here with
 * `existing`; repositories adopted only in the source are created), the
 * registry policy a cross-account source needs, and (in the source's account
 * only) the creation template that encrypts anything replication creates on its own.
 */
export class DestinationStage extends RegistryStage {
  constructor(scope: Construct, props: DestinationStageProps) {
    const { topology, destination } = props;
    const repositoryNames = topology.repositories.map((r) => r.name);
    super(scope, stageId('destination', destination), {
      ...props,
      role: 'destination',
      environment: destination,
      // Repositories adopted here exist already: not created, still in the registry policy.
      repositories: topology.repositories.filter((r) => !r.existingDestinations.includes(destination.id)),
      registry: {
        replicationAccess: destination.crossAccount
          ? { sourceAccount: topology.source.account, repositoryNames }
          : undefined,
        creationTemplate: deploysCreationTemplate(destination),
        // The `repair` command, run from the pipeline account, over what is replicated here.
        repairRole: {
          trustedAccounts: [topology.pipeline.account],
          repositoryNames: repositoriesRoutedTo(topology, destination.id).map((r) => r.name),
          namespacePrefixes: namespacesRoutedTo(topology, destination.id).map((n) => n.prefix),
        },
        // ECR emits the failure in the registry it replicates into.
        alerts: topology.alerts ? { eventBusArn: alertsEventBusArn(topology.pipeline) } : undefined,
      },
    });
  }
}
