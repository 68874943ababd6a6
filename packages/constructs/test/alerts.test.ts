import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AlertsDeadLetterQueue, AlertsTopic, PipelineNotifications, ReplicationAlertsBus, ReplicationFailureForwarding, ScheduledVerification, scheduleExpressionProblems } from '../src';
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

describe('AlertsDeadLetterQueue: undelivered alerts are kept, encrypted, and seen', () => {
  function withQueue() {
    const stack = newStack();
    const topic = new AlertsTopic(stack, 'Alerts', { topicName: 'alerts' });
    const deadLetterQueue = new AlertsDeadLetterQueue(stack, 'DeadLetters', { queueName: 'alerts-dead-letters', encryptionKey: topic.key, alarmTopic: topic });
    return { stack, topic, deadLetterQueue };
  }

  test('a queue encrypted with the customer-managed key, kept 14 days, TLS only, with an alarm into the topic', () => {
    const { stack } = withQueue();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'alerts-dead-letters',
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('AlertsKey'), 'Arn'] },
      MessageRetentionPeriod: 1209600,
      // A dead-letter queue as AWS Control Tower's CT.SQS.PR.1 recognises one (its cfn-guard rule: allowAll or byQueue).
      RedriveAllowPolicy: { redrivePermission: 'allowAll' },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('AlertsTopic') }],
    });
    // CloudWatch may publish the alarm, for this alarm only, and encrypt for this topic only.
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'DeadLetterAlarm',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' }, ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLettersNotEmpty'), 'Arn'] } } },
        })]),
      },
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('a rule\'s target retries, then sends to the queue; EventBridge may send for that rule only and use the key for that queue only', () => {
    const { stack, topic, deadLetterQueue } = withQueue();
    new ReplicationAlertsBus(stack, 'Bus', { eventBusName: 'alerts', senderAccounts: ['222222222222'], topic, deadLetterQueue });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLettersQueue'), 'Arn'] } },
        RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
      })],
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('BusRule'), 'Arn'] } } },
        })]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: 'events.amazonaws.com' },
          Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
          Condition: { StringEquals: { 'kms:EncryptionContext:aws:sqs:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sqs:us-east-1:111111111111:alerts-dead-letters']] } } },
        })]),
      },
    });
  });

  test('the forwarding rule of a registry keeps what it could not put on the central bus', () => {
    const stack = newStack('Registry', { account: '222222222222', region: 'eu-west-1' });
    const key = new kms.Key(stack, 'Key');
    const deadLetterQueue = new AlertsDeadLetterQueue(stack, 'DeadLetters', { queueName: 'forwarding-dead-letters', encryptionKey: key });
    new ReplicationFailureForwarding(stack, 'Forwarding', { eventBusArn: 'arn:aws:events:us-east-1:333333333333:event-bus/alerts', deadLetterQueue });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({
        Arn: 'arn:aws:events:us-east-1:333333333333:event-bus/alerts',
        RoleArn: Match.anyValue(),
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLettersQueue'), 'Arn'] } },
        RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
      })],
    });
    // No alarm: the topic is in the pipeline account; the scheduled verification reads this queue.
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('the schedule retries a failed StartBuild, then keeps it; its role may send to the queue and encrypt with the key', () => {
    const { stack, topic, deadLetterQueue } = withQueue();
    new ScheduledVerification(stack, 'Verification', {
      schedule: 'rate(1 day)',
      source: { connectionArn: 'arn:aws:codeconnections:us-east-1:111111111111:connection/0', repository: 'o/r', branch: 'main', provider: 'GitHub' },
      commands: ['true'],
      buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
      rolePolicyStatements: [],
      topic,
      encryptionKey: topic.key,
      deadLetterQueue,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLettersQueue'), 'Arn'] } },
        RetryPolicy: { MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 5 },
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('VerificationSchedulerRole'), 'Arn'] },
      }),
    });
    const schedulerPolicy = Object.values(template.findResources('AWS::IAM::Policy'))
      .find((p) => JSON.stringify(p.Properties.Roles).includes('VerificationSchedulerRole'))!;
    const statements = schedulerPolicy.Properties.PolicyDocument.Statement as any[];
    expect(statements.map((s) => s.Action)).toEqual(expect.arrayContaining([
      'sqs:SendMessage', ['kms:GenerateDataKey', 'kms:Decrypt'], 'codebuild:StartBuild',
    ]));
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.codebuild'] }),
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.anyValue() })],
    });
  });
});
