import { validateTopology } from '@ecr-kms-replication/stacks';
import { temporaryDirectory } from '@ecr-kms-replication/testing';
import { Template } from 'aws-cdk-lib/assertions';
import { generateTopologyDocument } from '../bench/generate-topology';
import { SCHEDULED_VERIFY_COMMAND } from '../src/alerts';
import { addPipeline, createApp } from '../src/app';
import { PIPELINE_NODE_VERSION } from '../src/pipeline-stack';

interface PipelineStage { Name: string; Actions: { Name: string; RunOrder?: number; ActionTypeId: { Category: string } }[] }

function synthesize(extra: Record<string, unknown> = {}) {
  // Three destinations: 222222222222/us-east-2... and one in the pipeline account (333333333333/us-east-2).
  const topology = validateTopology({ ...generateTopologyDocument({ destinations: 3, repositories: 2 }), ...extra });
  const app = createApp(temporaryDirectory());
  const stack = addPipeline(app, { topology, topologyFile: 'apps/pipeline/topology.yaml' });
  const [pipeline] = Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'));
  return { topology, stack, stages: pipeline.Properties.Stages as PipelineStage[] };
}

describe('the pipeline with alerts on (the default)', () => {
  const { topology, stack, stages } = synthesize({ alerts: { emails: ['platform-team@example.com'] } });
  const alerts = Template.fromStack(stack.alertsStage!.alertsStack);

  test('deploys the alerts stack right after updating itself, before any registry', () => {
    const names = stages.map((s) => s.Name);
    const alertsIndex = names.indexOf('Alerts');
    expect(names.slice(0, alertsIndex)).toEqual(['Source', 'Build', 'UpdatePipeline']);
    expect(names.indexOf('Destinations1')).toBeGreaterThan(alertsIndex);
    // Nothing is deployed before preflight has passed: it runs first in the alerts stage.
    const actions = stages[alertsIndex].Actions;
    expect(actions.map((a) => a.Name)).toEqual(['Preflight', 'ecr-replication-alerts.Deploy']);
    expect(actions[0].RunOrder ?? 1).toBeLessThan(actions[1].RunOrder ?? 1);
  });

  test('the scheduled verification runs verify on the pipeline steps\' image and Node.js runtime', () => {
    const [project] = Object.values(alerts.findResources('AWS::CodeBuild::Project'));
    expect(project.Properties.Environment.Image).toBe('aws/codebuild/standard:8.0');
    const buildSpec = JSON.parse(project.Properties.Source.BuildSpec);
    expect(buildSpec.phases.install['runtime-versions']).toEqual({ nodejs: PIPELINE_NODE_VERSION });
    expect(buildSpec.phases.build.commands).toEqual(['npm ci', SCHEDULED_VERIFY_COMMAND]);
    expect(SCHEDULED_VERIFY_COMMAND).toBe('npx ecr-kms-replication verify --images 5 --assume-role always --topology "$ECR_REPLICATION_TOPOLOGY"'
      + ' --dead-letter-queue $ECR_REPLICATION_DEAD_LETTER_QUEUES');
    expect(project.Properties.Environment.EnvironmentVariables[0])
      .toEqual({ Name: 'ECR_REPLICATION_TOPOLOGY', Type: 'PLAINTEXT', Value: 'apps/pipeline/topology.yaml' });
  });

  test('the scheduled verification reads the depth of every dead-letter queue: the alerts stack\'s and each destination\'s', () => {
    const [project] = Object.values(alerts.findResources('AWS::CodeBuild::Project'));
    const variable = project.Properties.Environment.EnvironmentVariables[1];
    expect(variable.Name).toBe('ECR_REPLICATION_DEAD_LETTER_QUEUES');
    // The domain is the stack's partition's (AWS::URLSuffix), amazonaws.com here.
    const value = variable.Value['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : (expect(part).toEqual({ Ref: 'AWS::URLSuffix' }), 'amazonaws.com')));
    const urls = value.join('').split(' ');
    expect(urls).toEqual([
      'https://sqs.us-east-1.amazonaws.com/333333333333/ecr-kms-replication-alerts-dead-letters',
      ...topology.destinations.map((d) => `https://sqs.${d.region}.amazonaws.com/${d.account}/ecr-kms-replication-forwarding-dead-letters`),
    ]);
  });

  test('its role assumes exactly the look-up role of every registry, the pipeline account\'s included', () => {
    const statements = Object.values(alerts.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Sid?: string; Action: unknown; Resource: unknown }[])
      .filter((statement) => statement.Sid === 'AssumeLookupRoles');
    expect(statements).toHaveLength(1);
    const expected = [topology.source, ...topology.destinations].map(({ account, region }) =>
      ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:role/cdk-hnb659fds-lookup-role-${account}-${region}`]] }));
    expect(statements[0].Action).toBe('sts:AssumeRole');
    expect(statements[0].Resource).toEqual(expect.arrayContaining(expected));
    expect(statements[0].Resource).toHaveLength(expected.length);
    expect(JSON.stringify(statements[0].Resource)).toContain(':iam::333333333333:role/cdk-hnb659fds-lookup-role-333333333333-');
  });

  test('the bus admits the registry accounts other than the pipeline account', () => {
    const [policy] = Object.values(alerts.findResources('AWS::Events::EventBusPolicy'));
    expect(JSON.stringify(policy.Properties.Statement.Principal)).toMatch(/111111111111:root.*222222222222:root/);
    expect(JSON.stringify(policy.Properties.Statement.Principal)).not.toContain('333333333333');
  });

  test('the pipeline notification rules watch this pipeline', () => {
    alerts.resourceCountIs('AWS::CodeStarNotifications::NotificationRule', 0);
    const watched = Object.values(alerts.findResources('AWS::Events::Rule'))
      .filter((rule) => rule.Properties.EventPattern.source?.[0] === 'aws.codepipeline')
      .map((rule) => rule.Properties.EventPattern.resources);
    // A literal partition: the stack's Region is known (@aws-cdk/core:enablePartitionLiterals).
    expect(watched).toEqual([
      ['arn:aws:codepipeline:us-east-1:333333333333:ecr-kms-replication'],
      ['arn:aws:codepipeline:us-east-1:333333333333:ecr-kms-replication'],
    ]);
  });

});

test('alerts: false deploys no alerts stage', () => {
  const { stack, stages } = synthesize({ alerts: false });
  expect(stack.alertsStage).toBeUndefined();
  expect(stages.map((s) => s.Name)).not.toContain('Alerts');
});

test('a pipeline environment outside the registries: the scheduled build may still read its dead-letter queue, through its look-up role', () => {
  const topology = validateTopology({
    source: { account: '111111111111', region: 'us-east-1' },
    destinations: [{ account: '222222222222', region: 'eu-west-1' }],
    repositories: [{ name: 'app' }],
    pipeline: {
      account: '333333333333',
      region: 'eu-central-1',
      connectionArn: 'arn:aws:codeconnections:eu-central-1:333333333333:connection/00000000-0000-0000-0000-000000000000',
      repository: 'my-org/ecr-kms-replication',
    },
  });
  const stack = addPipeline(createApp(temporaryDirectory()), { topology, topologyFile: 'apps/pipeline/topology.yaml' });
  const statements = Object.values(Template.fromStack(stack.alertsStage!.alertsStack).findResources('AWS::IAM::Policy'))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Sid?: string; Resource: unknown }[])
    .filter((statement) => statement.Sid === 'AssumeLookupRoles');
  expect(JSON.stringify(statements[0].Resource)).toContain(':iam::333333333333:role/cdk-hnb659fds-lookup-role-333333333333-eu-central-1');
  expect(statements[0].Resource).toHaveLength(3);
});
