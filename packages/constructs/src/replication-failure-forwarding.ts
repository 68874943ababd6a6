import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AlertsDeadLetterQueue } from './dead-letter-queue';

/**
 * The events ECR sends when replicating an image into a registry did not
 * succeed. ECR's documentation shows `result: FAILED` for a failed
 * replication; every result other than `SUCCESS` is matched, so that a
 * failure reported with another value is not missed.
 */
export const FAILED_REPLICATION_PATTERN: events.EventPattern = {
  source: ['aws.ecr'],
  detailType: ['ECR Replication Action'],
  detail: { result: events.Match.anythingBut('SUCCESS') },
};

/**
 * Properties of a {@link ReplicationFailureForwarding}.
 */
export interface ReplicationFailureForwardingProps {
  /**
   * ARN of the event bus that collects the failures, usually in another
   * account and Region. Its resource policy must admit this account.
   */
  readonly eventBusArn: string;
  /**
   * Keeps what could not be put on the central bus, after retries (a bus
   * policy that no longer admits this account, a bus that is gone).
   *
   * @default - EventBridge's default retries, then the event is dropped
   */
  readonly deadLetterQueue?: AlertsDeadLetterQueue;
}

/**
 * A rule on the default event bus of a registry's account and Region that
 * forwards failed `ECR Replication Action` events to a central event bus,
 * through a role that may only put events on that bus.
 */
export class ReplicationFailureForwarding extends Construct {
  public readonly rule: events.Rule;
  /** The role EventBridge assumes to put the events on the central bus. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ReplicationFailureForwardingProps) {
    super(scope, id);

    this.role = new iam.Role(this, 'Role', {
      description: 'Lets EventBridge forward failed ECR replications to the ecr-kms-replication alerts bus',
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
    });
    this.rule = new events.Rule(this, 'Rule', {
      description: 'Failed ECR replications into this registry, forwarded to the ecr-kms-replication alerts bus',
      eventPattern: FAILED_REPLICATION_PATTERN,
    });
    // The target grants the role events:PutEvents on the bus ARN, nothing else.
    const bus = new targets.EventBus(events.EventBus.fromEventBusArn(this, 'Bus', props.eventBusArn), { role: this.role });
    this.rule.addTarget({ bind: (rule, targetId) => ({ ...bus.bind(rule, targetId), ...props.deadLetterQueue?.forRule(this.rule) }) });
  }
}
