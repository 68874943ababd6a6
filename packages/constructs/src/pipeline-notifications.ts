import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { AlertsTopic } from './alerts-topic';
import { AlertsDeadLetterQueue } from './dead-letter-queue';

/**
 * The events CodePipeline sends to EventBridge on its own, with the fields
 * AWS documents ("Monitoring CodePipeline events", CodePipeline User Guide):
 * a pipeline execution's `state` (`FAILED`, ...), an action execution's
 * `state` (`STARTED`, ...) and its `type.category` (`Approval` for a manual
 * approval), each event naming the pipeline's ARN in `resources`.
 */
export function pipelineFailedPattern(pipelineArn: string): events.EventPattern {
  return {
    source: ['aws.codepipeline'],
    detailType: ['CodePipeline Pipeline Execution State Change'],
    resources: [pipelineArn],
    detail: { state: ['FAILED'] },
  };
}

/** An approval action of the pipeline that starts, i.e. waits for someone (see {@link pipelineFailedPattern}). */
export function approvalNeededPattern(pipelineArn: string): events.EventPattern {
  return {
    source: ['aws.codepipeline'],
    detailType: ['CodePipeline Action Execution State Change'],
    resources: [pipelineArn],
    detail: { state: ['STARTED'], type: { category: ['Approval'] } },
  };
}

/**
 * Properties of {@link PipelineNotifications}.
 */
export interface PipelineNotificationsProps {
  /** Name of the pipeline, in this stack's account and Region. */
  readonly pipelineName: string;
  /** The topic the notifications are published to. */
  readonly topic: AlertsTopic;
  /**
   * Keeps what could not be published to the topic, after retries.
   *
   * @default - EventBridge's default retries, then the event is dropped
   */
  readonly deadLetterQueue?: AlertsDeadLetterQueue;
}

/**
 * A failed execution of the pipeline, and an approval waiting in it, published
 * to the alerts topic.
 *
 * EventBridge rules on CodePipeline's own events rather than a CodeStar
 * Notifications rule: a notification rule needs CodeStar Notifications'
 * service-linked role, and on an account that never had one its creation
 * fails (`ConfigurationException`) until the role exists, which can take
 * minutes (aws/aws-cdk#34406) — the first deployment would roll back.
 * CodePipeline sends these events to the default bus of its account and
 * Region with no set-up, and EventBridge publishes to the topic through the
 * topic policy alone.
 */
export class PipelineNotifications extends Construct {
  /** The rule on failed executions. */
  public readonly failedExecution: events.Rule;
  /** The rule on approvals waiting. */
  public readonly approvalNeeded: events.Rule;

  constructor(scope: Construct, id: string, props: PipelineNotificationsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const pipelineArn = stack.formatArn({ service: 'codepipeline', resource: props.pipelineName });
    const field = (path: string) => events.EventField.fromPath(path);
    const console = `https://console.aws.amazon.com/codesuite/codepipeline/pipelines/${props.pipelineName}/view?region=${stack.region}`;

    this.failedExecution = new events.Rule(this, 'FailedExecution', {
      description: `Publishes every failed execution of the ${props.pipelineName} pipeline to the alerts topic`,
      eventPattern: pipelineFailedPattern(pipelineArn),
    });
    this.addTopicTarget(this.failedExecution, 'PipelineFailedExecutions', props, events.RuleTargetInput.fromText(
      `Pipeline ${field('$.detail.pipeline')} failed (execution ${field('$.detail.execution-id')}) at ${field('$.time')} `
      + `in ${field('$.account')}/${field('$.region')}: ${console}`));

    this.approvalNeeded = new events.Rule(this, 'ApprovalNeeded', {
      description: `Publishes every approval the ${props.pipelineName} pipeline waits for to the alerts topic`,
      eventPattern: approvalNeededPattern(pipelineArn),
    });
    this.addTopicTarget(this.approvalNeeded, 'PipelineApprovalsNeeded', props, events.RuleTargetInput.fromText(
      `Pipeline ${field('$.detail.pipeline')} waits for an approval: ${field('$.detail.stage')}/${field('$.detail.action')} `
      + `(execution ${field('$.detail.execution-id')}) since ${field('$.time')}. Review and approve or reject: ${console}`));
  }

  private addTopicTarget(rule: events.Rule, sid: string, props: PipelineNotificationsProps, input: events.RuleTargetInput) {
    // A target of our own rather than aws-events-targets' SnsTopic, which
    // would grant publishing without source conditions; no role either: SNS
    // authorizes EventBridge by the topic policy ("Using resource-based
    // policies for Amazon EventBridge", EventBridge User Guide).
    rule.addTarget({ bind: () => ({ arn: props.topic.topic.topicArn, input, ...props.deadLetterQueue?.forRule(rule) }) });
    props.topic.allowPublishing(sid, { service: 'events.amazonaws.com', sourceArn: rule.ruleArn });
  }
}
