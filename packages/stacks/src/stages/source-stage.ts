import { StageProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { stageId } from './naming';
import { RegistryStage } from './registry-stage';
import { TopologyModel } from '../topology/model';
import { creationTemplatesIn, replicationRules } from '../topology/routing';

export interface SourceStageProps extends StageProps {
  readonly topology: TopologyModel;
}

/**
 * The source registry: its key, the repositories it creates (those marked
 * `existing` are adopted as they are), a creation template per namespace (a
 * push to a new repository under it creates it with the key), and the
 * replication configuration that sends each namespace and listed repository
 * to its destinations. Deploy it only after every destination stage.
 */
export class SourceStage extends RegistryStage {
  constructor(scope: Construct, props: SourceStageProps) {
    const { topology } = props;
    const destination = new Map(topology.destinations.map((d) => [d.id, d]));
    super(scope, stageId('source', topology.source), {
      ...props,
      role: 'source',
      environment: topology.source,
      repositories: topology.repositories.filter((r) => !r.existing),
      registry: {
        replication: {
          rules: replicationRules(topology).map((rule) => ({
            destinations: rule.destinations.map((id) => destination.get(id)!),
            filters: rule.filters,
          })),
        },
        creationTemplates: creationTemplatesIn(topology, topology.source.id),
        // The `backfill` command (the pipeline's Backfill step) runs in the pipeline account.
        backfillRole: { trustedAccounts: [topology.pipeline.account] },
      },
    });
  }
}
