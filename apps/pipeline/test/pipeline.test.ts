import * as fs from 'fs';
import * as path from 'path';
import { EcrReplicationChecks, TopologyModel, validateTopology } from '@ecr-kms-replication/stacks';
import { temporaryDirectory } from '@ecr-kms-replication/testing';
import { CfnResource, Stack } from 'aws-cdk-lib';
import { Template, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { generatedTopology } from './topologies';
import { addPipeline, createApp } from '../src/app';
import { MAX_ACTIONS_PER_STAGE, MAX_STAGES_PER_PIPELINE } from '../src/waves';

interface PipelineAction { Name: string; RunOrder?: number; ActionTypeId: { Category: string; Provider: string } }
interface PipelineStage { Name: string; Actions: PipelineAction[] }

function synthesizePipeline(topology: TopologyModel) {
  const app = createApp(temporaryDirectory());
  const stack = addPipeline(app, { topology, topologyFile: 'apps/pipeline/topology.yaml' });
  const template = Template.fromStack(stack);
  const pipelines = template.findResources('AWS::CodePipeline::Pipeline');
  const [pipeline] = Object.values(pipelines);
  return { app, stack, template, stages: pipeline.Properties.Stages as PipelineStage[] };
}

/** Names of the deploy actions of a stack, e.g. `ecr-replication-source-111111111111-us-east-1.Deploy`. */
const deploysOf = (stage: PipelineStage) => stage.Actions.filter((a) => a.ActionTypeId.Category === 'Deploy');

describe('the pipeline for a mixed topology (3 destinations, same and cross account)', () => {
  const topology = generatedTopology({ destinations: 3, repositories: 5 });
  const { template, stages } = synthesizePipeline(topology);

  test('is a V2 pipeline with cross-account keys that rotate', () => {
    const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
    expect(pipeline.Properties.PipelineType).toBe('V2');
    // One artifact store per Region, each encrypted with a KMS key: cross-account deployments can read them.
    const stores = pipeline.Properties.ArtifactStores as { Region: string; ArtifactStore: { EncryptionKey?: { Type: string } } }[];
    expect(stores.map((s) => s.Region).sort()).toEqual(['us-east-1', 'us-east-2']);
    for (const store of stores) {
      expect(store.ArtifactStore.EncryptionKey?.Type).toBe('KMS');
    }
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('starts from the connection and branch of the topology', () => {
    const source = stages[0].Actions[0] as unknown as { Configuration: Record<string, unknown> };
    expect(source.Configuration).toMatchObject({
      ConnectionArn: topology.pipeline.connectionArn,
      FullRepositoryId: 'my-org/ecr-kms-replication',
      BranchName: 'main',
    });
  });

  test('deploys every destination before the source', () => {
    const names = stages.map((s) => s.Name);
    const sourceIndex = names.indexOf('Source-111111111111-us-east-1');
    expect(sourceIndex).toBeGreaterThan(0);
    const destinationStages = stages.filter((s) => s.Name.startsWith('Destinations'));
    expect(destinationStages).not.toHaveLength(0);
    for (const stage of destinationStages) {
      expect(names.indexOf(stage.Name)).toBeLessThan(sourceIndex);
    }
    const deployed = destinationStages.flatMap(deploysOf).map((a) => a.Name);
    for (const destination of topology.destinations) {
      expect(deployed).toContain(`Destination-${destination.id}.ecr-replication-destination-${destination.id}.Deploy`);
    }
    // Nothing of the source is deployed in a destination wave.
    expect(deployed.filter((n) => n.includes('ecr-replication-source'))).toEqual([]);
  });

  test('asks for approval before the source, and verifies after it', () => {
    const source = stages.find((s) => s.Name === 'Source-111111111111-us-east-1')!;
    const approval = source.Actions.find((a) => a.ActionTypeId.Category === 'Approval')!;
    const verify = source.Actions.find((a) => a.Name === 'Verify')!;
    const deployOrders = deploysOf(source).map((a) => a.RunOrder ?? 1);
    expect(approval.Name).toBe('ApproveSource');
    expect(Math.max(approval.RunOrder ?? 1)).toBeLessThan(Math.min(...deployOrders));
    expect(verify.RunOrder).toBeGreaterThan(Math.max(...deployOrders));
  });

  test('backfills after the source deploy and before Verify, through the source\'s backfill role and the destinations\' look-up roles', () => {
    const source = stages.find((s) => s.Name === 'Source-111111111111-us-east-1')!;
    const backfill = source.Actions.find((a) => a.Name === 'Backfill')!;
    const verify = source.Actions.find((a) => a.Name === 'Verify')!;
    expect(backfill.RunOrder).toBeGreaterThan(Math.max(...deploysOf(source).map((a) => a.RunOrder ?? 1)));
    expect(verify.RunOrder).toBeGreaterThan(backfill.RunOrder!);
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Source: Match.objectLike({
        BuildSpec: Match.stringLikeRegexp('ecr-kms-replication backfill --only-missing --topology [^ ]*ECR_REPLICATION_TOPOLOGY[^ ]* --assume-role always'),
      }),
      TimeoutInMinutes: 480,
    });
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Sid?: string; Action: string; Resource: unknown[] }[])
      .filter((statement) => statement.Sid === 'BackfillAssumesRegistryRoles');
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('sts:AssumeRole');
    const arn = (name: string, account: string) => JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:role/${name}`]] });
    expect(statements[0].Resource.map((r) => JSON.stringify(r)).sort()).toEqual([
      arn('ecr-replication-backfill-us-east-1', '111111111111'),
      ...topology.destinations.map(({ account, region }) => arn(`cdk-hnb659fds-lookup-role-${account}-${region}`, account)),
    ].sort());
  });

  test('no approval before the destinations unless the topology asks for one', () => {
    const approvals = stages.filter((s) => s.Name.startsWith('Destinations')).flatMap((s) => s.Actions)
      .filter((a) => a.ActionTypeId.Category === 'Approval');
    expect(approvals).toEqual([]);
  });

  test('the verification runs the verify command on the same topology file', () => {
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Source: Match.objectLike({
        BuildSpec: Match.stringLikeRegexp('ecr-kms-replication verify --topology [^ ]*ECR_REPLICATION_TOPOLOGY[^ ]* --assume-role always'),
      }),
    });
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Sid?: string; Action: string; Resource: unknown[] }[])
      .filter((statement) => statement.Sid === 'VerifyAssumesRegistryRoles');
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('sts:AssumeRole');
    const lookupRoles = statements[0].Resource.map((r) => JSON.stringify(r)).sort();
    const expected = [topology.source, ...topology.destinations].map(({ account, region }) => JSON.stringify(
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:role/cdk-hnb659fds-lookup-role-${account}-${region}`]] })).sort();
    expect(lookupRoles).toEqual(expected);
  });
});

