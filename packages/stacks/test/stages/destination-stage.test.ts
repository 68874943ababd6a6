import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { testApp, topology } from './helpers';
import { DestinationStage, SourceStage } from '../../src/stages';

function destinationStage(destinations: { account: string; region: string; [key: string]: unknown }[], index = 0, extra = {}) {
  const model = topology(destinations, extra);
  const stage = new DestinationStage(testApp(), { topology: model, destination: model.destinations[index] });
  return { model, stage, registry: Template.fromStack(stage.registryStack) };
}

/** The services the stack's roles trust, sorted. */
function trustedServices(template: Template): string[] {
  return Object.values(template.findResources('AWS::IAM::Role'))
    .map((role) => role.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service as string).sort();
}

describe('a same-account destination (111111111111/us-west-2)', () => {
  const { stage, registry } = destinationStage([{ account: '111111111111', region: 'us-west-2' }]);

  test('has readable stack names and an explicit environment on every stack', () => {
    expect(stage.registryStack.stackName).toBe('ecr-replication-destination-111111111111-us-west-2');
    for (const stack of [stage.registryStack, ...stage.repositoriesStacks]) {
      expect(stack.account).toBe('111111111111');
      expect(stack.region).toBe('us-west-2');
      expect(stack.stackName).toMatch(/^ecr-replication-destination-111111111111-us-west-2(-repositories-[1-4])?$/);
    }
  });

  test('every stack of the stage names the source registry of its topology (output ReplicationSource), not its own registry', () => {
    for (const stack of [stage.registryStack, ...stage.repositoriesStacks]) {
      Template.fromStack(stack).hasOutput('ReplicationSource', { Value: '111111111111-us-east-1' });
    }
  });

  test('creates one retained, rotating KMS key with the topology alias', () => {
    registry.resourceCountIs('AWS::KMS::Key', 1);
    registry.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ EnableKeyRotation: true, PendingWindowInDays: 30 }),
    });
    registry.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/ecr-kms-replication' });
  });

  test('needs no registry policy: replication within an account needs none', () => {
    registry.resourceCountIs('AWS::ECR::RegistryPolicy', 0);
    registry.resourceCountIs('AWS::ECR::ReplicationConfiguration', 0);
  });

  test('deploys the creation template safety net with the registry key', () => {
    registry.hasResourceProperties('AWS::ECR::RepositoryCreationTemplate', {
      AppliedFor: ['REPLICATION'],
      Prefix: 'ROOT',
      ImageTagMutability: 'IMMUTABLE',
      EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } },
    });
  });

  test('names the template role inside the deployment policy\'s ecr-replication- prefix, one per Region', () => {
    // The other role forwards failed replications (alerts are on by default).
    expect(trustedServices(registry)).toEqual(['ecr.amazonaws.com', 'events.amazonaws.com']);
    registry.hasResourceProperties('AWS::IAM::Role', { RoleName: 'ecr-replication-template-us-west-2' });
  });

  test('every role carries the permissions boundary of its account', () => {
    registry.allResourcesProperties('AWS::IAM::Role', {
      PermissionsBoundary: {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:policy/ecr-kms-replication-boundary']],
      },
    });
  });

  test('pre-creates every repository, the adopted one included, encrypted with the registry key', () => {
    const names: string[] = [];
    for (const stack of stage.repositoriesStacks) {
      const template = Template.fromStack(stack);
      for (const repository of Object.values(template.findResources('AWS::ECR::Repository'))) {
        names.push(repository.Properties.RepositoryName);
        expect(repository.DeletionPolicy).toBe('RetainExceptOnCreate');
        expect(repository.UpdateReplacePolicy).toBe('Retain');
        expect(repository.Properties.EncryptionConfiguration).toEqual({
          EncryptionType: 'KMS',
          KmsKey: { 'Fn::ImportValue': expect.stringMatching(/^ecr-replication-destination-111111111111-us-west-2:ExportsOutputFnGetAttKey/) },
        });
        expect(repository.Properties.ImageTagMutability).toBe('IMMUTABLE');
        expect(repository.Properties.ImageScanningConfiguration).toEqual({ ScanOnPush: true });
      }
      // Repositories need the key first.
      expect(stack.dependencies).toContain(stage.registryStack);
    }
    expect(names.sort()).toEqual(['team-a/service', 'team-b/api']);
  });

  test('outputs the key ARN, its alias and the registry URI', () => {
    registry.hasOutput('KeyArn', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } });
    registry.hasOutput('KeyAlias', { Value: 'alias/ecr-kms-replication' });
    registry.hasOutput('RegistryUri', { Value: { 'Fn::Join': ['', ['111111111111.dkr.ecr.us-west-2.', { Ref: 'AWS::URLSuffix' }]] } });
  });
});

