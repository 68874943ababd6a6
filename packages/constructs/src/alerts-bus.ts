import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AlertsTopic } from './alerts-topic';
import { AlertsDeadLetterQueue } from './dead-letter-queue';
import { FAILED_REPLICATION_PATTERN } from './replication-failure-forwarding';
import { isAccountId, throwIfInvalid } from './validation';

/**
 * Properties of a {@link ReplicationAlertsBus}.
 */
export interface ReplicationAlertsBusProps {
  /** Name of the event bus; the registries' forwarding rules target it by ARN. */
  readonly eventBusName: string;
  /**
   * Accounts whose forwarding rules may put events on the bus. The bus's own
   * account needs no entry (its rules' roles are authorized by IAM alone).
   */
  readonly senderAccounts: readonly string[];
  /** The topic the failures are published to. */
  readonly topic: AlertsTopic;
  /**
   * Keeps what could not be published to the topic, after retries.
   *
   * @default - EventBridge's default retries, then the event is dropped
   */
  readonly deadLetterQueue?: AlertsDeadLetterQueue;
}

/**
 * The central event bus that collects failed replications from every
 * registry, and the rule that turns each into a readable alert on the topic.
 * The bus policy admits only the given accounts.
 */
export class ReplicationAlertsBus extends Construct {
  public readonly eventBus: events.EventBus;
  /** The rule on the bus that publishes each failure to the topic. */
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ReplicationAlertsBusProps) {
    super(scope, id);
    throwIfInvalid('alerts bus', props.senderAccounts.flatMap((account) =>
      isAccountId(account) ? [] : [`sender account '${account}' is not a 12-digit account ID`]));

    const ownAccount = Stack.of(this).account;
    const senders = [...new Set(props.senderAccounts)].filter((account) => account !== ownAccount).sort();

    this.eventBus = new events.EventBus(this, 'Bus', {
      eventBusName: props.eventBusName,
      description: 'Failed ECR replications forwarded from every ecr-kms-replication registry',
    });
    if (senders.length > 0) {
      this.eventBus.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'RegistryAccountsForwardFailedReplications',
        principals: senders.map((account) => new iam.AccountPrincipal(account)),
        actions: ['events:PutEvents'],
        resources: [this.eventBus.eventBusArn],
      }));
    }

    this.rule = new events.Rule(this, 'Rule', {
      eventBus: this.eventBus,
      description: 'Publishes each failed ECR replication to the ecr-kms-replication alerts topic',
      eventPattern: FAILED_REPLICATION_PATTERN,
    });
    const field = (path: string) => events.EventField.fromPath(path);
    const message = events.RuleTargetInput.fromText(
      `ECR replication failed: ${field('$.detail.repository-name')}:${field('$.detail.image-tag')} `
      + `(${field('$.detail.image-digest')}) from registry ${field('$.detail.source-account')}/${field('$.detail.source-region')} `
      + `to registry ${field('$.account')}/${field('$.region')} at ${field('$.time')}, result ${field('$.detail.result')}. `
      + 'Check that the destination repository exists, its KMS key is enabled and the registry policy admits the source; '
      + 'then run ecr-kms-replication verify.');
    // A target of our own rather than aws-events-targets' SnsTopic: that one
    // would also grant EventBridge publishing without source conditions.
    this.rule.addTarget({ bind: () => ({ arn: props.topic.topic.topicArn, input: message, ...props.deadLetterQueue?.forRule(this.rule) }) });
    props.topic.allowPublishing('FailedReplicationsFromBus', { service: 'events.amazonaws.com', sourceArn: this.rule.ruleArn });
  }
}
