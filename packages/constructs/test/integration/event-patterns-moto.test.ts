/**
 * The alert rules' event patterns and messages, evaluated by a real
 * EventBridge implementation: moto_server's event routing (a rule with the
 * synthesized pattern and input transformer, an SQS queue as its target,
 * PutEvents of AWS's documented sample events, then what reached the queue).
 * moto's TestEventPattern is a no-op, so it is not used. Skipped with a
 * warning when moto_server is not installed, except on CI (CI=true).
 *
 * Sample events: "Amazon ECR events and EventBridge" (ECR User Guide,
 * completed and failed image replication, completed image push),
 * "Build notifications input format reference" (CodeBuild User Guide) and
 * "Monitoring CodePipeline events" (CodePipeline User Guide: pipeline
 * execution and action execution state changes; an action's `type` carries
 * `owner`, `category`, `provider` and `version`).
 */
import { DeleteRuleCommand, EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand, RemoveTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describeAgainstMoto, temporaryDirectory } from '@ecr-kms-replication/testing';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { AlertsTopic, PipelineNotifications, ReplicationAlertsBus, ReplicationFailureForwarding, ScheduledVerification } from '../../src';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

// --- AWS's documented sample events (the fields as documented) -------------

const REPLICATION_SUCCEEDED = {
  'version': '0',
  'id': 'c8b133b1-6029-ee73-e2a1-4f466b8ba999',
  'detail-type': 'ECR Replication Action',
  'source': 'aws.ecr',
  'account': ACCOUNT,
  'time': '2024-05-08T20:44:54Z',
  'region': REGION,
  'resources': [`arn:aws:ecr:${REGION}:${ACCOUNT}:repository/docker-hub/alpine`],
  'detail': {
    'result': 'SUCCESS',
    'repository-name': 'docker-hub/alpine',
    'image-digest': 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234',
    'source-account': ACCOUNT,
    'action-type': 'REPLICATE',
    'source-region': 'us-west-2',
    'image-tag': '3.17.2',
  },
};

const REPLICATION_FAILED = {
  ...REPLICATION_SUCCEEDED,
  id: 'd9c244c2-7130-ff84-f3b2-5g577c9cb000',
  time: '2024-05-08T20:45:12Z',
  resources: [`arn:aws:ecr:${REGION}:${ACCOUNT}:repository/my-app`],
  detail: {
    'result': 'FAILED',
    'repository-name': 'my-app',
    'image-digest': 'sha256:8g6c3751gf7gc5g47603ege4511d5a80ead5g90f5893543f1489bde2345',
    'source-account': ACCOUNT,
    'action-type': 'REPLICATE',
    'source-region': 'us-west-2',
    'image-tag': 'latest',
  },
};

const IMAGE_PUSHED = {
  'version': '0',
  'id': '13cde686-328b-6117-af20-0e5566167482',
  'detail-type': 'ECR Image Action',
  'source': 'aws.ecr',
  'account': ACCOUNT,
  'time': '2019-11-16T01:54:34Z',
  'region': 'us-west-2',
  'resources': [],
  'detail': {
    'result': 'SUCCESS',
    'repository-name': 'my-repository-name',
    'image-digest': 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234',
    'action-type': 'PUSH',
    'image-tag': 'latest',
  },
};

const PROJECT = 'my-sample-project';
function buildStateChange(status: string) {
  return {
    'version': '0',
    'id': 'c030038d-8c4d-6141-9545-00ff7b7153EX',
    'detail-type': 'CodeBuild Build State Change',
    'source': 'aws.codebuild',
    'account': ACCOUNT,
    'time': '2017-09-01T16:14:28Z',
    'region': REGION,
    'resources': [`arn:aws:codebuild:${REGION}:${ACCOUNT}:build/${PROJECT}:8745a7a9-c340-456a-9166-edf953571bEX`],
    'detail': {
      'build-status': status,
      'project-name': PROJECT,
      'build-id': `arn:aws:codebuild:${REGION}:${ACCOUNT}:build/${PROJECT}:8745a7a9-c340-456a-9166-edf953571bEX`,
      'additional-information': {
        'build-complete': status !== 'IN_PROGRESS',
        'initiator': 'rule/ecr-kms-replication-verify',
        'logs': {
          'group-name': `/aws/codebuild/${PROJECT}`,
          'stream-name': '8745a7a9-c340-456a-9166-edf953571bEX',
          'deep-link': 'https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEvent:group=/aws/codebuild/my-sample-project;stream=8745a7a9-c340-456a-9166-edf953571bEX',
        },
      },
      'current-phase': 'COMPLETED',
      'current-phase-context': '[]',
      'version': '1',
    },
  };
}