describe('a cross-account destination (222222222222/eu-west-1)', () => {
  const { registry } = destinationStage([{ account: '222222222222', region: 'eu-west-1', keyAdmins: ['arn:aws:iam::222222222222:role/KeyAdmin'] }]);

  test('lets the source account replicate into exactly the topology repositories', () => {
    registry.resourceCountIs('AWS::ECR::RegistryPolicy', 1);
    const [policy] = Object.values(registry.findResources('AWS::ECR::RegistryPolicy'));
    const statements = policy.Properties.PolicyText.Statement as { Action: unknown; Principal: unknown; Resource: unknown }[];
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('ecr:ReplicateImage');
    expect(JSON.stringify(statements[0].Principal)).toContain(':iam::111111111111:root');
    const resources = JSON.stringify(statements[0].Resource);
    expect(resources).toContain(':ecr:eu-west-1:222222222222:repository/team-a/service');
    expect(resources).toContain(':ecr:eu-west-1:222222222222:repository/team-b/api');
    expect(resources).not.toContain('repository/*');
  });

  test('gets no creation template: replication cannot create repositories here, so it would never act', () => {
    registry.resourceCountIs('AWS::ECR::RepositoryCreationTemplate', 0);
    // The only role forwards failed replications (alerts are on by default).
    expect(trustedServices(registry)).toEqual(['events.amazonaws.com']);
  });

  test('uses the per-destination key administrators, not the top-level ones', () => {
    const [key] = Object.values(registry.findResources('AWS::KMS::Key'));
    const policy = JSON.stringify(key.Properties.KeyPolicy);
    expect(policy).toContain('arn:aws:iam::222222222222:role/KeyAdmin');
    expect(policy).not.toContain('arn:aws:iam::111111111111:role/KeyAdmin');
    // Key users still come from the top level.
    expect(policy).toContain('arn:aws:iam::111111111111:role/CiPush');
  });
});

test('a destination without the safety net has no creation template', () => {
  const { registry } = destinationStage([{ account: '111111111111', region: 'eu-west-1', creationTemplate: false }]);
  registry.resourceCountIs('AWS::ECR::RepositoryCreationTemplate', 0);
  // The only role left is the one that forwards failed replications (alerts are on by default).
  expect(Object.values(registry.findResources('AWS::IAM::Role')).map((role) => role.Properties.AssumeRolePolicyDocument.Statement[0].Principal))
    .toEqual([{ Service: 'events.amazonaws.com' }]);
});

test('removal: destroy is an explicit opt-in that empties and deletes the repositories', () => {
  const { stage, registry } = destinationStage([{ account: '111111111111', region: 'us-west-2' }], 0, { removal: 'destroy' });
  registry.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ PendingWindowInDays: 30 }) });
  for (const stack of stage.repositoriesStacks) {
    Template.fromStack(stack).allResources('AWS::ECR::Repository', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ EmptyOnDelete: true }) });
  }
});

test('tags every resource with the topology tags', () => {
  const { registry } = destinationStage([{ account: '111111111111', region: 'us-west-2' }], 0, { tags: { CostCenter: 'platform' } });
  registry.hasResourceProperties('AWS::KMS::Key', {
    Tags: Match.arrayWith([{ Key: 'CostCenter', Value: 'platform' }, { Key: 'ManagedBy', Value: 'ecr-kms-replication' }]),
  });
});

