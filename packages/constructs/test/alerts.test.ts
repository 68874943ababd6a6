import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { AlertsTopic, PipelineNotifications, ReplicationAlertsBus, ReplicationFailureForwarding, ScheduledVerification, scheduleExpressionProblems } from '../src';
import { newStack } from './util';

describe('AlertsTopic', () => {
  test('refuses what is not an e-mail address, naming it', () => {
    expect(() => new AlertsTopic(newStack(), 'Alerts', { emails: ['ok@example.com', 'platform-team'] }))
      .toThrow("Invalid alerts topic: e-mail address 'platform-team' is not an e-mail address");
  });

  test('nobody may publish until a service is allowed, and then only over TLS', () => {
    const stack = newStack();
    new AlertsTopic(stack, 'Alerts');
    const template = Template.fromStack(stack);
    const [policy] = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]);
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ EnableKeyRotation: true }) });
    // Only AWS services create grants on the key (AWS Control Tower's CT.KMS.PR.3).
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'GrantsOnlyForAwsResources', Effect: 'Deny', Action: 'kms:CreateGrant' })]) },
    });
  });

  test('a topic with a generated name scopes the key by a pattern of this account\'s topics', () => {
    const stack = newStack();
    new AlertsTopic(stack, 'Alerts').allowPublishing('Rule', { service: 'events.amazonaws.com', sourceArn: 'arn:aws:events:us-east-1:111111111111:rule/x' });
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'Rule',
          Condition: { ArnLike: { 'kms:EncryptionContext:aws:sns:topicArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:us-east-1:111111111111:*']] } } },
        })]),
      },
    });
  });
});

describe('ReplicationFailureForwarding', () => {
  test('its role is EventBridge\'s and may only put events on the central bus', () => {
    const stack = newStack('Registry', { account: '222222222222', region: 'eu-west-1' });
    new ReplicationFailureForwarding(stack, 'Forwarding', { eventBusArn: 'arn:aws:events:us-east-1:333333333333:event-bus/alerts' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Action: 'sts:AssumeRole', Principal: { Service: 'events.amazonaws.com' } })] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: 'arn:aws:events:us-east-1:333333333333:event-bus/alerts' }] },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.ecr'], 'detail-type': ['ECR Replication Action'], 'detail': { result: [{ 'anything-but': ['SUCCESS'] }] } },
      Targets: [Match.objectLike({ Arn: 'arn:aws:events:us-east-1:333333333333:event-bus/alerts' })],
    });
  });
});

describe('ReplicationAlertsBus', () => {
  test('with senders only in its own account it needs no bus policy', () => {
    const stack = newStack();
    new ReplicationAlertsBus(stack, 'Bus', { eventBusName: 'alerts', senderAccounts: ['111111111111'], topic: new AlertsTopic(stack, 'Alerts') });
    Template.fromStack(stack).resourceCountIs('AWS::Events::EventBusPolicy', 0);
  });

  test('refuses a sender that is not an account ID', () => {
    const stack = newStack();
    expect(() => new ReplicationAlertsBus(stack, 'Bus', { eventBusName: 'alerts', senderAccounts: ['12345'], topic: new AlertsTopic(stack, 'Alerts') }))
      .toThrow("Invalid alerts bus: sender account '12345' is not a 12-digit account ID");
  });
});

describe('scheduleExpressionProblems', () => {
  test.each(['rate(1 day)', 'rate(5 minutes)', 'rate(1 hour)', 'cron(0 6 * * ? *)', 'cron(0/30 8-17 ? * MON-FRI *)'])('%s is a recurring schedule', (expression) => {
    expect(scheduleExpressionProblems(expression)).toEqual([]);
  });

  test.each([
    ['rate(1 days)', "'rate(1 days)' must say 1 day"],
    ['rate(0 days)', "'rate(0 days)' is not a recurring schedule"],
    ['at(2026-01-01T00:00:00)', "'at(2026-01-01T00:00:00)' is not a recurring schedule"],
    ['cron(0 6 * * ?)', "'cron(0 6 * * ?)' is not a recurring schedule"],
  ])('%s is refused', (expression, start) => {
    expect(scheduleExpressionProblems(expression)[0]).toMatch(new RegExp(`^${start.replace(/[()*?]/g, '\\$&')}`));
  });
});