const PIPELINE = 'ecr-kms-replication';
const PIPELINE_ARN = `arn:aws:codepipeline:${REGION}:${ACCOUNT}:${PIPELINE}`;
function pipelineExecution(state: string, pipeline = PIPELINE) {
  return {
    'version': '0',
    'id': '01234567-0123-0123-0123-012345678901',
    'detail-type': 'CodePipeline Pipeline Execution State Change',
    'source': 'aws.codepipeline',
    'account': ACCOUNT,
    'time': '2020-01-24T22:03:07Z',
    'region': REGION,
    'resources': [`arn:aws:codepipeline:${REGION}:${ACCOUNT}:${pipeline}`],
    'detail': { 'pipeline': pipeline, 'execution-id': '01234567-0123-0123-0123-012345678901', 'state': state, 'version': 1 },
  };
}
function actionExecution(state: string, category: string, provider: string) {
  return {
    'version': '0',
    'id': 'CWE-event-id',
    'detail-type': 'CodePipeline Action Execution State Change',
    'source': 'aws.codepipeline',
    'account': ACCOUNT,
    'time': '2017-04-22T03:31:47Z',
    'region': REGION,
    'resources': [PIPELINE_ARN],
    'detail': {
      'pipeline': PIPELINE,
      'version': 1,
      'execution-id': '01234567-0123-0123-0123-012345678901',
      'stage': 'Destinations1',
      'action': 'PromoteToDestinations',
      'state': state,
      'region': REGION,
      'type': { owner: 'AWS', provider, category, version: '1' },
    },
  };
}

// --- the rules as synthesized ------------------------------------------------

interface SynthesizedRule {
  readonly EventPattern: Record<string, unknown>;
  readonly Targets: { InputTransformer?: { InputPathsMap: Record<string, string>; InputTemplate: string } }[];
}