test('a cross-account destination of 1,000 repositories keeps its registry policy within ECR\'s limit', () => {
  const repositories = Array.from({ length: 1000 }, (_, i) => ({ name: `team-${i % 10}/service-${String(i).padStart(4, '0')}` }));
  const { registry } = destinationStage([{ account: '222222222222', region: 'eu-west-1' }], 0, { repositories });
  const [policy] = Object.values(registry.findResources('AWS::ECR::RegistryPolicy'));
  // The policy as ECR receives it: partition pseudo parameters resolved.
  const deployed = JSON.stringify(policy.Properties.PolicyText, (_key, value) =>
    (value && value['Fn::Join'] ? value['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : 'aws')).join('') : value));
  expect(deployed).toContain('"arn:aws:ecr:eu-west-1:222222222222:repository/team-0/*"');
  expect(deployed.length).toBeLessThanOrEqual(10240);
});

test('every copy of a repository gets its lifecycle rules and tag mutability', () => {
  const { stage } = destinationStage([{ account: '222222222222', region: 'eu-west-1' }], 0, {
    repositories: [{ name: 'team-a/service', imageTagMutability: 'MUTABLE', lifecycle: { maxImageCount: 50, untaggedExpiryDays: 7 } }],
  });
  const [repository] = stage.repositoriesStacks.flatMap((stack) => Object.values(Template.fromStack(stack).findResources('AWS::ECR::Repository')));
  expect(repository.Properties.ImageTagMutability).toBe('MUTABLE');
  const rules = JSON.parse(repository.Properties.LifecyclePolicy.LifecyclePolicyText).rules;
  expect(rules.map((r: { selection: { tagStatus: string; countNumber: number } }) => [r.selection.tagStatus, r.selection.countNumber]))
    .toEqual([['untagged', 7], ['any', 50]]);
});

test('a role added to any stack of a stage later carries the permissions boundary too', () => {
  const model = topology([{ account: '222222222222', region: 'eu-west-1' }]);
  const app = testApp();
  const source = new SourceStage(app, { topology: model });
  const destination = new DestinationStage(app, { topology: model, destination: model.destinations[0] });
  for (const stack of [source.registryStack, destination.repositoriesStacks[0]]) {
    new iam.Role(stack, 'AddedLater', { assumedBy: new iam.AccountPrincipal('333333333333') });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      PermissionsBoundary: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${stack.account}:policy/ecr-kms-replication-boundary`]] },
    });
  }
});

describe('a repository adopted in a destination (existing lists the destination)', () => {
  const repositories = [{ name: 'team-a/service', existing: ['source', '222222222222-eu-west-1'] }, { name: 'team-b/api' }];
  const adopting = destinationStage([{ account: '222222222222', region: 'eu-west-1' }, { account: '222222222222', region: 'us-west-2' }], 0, { repositories });
  const creating = destinationStage([{ account: '222222222222', region: 'eu-west-1' }, { account: '222222222222', region: 'us-west-2' }], 1, { repositories });
  const created = (stage: DestinationStage) => stage.repositoriesStacks
    .flatMap((stack) => Object.values(Template.fromStack(stack).findResources('AWS::ECR::Repository')))
    .map((r) => r.Properties.RepositoryName).sort();

  test('is not created where it is adopted, and still created in the other destinations', () => {
    expect(created(adopting.stage)).toEqual(['team-b/api']);
    expect(created(creating.stage)).toEqual(['team-a/service', 'team-b/api']);
  });

  test('stays covered by the registry policy where it is adopted', () => {
    const [policy] = Object.values(adopting.registry.findResources('AWS::ECR::RegistryPolicy'));
    expect(JSON.stringify(policy.Properties.PolicyText)).toContain(':ecr:eu-west-1:222222222222:repository/team-a/service');
  });
});

test('existing: everywhere adopts the repository in every destination', () => {
  const { stage } = destinationStage([{ account: '222222222222', region: 'eu-west-1' }], 0, {
    repositories: [{ name: 'team-a/service', existing: 'everywhere' }, { name: 'team-b/api' }],
  });
  const names = stage.repositoriesStacks.flatMap((stack) => Object.values(Template.fromStack(stack).findResources('AWS::ECR::Repository')))
    .map((r) => r.Properties.RepositoryName);
  expect(names).toEqual(['team-b/api']);
});