describe('ScheduledVerification', () => {
  const props = (overrides: Record<string, unknown> = {}) => {
    const stack = newStack();
    const topic = new AlertsTopic(stack, 'Alerts');
    return {
      stack,
      props: {
        schedule: 'rate(1 day)',
        source: {
          connectionArn: 'arn:aws:codestar-connections:us-east-1:111111111111:connection/00000000-0000-0000-0000-000000000000',
          repository: 'my-org/ecr-kms-replication',
          branch: 'release',
          provider: 'Bitbucket' as const,
        },
        commands: ['true'],
        buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
        rolePolicyStatements: [],
        topic,
        encryptionKey: topic.key,
        ...overrides,
      },
    };
  };

  test('a CodeStar Connections ARN is used with its own action prefix, on the branch asked for', () => {
    const { stack, props: p } = props();
    new ScheduledVerification(stack, 'Verification', p);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: ['codestar-connections:GetConnectionToken', 'codestar-connections:GetConnection'],
          Resource: p.source.connectionArn,
        })]),
      },
    });
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Source: Match.objectLike({ Type: 'BITBUCKET', Location: 'https://bitbucket.org/my-org/ecr-kms-replication.git' }),
      SourceVersion: 'release',
      TimeoutInMinutes: 30,
      EncryptionKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('AlertsKey'), 'Arn'] },
    });
    // The scheduler's role may start this project's builds only.
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'codebuild:StartBuild', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('VerificationProject'), 'Arn'] } }] },
    });
    // Kept a year, encrypted with the given key, which CloudWatch Logs may use for this log group only.
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Delete',
      Properties: {
        LogGroupName: '/ecr-kms-replication/Stack/scheduled-verification',
        RetentionInDays: 365,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('AlertsKey'), 'Arn'] },
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'ScheduledVerificationLogs',
          Principal: { Service: 'logs.us-east-1.amazonaws.com' },
          Condition: {
            ArnEquals: {
              'kms:EncryptionContext:aws:logs:arn': {
                'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:111111111111:log-group:/ecr-kms-replication/Stack/scheduled-verification']],
              },
            },
          },
        })]),
      },
    });
  });

  test('refuses a schedule that does not recur and a repository that is not owner/name, together', () => {
    const { stack, props: p } = props({ schedule: 'weekly', source: { ...props().props.source, repository: 'ecr-kms-replication' } });
    expect(() => new ScheduledVerification(stack, 'Verification', p)).toThrow(/schedule 'weekly' is not a recurring schedule[\s\S]*repository 'ecr-kms-replication' is not owner\/name/);
  });
});

describe('PipelineNotifications', () => {
  const stack = newStack();
  const topic = new AlertsTopic(stack, 'Alerts', { topicName: 'alerts' });
  new PipelineNotifications(stack, 'Pipeline', { pipelineName: 'ecr-kms-replication', topic });
  const template = Template.fromStack(stack);
  const pipelineArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':codepipeline:us-east-1:111111111111:ecr-kms-replication']] };

  test('uses EventBridge rules on CodePipeline\'s own events, no CodeStar Notifications rule (no service-linked role)', () => {
    template.resourceCountIs('AWS::CodeStarNotifications::NotificationRule', 0);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.codepipeline'],
        'detail-type': ['CodePipeline Pipeline Execution State Change'],
        'resources': [pipelineArn],
        'detail': { state: ['FAILED'] },
      },
      Targets: [Match.objectLike({
        Arn: { Ref: Match.stringLikeRegexp('AlertsTopic') },
        InputTransformer: Match.objectLike({ InputTemplate: Match.stringLikeRegexp('failed') }),
      })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.codepipeline'],
        'detail-type': ['CodePipeline Action Execution State Change'],
        'resources': [pipelineArn],
        'detail': { state: ['STARTED'], type: { category: ['Approval'] } },
      },
    });
  });

  test('the topic admits EventBridge for exactly these two rules of this account', () => {
    const [policy] = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    const allows = (policy.Properties.PolicyDocument.Statement as any[]).filter((s) => s.Effect === 'Allow');
    expect(allows.map((s) => [s.Principal.Service, s.Condition.StringEquals['aws:SourceAccount'], s.Condition.ArnLike['aws:SourceArn']])).toEqual([
      ['events.amazonaws.com', '111111111111', { 'Fn::GetAtt': [expect.stringMatching(/^PipelineFailedExecution/), 'Arn'] }],
      ['events.amazonaws.com', '111111111111', { 'Fn::GetAtt': [expect.stringMatching(/^PipelineApprovalNeeded/), 'Arn'] }],
    ]);
    expect(JSON.stringify(policy)).not.toContain('codestar-notifications');
  });
});
