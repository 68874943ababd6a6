import { Stage, StageProps, Tags, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AlertsStack, VerificationSettings, alertsStackName } from './alerts-stack';
import { addSourceOutput } from './registry-stage';
import { EcrReplicationChecks } from './security-checks';
import { TopologyModel } from '../topology/model';

export interface AlertsStageProps extends StageProps {
  readonly topology: TopologyModel;
  /** Name of the pipeline whose failures and approvals are notified. */
  readonly pipelineName: string;
  /**
   * How the scheduled verification runs.
   * @default - no scheduled verification
   */
  readonly verification?: VerificationSettings;
}

/**
 * The alerts of a topology (`alerts` on), in the pipeline account and Region.
 * Deployed by the pipeline before the registries, so that the bus they
 * forward failed replications to exists from their first deployment.
 */
export class AlertsStage extends Stage {
  public readonly alertsStack: AlertsStack;

  constructor(scope: Construct, id: string, props: AlertsStageProps) {
    const { topology } = props;
    if (!topology.alerts) {
      throw new Error('AlertsStage needs a topology with alerts (the file says alerts: false)');
    }
    const env = { account: topology.pipeline.account, region: topology.pipeline.region };
    super(scope, id, { ...props, env });

    this.alertsStack = new AlertsStack(this, 'Alerts', {
      env,
      stackName: alertsStackName(),
      description: 'ecr-kms-replication alerts: topic, failed-replication bus, scheduled verification, pipeline notifications',
      alerts: topology.alerts,
      pipeline: topology.pipeline,
      pipelineName: props.pipelineName,
      registryAccounts: topology.destinations.map((d) => d.account),
      verification: props.verification,
    });

    addSourceOutput(this.alertsStack, topology);
    Tags.of(this).add('ManagedBy', 'ecr-kms-replication');
    for (const [key, value] of Object.entries(topology.tags)) {
      Tags.of(this).add(key, value);
    }
    Validations.of(this).addPlugins(new EcrReplicationChecks(this));
  }
}
