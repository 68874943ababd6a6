import { AlertsDeadLetterQueue, AlertsTopic, PipelineNotifications, ReplicationAlertsBus, ScheduledVerification } from '@ecr-kms-replication/constructs';
import { Aws, CfnOutput, CfnResource, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import { rules } from 'cdk-nag';
import { Construct } from 'constructs';
import { ALERTS_DEAD_LETTER_QUEUE_NAME, STACK_NAME_PREFIX } from './naming';
import { AlertsModel, Environment, PipelineModel } from '../topology/model';

/** Name of the alerts topic in the pipeline account. */
export const ALERTS_TOPIC_NAME = 'ecr-kms-replication-alerts';
/** Name of the event bus in the pipeline account that collects failed replications. */
export const ALERTS_EVENT_BUS_NAME = 'ecr-kms-replication-alerts';

/** `ecr-replication-alerts`: the stack in the pipeline account and Region. */
export function alertsStackName(): string {
  return `${STACK_NAME_PREFIX}-alerts`;
}

/** ARN of the alerts bus of a pipeline environment (in the partition of the stack it is used in). */
export function alertsEventBusArn(pipeline: Environment): string {
  return `arn:${Aws.PARTITION}:events:${pipeline.region}:${pipeline.account}:event-bus/${ALERTS_EVENT_BUS_NAME}`;
}

/** How the scheduled verification runs: the pipeline decides, so that it runs as its own Verify step does. */
export interface VerificationSettings {
  /** Shell commands of the build, run from the repository's root. */
  readonly commands: readonly string[];
  /** Plain-text environment variables of the build. */
  readonly environmentVariables: Readonly<Record<string, string>>;
  /** The pipeline steps' build image. */
  readonly buildImage: codebuild.IBuildImage;
  /** The pipeline steps' partial buildspec (e.g. the Node.js runtime version). */
  readonly partialBuildSpec?: codebuild.BuildSpec;
  /** What the build may do, e.g. assume the look-up roles. */
  readonly rolePolicyStatements: readonly iam.PolicyStatement[];
}

export interface AlertsStackProps extends StackProps {
  readonly alerts: AlertsModel;
  readonly pipeline: PipelineModel;
  /** Name of the pipeline whose failures and approvals are notified. */
  readonly pipelineName: string;
  /** Accounts whose registries forward failed replications to the bus. */
  readonly registryAccounts: readonly string[];
  /**
   * How the scheduled verification runs.
   * @default - no scheduled verification
   */
  readonly verification?: VerificationSettings;
}

/**
 * Alerts in the pipeline account and Region: the encrypted topic, the bus that
 * collects failed replications from every registry, the scheduled
 * verification, and the pipeline's notifications.
 */
export class AlertsStack extends Stack {
  public readonly topic: AlertsTopic;
  /** Keeps the alerts that could not be delivered; an alarm on it publishes to the topic. */
  public readonly deadLetterQueue: AlertsDeadLetterQueue;
  public readonly bus: ReplicationAlertsBus;
  public readonly verification?: ScheduledVerification;
  public readonly pipelineNotifications: PipelineNotifications;

  constructor(scope: Construct, id: string, props: AlertsStackProps) {
    super(scope, id, props);
    const { alerts, pipeline } = props;

    this.topic = new AlertsTopic(this, 'Alerts', { topicName: ALERTS_TOPIC_NAME, emails: alerts.emails });
    this.deadLetterQueue = new AlertsDeadLetterQueue(this, 'UndeliveredAlerts', {
      queueName: ALERTS_DEAD_LETTER_QUEUE_NAME,
      encryptionKey: this.topic.key,
      alarmTopic: this.topic,
    });
    const deadLetterQueue = this.deadLetterQueue;
    this.bus = new ReplicationAlertsBus(this, 'FailedReplications', {
      eventBusName: ALERTS_EVENT_BUS_NAME,
      senderAccounts: props.registryAccounts,
      topic: this.topic,
      deadLetterQueue,
    });

    if (alerts.verifySchedule && props.verification) {
      const settings = props.verification;
      this.verification = new ScheduledVerification(this, 'ScheduledVerification', {
        schedule: alerts.verifySchedule,
        source: {
          connectionArn: pipeline.connectionArn,
          repository: pipeline.repository,
          branch: pipeline.branch,
          provider: alerts.gitProvider,
        },
        commands: settings.commands,
        environmentVariables: settings.environmentVariables,
        buildImage: settings.buildImage,
        partialBuildSpec: settings.partialBuildSpec,
        rolePolicyStatements: settings.rolePolicyStatements,
        topic: this.topic,
        encryptionKey: this.topic.key,
        deadLetterQueue,
      });
      acknowledgeProjectWildcards(this.verification);
    }

    // EventBridge rules on CodePipeline's own events, not a CodeStar
    // Notifications rule: see PipelineNotifications (no service-linked role,
    // so nothing to wait for on an account's first deployment).
    this.pipelineNotifications = new PipelineNotifications(this, 'PipelineNotifications', {
      pipelineName: props.pipelineName,
      topic: this.topic,
      deadLetterQueue,
    });

    new CfnOutput(this, 'TopicArn', { description: 'The alerts topic: subscribe more endpoints here', value: this.topic.topic.topicArn });
    new CfnOutput(this, 'DeadLetterQueueUrl', { description: 'Alerts that could not be delivered wait here', value: this.deadLetterQueue.queue.queueUrl });
    new CfnOutput(this, 'EventBusArn', { description: 'The bus the registries forward failed replications to', value: this.bus.eventBus.eventBusArn });
  }
}

/** The wildcards CodeBuild's generated project policy holds, each with why it is acceptable. */
const REVIEWED_PROJECT_WILDCARDS: { readonly pattern: RegExp; readonly reason: string }[] = [
  {
    pattern: /^Resource::arn:(<AWS::Partition>|aws[a-z-]*):logs:[a-z0-9-]+:\d{12}:log-group:\/aws\/codebuild\/<[A-Za-z0-9]+>:\*$/,
    reason: 'Log streams of the verification project\'s default log group: CodeBuild names a stream per build.',
  },
  {
    pattern: /^Resource::arn:(<AWS::Partition>|aws[a-z-]*):codebuild:[a-z0-9-]+:\d{12}:report-group\/<[A-Za-z0-9]+>-\*$/,
    reason: 'Test report groups of the verification project: their names are derived from the project name.',
  },
  {
    pattern: /^Action::kms:(GenerateDataKey\*|ReEncrypt\*)$/,
    reason: 'Encrypting the build\'s artifacts and cache; the statement is limited to the alerts key.',
  },
];

/** Acknowledges the reviewed wildcards of the scheduled verification's IAM policies, one finding at a time. */
function acknowledgeProjectWildcards(verification: ScheduledVerification) {
  for (const node of verification.node.findAll()) {
    if (!(node instanceof iam.CfnPolicy)) continue;
    const findings = rules.iam.IAMNoWildcardPermissions(node as CfnResource);
    if (!Array.isArray(findings)) continue;
    for (const finding of findings) {
      const reviewed = REVIEWED_PROJECT_WILDCARDS.find((w) => w.pattern.test(finding));
      if (reviewed) {
        Validations.of(node).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason: reviewed.reason });
      }
    }
  }
}