test('an approval before the destinations when the topology asks for it', () => {
  const topology = generatedTopology({ destinations: 2, repositories: 1, approveDestinations: true });
  // Without alerts, the first stage that deploys is the first destination wave.
  const { stages } = synthesizePipeline({ ...topology, alerts: undefined });
  const first = stages.find((s) => s.Name === 'Destinations1')!;
  expect(first.Actions.map((a) => a.Name)).toContain('Preflight');
  const approval = first.Actions.find((a) => a.ActionTypeId.Category === 'Approval')!;
  expect(approval.Name).toBe('ApproveDestinations');
  expect(approval.RunOrder ?? 1).toBeLessThan(Math.min(...deploysOf(first).map((a) => a.RunOrder ?? 1)));
});

test('no Backfill step with pipeline.backfill: false; Verify still follows the source deploy', () => {
  const topology = generatedTopology({ destinations: 2, repositories: 1 });
  const { stages, template } = synthesizePipeline({ ...topology, pipeline: { ...topology.pipeline, backfill: false } });
  const source = stages.find((s) => s.Name === 'Source-111111111111-us-east-1')!;
  expect(source.Actions.map((a) => a.Name)).not.toContain('Backfill');
  expect(source.Actions.find((a) => a.Name === 'Verify')!.RunOrder).toBeGreaterThan(Math.max(...deploysOf(source).map((a) => a.RunOrder ?? 1)));
  template.resourcePropertiesCountIs('AWS::CodeBuild::Project', { Source: Match.objectLike({ BuildSpec: Match.stringLikeRegexp('backfill') }) }, 0);
});

