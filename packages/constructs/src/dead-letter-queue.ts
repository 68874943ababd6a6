import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AlertsTopic } from './alerts-topic';

/**
 * How long EventBridge keeps trying to deliver an alert before it goes to the
 * dead-letter queue: EventBridge's own maximum (24 hours, 185 attempts,
 * "Event retry policy and using dead-letter queues", EventBridge User Guide),
 * written out so that the template says it.
 */
export const ALERT_RETRY_POLICY: events.CfnRule.RetryPolicyProperty = { maximumEventAgeInSeconds: 86_400, maximumRetryAttempts: 185 };

/** A message stays this long in a dead-letter queue: SQS's maximum, so that a weekly look still finds it. */
export const DEAD_LETTER_RETENTION = Duration.days(14);

/**
 * Properties of an {@link AlertsDeadLetterQueue}.
 */
export interface AlertsDeadLetterQueueProps {
  /**
   * Name of the queue. A fixed name gives a URL known before deployment
   * (`https://sqs.<Region>.amazonaws.com/<account>/<name>`), which the
   * scheduled verification reads, and lets the key policy name the queue.
   */
  readonly queueName: string;
  /** Encrypts the queue's messages (SSE-KMS); services that send to the queue are let use it for this queue only. */
  readonly encryptionKey: kms.Key;
  /**
   * Publishes an alarm to this topic when a message is in the queue.
   *
   * @default - no alarm (e.g. a queue in another account than the topic's)
   */
  readonly alarmTopic?: AlertsTopic;
}

/**
 * An SQS queue, encrypted with a customer-managed key, that keeps the alerts
 * EventBridge or EventBridge Scheduler could not deliver. Without it an alert
 * that fails (a stale bus policy, a disabled key, a failed `StartBuild`) is
 * dropped with no trace. `ecr-kms-replication verify --dead-letter-queue URL`
 * reports its depth; an optional alarm publishes to the topic.
 */
export class AlertsDeadLetterQueue extends Construct {
  public readonly queue: sqs.Queue;
  /** The alarm on the queue's depth, when there is a topic to publish it to. */
  public readonly alarm?: cloudwatch.Alarm;
  private readonly key: kms.Key;
  private readonly queueArnForKey: string;
  /** Rules whose undelivered events the queue takes. */
  private rules = 0;

  constructor(scope: Construct, id: string, props: AlertsDeadLetterQueueProps) {
    super(scope, id);
    this.key = props.encryptionKey;
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: props.queueName,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      retentionPeriod: DEAD_LETTER_RETENTION,
      enforceSSL: true,
      // Marks the queue as a dead-letter queue, the way AWS Control Tower's
      // CT.SQS.PR.1 recognises one (a queue must have a dead-letter queue, or
      // be one: its `RedriveAllowPolicy` allows `allowAll` or `byQueue`).
      // `byQueue` needs the source queues' ARNs, and the senders here are
      // EventBridge and Scheduler, not queues. With `allowAll` another queue of
      // the account could redrive into this one; whatever lands here is
      // reported by `verify --dead-letter-queue` and the alarm, never lost.
      redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
      // Only undelivered alerts: nothing to keep once the stack is gone.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the alert rules and the schedule; its depth is alarmed and verified.',
    });
    // The queue's ARN built from its name: a reference would make the key depend on the queue that depends on the key.
    this.queueArnForKey = Stack.of(this).formatArn({ service: 'sqs', resource: props.queueName });

    if (props.alarmTopic) {
      this.alarm = new cloudwatch.Alarm(this, 'NotEmpty', {
        alarmDescription: `Alerts could not be delivered and wait in the SQS queue ${props.queueName}: read them, fix the cause `
          + '(see the message attributes ERROR_CODE and ERROR_MESSAGE), then purge the queue.',
        metric: this.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      this.alarm.addAlarmAction({ bind: () => ({ alarmActionArn: props.alarmTopic!.topic.topicArn }) });
      props.alarmTopic.allowPublishing('DeadLetterAlarm', { service: 'cloudwatch.amazonaws.com', sourceArn: this.alarm.alarmArn });
    }
  }

  /**
   * The dead-letter queue and retry policy of an EventBridge rule's target,
   * and the permissions for EventBridge to send that rule's undelivered
   * events here: the queue policy for this rule only (`aws:SourceArn`), the
   * key for this queue only (SQS's encryption context). AWS documents both
   * for a KMS-encrypted dead-letter queue ("Event retry policy and using
   * dead-letter queues", EventBridge User Guide; "Key management", SQS
   * Developer Guide).
   */
  public forRule(rule: events.IRule): Pick<events.RuleTargetConfig, 'deadLetterConfig' | 'retryPolicy'> {
    this.rules += 1;
    this.queue.addToResourcePolicy(new iam.PolicyStatement({
      sid: `UndeliveredEvents${this.rules}`,
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [this.queue.queueArn],
      conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
    }));
    if (this.rules === 1) {
      this.key.addToResourcePolicy(new iam.PolicyStatement({
        sid: `EventBridgeDeadLetters${this.node.id}`,
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:EncryptionContext:aws:sqs:arn': this.queueArnForKey } },
      }));
    }
    return { deadLetterConfig: { arn: this.queue.queueArn }, retryPolicy: ALERT_RETRY_POLICY };
  }

  /**
   * Lets a principal that sends to the queue with its own credentials
   * (EventBridge Scheduler's execution role, "Configuring a dead-letter queue
   * for EventBridge Scheduler") send and encrypt with the key.
   */
  public grantSend(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({ grantee, actions: ['sqs:SendMessage'], resourceArns: [this.queue.queueArn] });
    this.key.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
  }

}