/** The synthesized rules, by the construct path they start with; tokens in patterns replaced by concrete names. */
function synthesizedRules(): Record<'forwarding' | 'bus' | 'build' | 'pipelineFailed' | 'approvalNeeded', SynthesizedRule> {
  const stack = new Stack(new App({ outdir: temporaryDirectory(), builtinCloudFormationValidation: false }), 'Alerts', { env: { account: ACCOUNT, region: REGION } });
  const topic = new AlertsTopic(stack, 'Topic', { topicName: 'alerts' });
  new ReplicationFailureForwarding(stack, 'Forwarding', { eventBusArn: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/alerts` });
  new ReplicationAlertsBus(stack, 'Bus', { eventBusName: 'alerts', senderAccounts: ['111111111111'], topic });
  new ScheduledVerification(stack, 'Verification', {
    schedule: 'rate(1 day)',
    source: { connectionArn: `arn:aws:codeconnections:${REGION}:${ACCOUNT}:connection/0`, repository: 'o/r', branch: 'main', provider: 'GitHub' },
    commands: ['true'],
    buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
    rolePolicyStatements: [],
    topic,
    encryptionKey: topic.key,
  });
  new PipelineNotifications(stack, 'Pipeline', { pipelineName: PIPELINE, topic });
  const rules = Template.fromStack(stack).findResources('AWS::Events::Rule');
  const find = (prefix: string) => {
    const [id] = Object.keys(rules).filter((logicalId) => logicalId.startsWith(prefix));
    // The project's name is a reference in the template; the sample event names its own project.
    // The pipeline's ARN is joined with the partition.
    return JSON.parse(JSON.stringify(rules[id].Properties)
      .replace(/\{"Ref":"VerificationProject[A-F0-9]+"\}/g, JSON.stringify(PROJECT))
      .replace(/\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},"(:codepipeline:[^"]+)"\]\]\}/g, '"arn:aws$1"'));
  };
  return {
    forwarding: find('ForwardingRule'),
    bus: find('BusRule'),
    build: find('VerificationFailedBuild'),
    pipelineFailed: find('PipelineFailedExecution'),
    approvalNeeded: find('PipelineApprovalNeeded'),
  };
}

describeAgainstMoto('alert event patterns against moto_server', (server) => {
  let events: EventBridgeClient;
  let sqs: SQSClient;
  const rules = synthesizedRules();

  beforeAll(() => {
    events = new EventBridgeClient({ region: REGION });
    sqs = new SQSClient({ region: REGION });
  });

  afterAll(() => {
    events?.destroy();
    sqs?.destroy();
  });

  /** The messages that reach a queue behind a rule with `rule`'s pattern (and input transformer) after `sent` are put. */
  async function delivered(rule: SynthesizedRule, sent: object[]): Promise<string[]> {
    await server().reset();
    const queue = await sqs.send(new CreateQueueCommand({ QueueName: 'alerts' }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }));
    await events.send(new PutRuleCommand({ Name: 'under-test', EventPattern: JSON.stringify(rule.EventPattern) }));
    await events.send(new PutTargetsCommand({
      Rule: 'under-test',
      Targets: [{ Id: 'queue', Arn: Attributes!.QueueArn, InputTransformer: rule.Targets[0].InputTransformer }],
    }));
    for (const event of sent as (typeof REPLICATION_FAILED)[]) {
      const result = await events.send(new PutEventsCommand({
        Entries: [{ Source: event.source, DetailType: event['detail-type'], Detail: JSON.stringify(event.detail), Resources: event.resources, Time: new Date(event.time) }],
      }));
      expect(result.FailedEntryCount).toBe(0);
    }
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    await events.send(new RemoveTargetsCommand({ Rule: 'under-test', Ids: ['queue'] }));
    await events.send(new DeleteRuleCommand({ Name: 'under-test' }));
    return (received.Messages ?? []).map((m) => m.Body!);
  }

  test('the registries forward a failed replication, not a successful one, nor an image push', async () => {
    const messages = await delivered(rules.forwarding, [REPLICATION_SUCCEEDED, IMAGE_PUSHED, REPLICATION_FAILED]);
    expect(messages).toHaveLength(1);
    expect(JSON.parse(messages[0])).toMatchObject({ 'detail-type': 'ECR Replication Action', 'detail': { 'result': 'FAILED', 'repository-name': 'my-app' } });
  });

  test('a result other than SUCCESS is a failure too', async () => {
    const other = { ...REPLICATION_FAILED, detail: { ...REPLICATION_FAILED.detail, result: 'ERROR' } };
    expect(await delivered(rules.forwarding, [other])).toHaveLength(1);
  });

  test('the bus publishes the failed replication as a readable message', async () => {
    const messages = await delivered(rules.bus, [REPLICATION_SUCCEEDED, REPLICATION_FAILED, IMAGE_PUSHED]);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('ECR replication failed: my-app:latest (sha256:8g6c3751gf7gc5g47603ege4511d5a80ead5g90f5893543f1489bde2345) '
      + `from registry ${ACCOUNT}/us-west-2 to registry ${ACCOUNT}/${REGION}`);
    expect(messages[0]).toContain('result FAILED');
  });

  test('a failed, stopped or timed-out verification build is published with its log link; a running or successful one is not', async () => {
    const messages = await delivered(rules.build, ['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'STOPPED', 'TIMED_OUT'].map(buildStateChange));
    expect(messages).toHaveLength(3);
    expect(messages.map((m) => /verification (\w+) at/.exec(m)?.[1]).sort()).toEqual(['FAILED', 'STOPPED', 'TIMED_OUT']);
    for (const message of messages) {
      expect(message).toContain('Build log: https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEvent:group=/aws/codebuild/my-sample-project');
    }
  });

  test('another project\'s failed build is not published', async () => {
    const other = buildStateChange('FAILED');
    expect(await delivered(rules.build, [{ ...other, detail: { ...other.detail, 'project-name': 'someone-else' } }])).toHaveLength(0);
  });

  test('a failed execution of the pipeline is published; a successful one, or another pipeline\'s failure, is not', async () => {
    const messages = await delivered(rules.pipelineFailed, [pipelineExecution('SUCCEEDED'), pipelineExecution('FAILED', 'someone-else'), pipelineExecution('FAILED')]);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(`Pipeline ${PIPELINE} failed (execution 01234567-0123-0123-0123-012345678901)`);
  });

  test('an approval waiting is published; another action starting, or the approval ending, is not', async () => {
    const messages = await delivered(rules.approvalNeeded, [
      actionExecution('STARTED', 'Deploy', 'CloudFormation'),
      actionExecution('SUCCEEDED', 'Approval', 'Manual'),
      actionExecution('STARTED', 'Approval', 'Manual'),
    ]);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(`Pipeline ${PIPELINE} waits for an approval: Destinations1/PromoteToDestinations`);
  });
}, { resetBeforeEach: false });