describe('preflight before anything is deployed', () => {
  /** Stage index and run order of every action, in pipeline order. */
  const positions = (stages: PipelineStage[]) => stages.flatMap((stage, i) =>
    stage.Actions.map((a) => ({ ...a, stage: i, order: a.RunOrder ?? 1 })));
  type Position = { stage: number; order: number };
  const before = (a: Position, b: Position) => a.stage < b.stage || (a.stage === b.stage && a.order < b.order);

  test.each([false, true])('runs before every destination deploy action (approveDestinations: %s)', (approveDestinations) => {
    const { stages } = synthesizePipeline(generatedTopology({ destinations: 25, repositories: 24, approveDestinations }));
    const actions = positions(stages);
    const preflight = actions.filter((a) => a.Name === 'Preflight');
    expect(preflight).toHaveLength(1);
    // The first stage that deploys anything: the alerts (on by default), else the first destination wave.
    expect(stages[preflight[0].stage].Name).toBe('Alerts');
    const deploys = actions.filter((a) => a.ActionTypeId.Category === 'Deploy');
    expect(deploys.length).toBeGreaterThan(25 * 5);
    for (const deploy of deploys) expect(before(preflight[0], deploy)).toBe(true);
    const approval = actions.find((a) => a.Name === 'ApproveDestinations');
    if (approveDestinations) {
      // The approval is asked for once preflight has passed.
      expect(before(preflight[0], approval!)).toBe(true);
      for (const deploy of deploys) expect(before(approval!, deploy)).toBe(true);
    } else {
      expect(approval).toBeUndefined();
    }
  });

  test('runs the preflight command on the same topology file through the look-up roles', () => {
    const topology = generatedTopology({ destinations: 2, repositories: 1 });
    const { template } = synthesizePipeline(topology);
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Source: Match.objectLike({
        BuildSpec: Match.stringLikeRegexp('ecr-kms-replication preflight --topology [^ ]*ECR_REPLICATION_TOPOLOGY[^ ]* --assume-role always'),
      }),
    });
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Sid?: string; Action: string; Resource: unknown[] }[])
      .filter((statement) => statement.Sid === 'PreflightAssumesRegistryRoles');
    expect(statements).toHaveLength(1);
    expect(statements[0].Resource).toHaveLength(1 + topology.destinations.length);
    expect(JSON.stringify(statements[0].Resource)).toContain('cdk-hnb659fds-lookup-role-');
  });
});

test('25 destinations fit the CodePipeline quotas in as few waves as possible', () => {
  // 24 repositories fill all four repositories stacks of every environment,
  // so every stage is as large as at 1,000 repositories.
  const topology = generatedTopology({ destinations: 25, repositories: 24 });
  const { stages } = synthesizePipeline(topology);
  expect(stages.length).toBeLessThanOrEqual(MAX_STAGES_PER_PIPELINE);
  for (const stage of stages) {
    expect(stage.Actions.length).toBeLessThanOrEqual(MAX_ACTIONS_PER_STAGE);
  }
  const waves = stages.filter((s) => s.Name.startsWith('Destinations'));
  const deployActions = waves.flatMap(deploysOf).length;
  // A registry stack and four repositories stacks for each destination.
  expect(deployActions).toBe(25 * 5);
  expect(waves.length).toBe(Math.ceil(deployActions / MAX_ACTIONS_PER_STAGE));
  const names = stages.map((s) => s.Name);
  expect(names.indexOf('Source-111111111111-us-east-1')).toBeGreaterThan(Math.max(...waves.map((w) => names.indexOf(w.Name))));
});

test('every CodeBuild step runs on Node.js 22 (Node.js 20 is end of life), on an image that provides it', () => {
  const { template } = synthesizePipeline(generatedTopology({ destinations: 1, repositories: 1 }));
  const projects = Object.values(template.findResources('AWS::CodeBuild::Project'));
  expect(projects.length).toBeGreaterThanOrEqual(5); // synth, self-mutation, preflight, backfill, verify
  for (const project of projects) {
    expect(JSON.parse(project.Properties.Source.BuildSpec).phases.install['runtime-versions']).toEqual({ nodejs: '22' });
    // aws/aws-codebuild-docker-images ubuntu/standard/8.0/runtimes.yml: nodejs 22 and 24.
    expect(project.Properties.Environment.Image).toBe('aws/codebuild/standard:8.0');
  }
});

