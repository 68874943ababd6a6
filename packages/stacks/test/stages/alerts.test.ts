import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { testApp, topology } from './helpers';
import { AlertsStage, DestinationStage, SourceStage, VerificationSettings } from '../../src/stages';

const DESTINATIONS = [
  { account: '111111111111', region: 'us-west-2' },
  { account: '222222222222', region: 'eu-west-1' },
  { account: '444444444444', region: 'eu-west-1' },
];
const VERIFICATION: VerificationSettings = {
  commands: ['npm ci', 'npx ecr-kms-replication verify --images 5 --topology "$ECR_REPLICATION_TOPOLOGY"'],
  environmentVariables: { ECR_REPLICATION_TOPOLOGY: 'apps/pipeline/topology.yaml' },
  buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
  partialBuildSpec: codebuild.BuildSpec.fromObject({ phases: { install: { 'runtime-versions': { nodejs: '20' } } } }),
  rolePolicyStatements: [new iam.PolicyStatement({
    sid: 'AssumeLookupRoles',
    actions: ['sts:AssumeRole'],
    resources: ['arn:aws:iam::222222222222:role/cdk-hnb659fds-lookup-role-222222222222-eu-west-1'],
  })],
};

function alertsStage(extra: Record<string, unknown> = {}, verification: VerificationSettings | undefined = VERIFICATION) {
  const model = topology(DESTINATIONS, extra);
  const stage = new AlertsStage(testApp(), 'Alerts', { topology: model, pipelineName: 'ecr-kms-replication', verification });
  return { model, stage, template: Template.fromStack(stage.alertsStack) };
}

describe('the alerts stack (alerts on, with an e-mail)', () => {
  const { stage, template } = alertsStage({ alerts: { emails: ['platform-team@example.com'] } });

  test('lives in the pipeline account and Region under a readable name', () => {
    expect(stage.alertsStack.stackName).toBe('ecr-replication-alerts');
    expect(stage.alertsStack.account).toBe('333333333333');
    expect(stage.alertsStack.region).toBe('us-east-1');
    template.hasOutput('ReplicationSource', { Value: '111111111111-us-east-1' });
  });

  test('has the topic, encrypted with its own rotating key, and the e-mail subscription', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'ecr-kms-replication-alerts',
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('AlertsKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.resourceCountIs('AWS::SNS::Subscription', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'platform-team@example.com' });
  });

  test('the bus admits exactly the other registry accounts', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'ecr-kms-replication-alerts' });
    template.resourceCountIs('AWS::Events::EventBusPolicy', 1);
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: {
        Sid: 'cdk-RegistryAccountsForwardFailedReplications',
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Principal: {
          AWS: [
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] },
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] },
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::444444444444:root']] },
          ],
        },
        Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('FailedReplicationsBus'), 'Arn'] },
      },
    });
  });

  test('the scheduled verification runs verify daily from the branch, through the connection', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 day)',
      State: 'ENABLED',
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ScheduledVerificationProject'), 'Arn'] } }),
    });
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Source: Match.objectLike({
        Type: 'GITHUB',
        Location: 'https://github.com/my-org/ecr-kms-replication.git',
        Auth: { Type: 'CODECONNECTIONS', Resource: 'arn:aws:codeconnections:us-east-1:333333333333:connection/00000000-0000-0000-0000-000000000000' },
        BuildSpec: Match.serializedJson(Match.objectLike({
          phases: {
            install: { 'runtime-versions': { nodejs: '20' } },
            build: { commands: VERIFICATION.commands },
          },
        })),
      }),
      SourceVersion: 'main',
      Environment: Match.objectLike({
        Image: 'aws/codebuild/standard:7.0',
        EnvironmentVariables: [{ Name: 'ECR_REPLICATION_TOPOLOGY', Type: 'PLAINTEXT', Value: 'apps/pipeline/topology.yaml' }],
      }),
    });
  });

  test('the project role may use the connection and assume exactly the given roles', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AssumeLookupRoles',
            Action: 'sts:AssumeRole',
            Resource: 'arn:aws:iam::222222222222:role/cdk-hnb659fds-lookup-role-222222222222-eu-west-1',
          }),
          Match.objectLike({
            Sid: 'UseConnection',
            Action: ['codeconnections:GetConnectionToken', 'codeconnections:GetConnection'],
            Resource: 'arn:aws:codeconnections:us-east-1:333333333333:connection/00000000-0000-0000-0000-000000000000',
          }),
        ]),
      },
    });
  });

  test('notifies failed executions and approvals waiting of the pipeline to the topic, once the topic policy allows it', () => {
    template.hasResource('AWS::CodeStarNotifications::NotificationRule', {
      DependsOn: [Match.stringLikeRegexp('AlertsTopicPolicy')],
    });
    template.hasResourceProperties('AWS::CodeStarNotifications::NotificationRule', {
      Name: 'ecr-kms-replication-alerts',
      DetailType: 'FULL',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':codepipeline:us-east-1:333333333333:ecr-kms-replication']] },
      EventTypeIds: ['codepipeline-pipeline-pipeline-execution-failed', 'codepipeline-pipeline-manual-approval-needed'],
      Targets: [{ TargetType: 'SNS', TargetAddress: { Ref: Match.stringLikeRegexp('AlertsTopic') } }],
    });
  });

  test('only the bus rule, the build rule and the notification rule may publish, each for itself in this account', () => {
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    expect(policies).toHaveLength(1);
    const statements = policies[0].Properties.PolicyDocument.Statement as any[];
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows.map((s) => [s.Sid, s.Principal.Service, s.Action, s.Condition.StringEquals['aws:SourceAccount']])).toEqual([
      ['FailedReplicationsFromBus', 'events.amazonaws.com', 'sns:Publish', '333333333333'],
      ['FailedVerificationBuilds', 'events.amazonaws.com', 'sns:Publish', '333333333333'],
      ['PipelineNotifications', 'codestar-notifications.amazonaws.com', 'sns:Publish', '333333333333'],
    ]);
    expect(allows.map((s) => s.Condition.ArnLike['aws:SourceArn'])).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^FailedReplicationsRule/), 'Arn'] },
      { 'Fn::GetAtt': [expect.stringMatching(/^ScheduledVerificationFailedBuild/), 'Arn'] },
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':codestar-notifications:us-east-1:333333333333:notificationrule/*']] },
    ]);
    // TLS only, for everyone.
    expect(statements.filter((s) => s.Effect === 'Deny').map((s) => s.Condition)).toEqual([{ Bool: { 'aws:SecureTransport': 'false' } }]);
  });

  test('the key lets the same services encrypt for this topic only', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'PipelineNotifications',
            Principal: { Service: 'codestar-notifications.amazonaws.com' },
            Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
            Condition: {
              StringEquals: {
                'kms:EncryptionContext:aws:sns:topicArn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:us-east-1:333333333333:ecr-kms-replication-alerts']],
                },
              },
            },
          }),
        ]),
      },
    });
  });

  test('a failed replication reaches the topic as a readable message', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('FailedReplicationsBus') },
      EventPattern: { 'source': ['aws.ecr'], 'detail-type': ['ECR Replication Action'], 'detail': { result: [{ 'anything-but': ['SUCCESS'] }] } },
      Targets: [Match.objectLike({
        Arn: { Ref: Match.stringLikeRegexp('AlertsTopic') },
        InputTransformer: Match.objectLike({
          InputPathsMap: Match.objectLike({ 'detail-repository-name': '$.detail.repository-name', 'detail-source-account': '$.detail.source-account' }),
          InputTemplate: Match.stringLikeRegexp('ECR replication failed: <detail-repository-name>:<detail-image-tag>'),
        }),
      })],
    });
  });

  test('a scheduled verification build that does not succeed is published with its log link', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.codebuild'],
        'detail-type': ['CodeBuild Build State Change'],
        'detail': {
          'project-name': [{ Ref: Match.stringLikeRegexp('ScheduledVerificationProject') }],
          'build-status': [{ 'anything-but': ['SUCCEEDED', 'IN_PROGRESS'] }],
        },
      },
      Targets: [Match.objectLike({
        InputTransformer: Match.objectLike({ InputTemplate: Match.stringLikeRegexp('Build log: <detail-additional-information-logs-deep-link>') }),
      })],
    });
  });
});

