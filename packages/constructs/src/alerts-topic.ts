import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ReplicationKey } from './replication-key';
import { throwIfInvalid } from './validation';

/** An e-mail address, checked only for its shape: SNS sends a confirmation message to it. */
export const EMAIL_PATTERN = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * Properties of an {@link AlertsTopic}.
 */
export interface AlertsTopicProps {
  /**
   * Name of the topic.
   *
   * @default - a name CloudFormation generates
   */
  readonly topicName?: string;

  /**
   * E-mail addresses subscribed to the topic. Each receives a confirmation
   * message and gets alerts only once it confirms.
   *
   * @default - no subscription (subscribe later, in the console or with the CLI)
   */
  readonly emails?: readonly string[];
}

/** A service that may publish to the topic, and on behalf of what. */
export interface AlertPublisher {
  /** Service principal, e.g. `events.amazonaws.com`. */
  readonly service: string;
  /**
   * ARN (wildcards allowed) of the resource the service publishes for, e.g.
   * the EventBridge rule: the topic policy's `aws:SourceArn` condition.
   */
  readonly sourceArn: string;
}

/**
 * An SNS topic for alerts, encrypted with its own KMS key. Nobody may publish
 * until {@link allowPublishing} names a service and the resource it publishes
 * for; every permission is conditioned on this account (`aws:SourceAccount`)
 * and that resource (`aws:SourceArn`), so no other account's rule or
 * notification can use the topic (the confused-deputy problem).
 */
export class AlertsTopic extends Construct {
  public readonly topic: sns.Topic;
  /**
   * The topic's ARN built from its name (a reference to the topic would make
   * the key depend on the topic that depends on the key).
   */
  private readonly topicArnForKey: string;
  /** The key that encrypts messages at rest in the topic. */
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: AlertsTopicProps = {}) {
    super(scope, id);
    const emails = props.emails ?? [];
    throwIfInvalid('alerts topic', emails.flatMap((email) =>
      EMAIL_PATTERN.test(email) ? [] : [`e-mail address '${email}' is not an e-mail address`]));

    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts the ecr-kms-replication alerts topic',
      enableKeyRotation: true,
      // SNS keeps a message only until it is delivered: nothing outlives the
      // topic that this key would still have to decrypt.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.key.addToResourcePolicy(ReplicationKey.grantsOnlyForAwsResources());
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: props.topicName,
      displayName: 'ecr-kms-replication alerts',
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topicArnForKey = Stack.of(this).formatArn({ service: 'sns', resource: props.topicName ?? '*' });
    emails.forEach((email, index) => {
      new sns.CfnSubscription(this, `Email${index}`, {
        topicArn: this.topic.topicArn,
        protocol: 'email',
        endpoint: email,
      });
    });
  }

  /**
   * Lets `publisher.service` publish, only for `publisher.sourceArn` in this
   * account, and use the topic's key for this topic only.
   */
  public allowPublishing(sid: string, publisher: AlertPublisher): void {
    const account = Stack.of(this).account;
    const principal = new iam.ServicePrincipal(publisher.service);
    this.topic.addToResourcePolicy(new iam.PolicyStatement({
      sid,
      principals: [principal],
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': account },
        ArnLike: { 'aws:SourceArn': publisher.sourceArn },
      },
    }));
    // The key statement is scoped by SNS's encryption context (this topic)
    // rather than by aws:SourceArn: the KMS request SNS makes for a service
    // publisher does not carry the publisher's source ARN for every service.
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      sid,
      principals: [principal],
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      resources: ['*'],
      conditions: encryptionContextCondition(this.topicArnForKey),
    }));
  }
}

/** SNS's encryption context names the topic; a generated topic name is only known as a pattern. */
function encryptionContextCondition(topicArn: string): Record<string, unknown> {
  return topicArn.endsWith(':*')
    ? { ArnLike: { 'kms:EncryptionContext:aws:sns:topicArn': topicArn } }
    : { StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': topicArn } };
}