describe('security checks outside the stages', () => {
  test('cover the pipeline stack and its cross-Region support stacks', () => {
    const checked = new Set<string>();
    const spy = jest.spyOn(EcrReplicationChecks.prototype as unknown as { checkResource(node: CfnResource): void }, 'checkResource')
      .mockImplementation(function (node: CfnResource) {
        checked.add(node.node.path.split('/')[0]);
      });
    try {
      const app = createApp(temporaryDirectory());
      // The third destination is in us-east-2: the pipeline needs a support stack there.
      addPipeline(app, { topology: generatedTopology({ destinations: 3, repositories: 1 }), topologyFile: 'apps/pipeline/topology.yaml' });
      app.synth();
    } finally {
      spy.mockRestore();
    }
    expect([...checked].sort()).toEqual(['Pipeline', 'cross-region-stack-333333333333:us-east-2']);
  });

  test('fail the synth on a finding in the pipeline stack', () => {
    const app = createApp(temporaryDirectory());
    const stack = addPipeline(app, { topology: generatedTopology({ destinations: 1, repositories: 1 }), topologyFile: 'apps/pipeline/topology.yaml' });
    new s3.CfnBucket(stack, 'UncheckedBucket');
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
  });
});

test('a target in the pipeline account is read through its look-up role too (the CodeBuild role has no ECR rights)', () => {
  // The README's same-account set-up: the pipeline, the source and a destination in one account.
  const sameAccount = validateTopology({
    source: { account: '333333333333', region: 'us-east-1' },
    destinations: [{ account: '333333333333', region: 'us-west-2' }],
    repositories: [{ name: 'team-a/service' }],
    pipeline: {
      account: '333333333333',
      region: 'us-east-1',
      connectionArn: 'arn:aws:codeconnections:us-east-1:333333333333:connection/00000000-0000-0000-0000-000000000000',
      repository: 'my-org/ecr-kms-replication',
    },
  }, 'same-account topology');
  const { template } = synthesizePipeline(sameAccount);
  template.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: {
      Statement: Match.arrayWith([Match.objectLike({
        Sid: 'VerifyAssumesRegistryRoles',
        Action: 'sts:AssumeRole',
        Resource: Match.arrayWith(['us-east-1', 'us-west-2'].map((region) => ({
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::333333333333:role/cdk-hnb659fds-lookup-role-333333333333-${region}`]],
        }))),
      })]),
    },
  });
  template.hasResourceProperties('AWS::CodeBuild::Project', {
    Source: Match.objectLike({ BuildSpec: Match.stringLikeRegexp('verify .*--assume-role always') }),
  });
});

describe('cdk-nag acknowledgements stay precise', () => {
  const outdir = temporaryDirectory();
  function pipelineApp() {
    const app = createApp(fs.mkdtempSync(path.join(outdir, 'cdk.out-')));
    const stack = addPipeline(app, { topology: generatedTopology({ destinations: 3, repositories: 1 }), topologyFile: 'apps/pipeline/topology.yaml' });
    return { app, stack };
  }
  const roleNamed = (stack: Stack, suffix: string) =>
    stack.node.findAll().find((node) => node instanceof iam.Role && node.node.path.endsWith(suffix)) as iam.Role;

  test('the pipeline as generated synthesizes: every wildcard in it was reviewed', () => {
    expect(() => pipelineApp().app.synth()).not.toThrow();
  });

  test.each([
    ['the pipeline role', 'Pipeline/Pipeline/Pipeline/Role'],
    ['the Verify step role', 'Verify/Verify/Role'],
    ['the self-mutation role', 'SelfMutation/Role'],
  ])('a new statement on "*" on %s fails the synth', (_name, suffix) => {
    const { app, stack } = pipelineApp();
    roleNamed(stack, suffix).addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: ['*'] }));
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM5\[Resource::\*\]/);
  });
});