describe('alerts settings', () => {
  test('verifySchedule off: no schedule, no project, the rest stays', () => {
    const { template } = alertsStage({ alerts: { verifySchedule: 'off' } });
    template.resourceCountIs('AWS::Scheduler::Schedule', 0);
    template.resourceCountIs('AWS::CodeBuild::Project', 0);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::CodeStarNotifications::NotificationRule', 1);
  });

  test('a custom schedule and another Git host', () => {
    const { template } = alertsStage({ alerts: { verifySchedule: 'cron(0 6 * * ? *)', gitProvider: 'GitLab' } });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 6 * * ? *)' });
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Source: Match.objectLike({ Type: 'GITLAB', Location: 'https://gitlab.com/my-org/ecr-kms-replication.git' }),
    });
  });

  test('no e-mail: no subscription', () => {
    alertsStage().template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('alerts: false has no alerts stage, and no forwarding in the registries', () => {
    const model = topology(DESTINATIONS, { alerts: false });
    expect(() => new AlertsStage(testApp(), 'Alerts', { topology: model, pipelineName: 'p' })).toThrow(/alerts: false/);
    const destination = new DestinationStage(testApp(), { topology: model, destination: model.destinations[1] });
    Template.fromStack(destination.registryStack).resourceCountIs('AWS::Events::Rule', 0);
  });
});

describe('failed-replication forwarding in the registries', () => {
  const model = topology(DESTINATIONS);

  test('every destination forwards failed replications to the bus in the pipeline account', () => {
    for (const destination of model.destinations) {
      const stage = new DestinationStage(testApp(), { topology: model, destination });
      const registry = Template.fromStack(stage.registryStack);
      registry.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { 'source': ['aws.ecr'], 'detail-type': ['ECR Replication Action'], 'detail': { result: [{ 'anything-but': ['SUCCESS'] }] } },
        Targets: [Match.objectLike({
          Arn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:us-east-1:333333333333:event-bus/ecr-kms-replication-alerts']] },
          RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('FailedReplicationsRole'), 'Arn'] },
        })],
      });
      registry.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: [{
            Effect: 'Allow',
            Action: 'events:PutEvents',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:us-east-1:333333333333:event-bus/ecr-kms-replication-alerts']] },
          }],
        },
      });
    }
  });

  test('the source registry has no forwarding rule: ECR reports in the registry it replicates into', () => {
    const stage = new SourceStage(testApp(), { topology: model });
    Template.fromStack(stage.registryStack).resourceCountIs('AWS::Events::Rule', 0);
  });
});

test('cdk-nag checks the alerts stage: it is clean, and a finding there fails the synth', () => {
  const clean = testApp();
  new AlertsStage(clean, 'Alerts', { topology: topology(DESTINATIONS), pipelineName: 'ecr-kms-replication', verification: VERIFICATION });
  expect(() => clean.synth()).not.toThrow();
  const app = testApp();
  const stage = new AlertsStage(app, 'Alerts', { topology: topology(DESTINATIONS), pipelineName: 'ecr-kms-replication', verification: VERIFICATION });
  new CfnBucket(stage.alertsStack, 'UncheckedBucket');
  expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
});
