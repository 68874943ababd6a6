import { StageProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { stageId } from './naming';
import { RegistryStage } from './registry-stage';
import { TopologyModel } from '../topology/model';

export interface SourceStageProps extends StageProps {
  readonly topology: TopologyModel;
}

/**
 * The source registry: its key, the repositories it creates (those marked
 * `existing` are adopted as they are), and the replication configuration
 * that switches replication on to every destination. Deploy it only after
 * every destination stage.
 */
export class SourceStage extends RegistryStage {
  constructor(scope: Construct, props: SourceStageProps) {
    const { topology } = props;
    super(scope, stageId('source', topology.source), {
      ...props,
      role: 'source',
      environment: topology.source,
      repositories: topology.repositories.filter((r) => !r.existing),
      registry: {
        replication: {
          destinations: topology.destinations,
          repositoryNames: topology.repositories.map((r) => r.name),
        },
        // The `backfill` command (the pipeline's Backfill step) runs in the pipeline account.
        backfillRole: { trustedAccounts: [topology.pipeline.account] },
      },
    });
  }
}
