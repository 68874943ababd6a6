import { Template } from 'aws-cdk-lib/assertions';
import { testApp, topology } from './helpers';
import { DestinationStage, SourceStage } from '../../src/stages';
import { namespaceFilter, namespacesRoutedTo, repositoriesRoutedTo } from '../../src/topology';

const SAME = '111111111111-us-west-2';
const CROSS_1 = '222222222222-eu-west-1';
const CROSS_2 = '222222222222-eu-central-1';

/** Several namespaces with different routing, listed repositories with routing too. */
const model = topology([
  { account: '111111111111', region: 'us-west-2' },
  { account: '222222222222', region: 'eu-west-1' },
  { account: '222222222222', region: 'eu-central-1' },
], {
  namespaces: [
    { prefix: 'team-a', destinations: [CROSS_1] },
    { prefix: 'team-b', destinations: [SAME, CROSS_2], imageTagMutability: 'MUTABLE', lifecycle: { untaggedExpiryDays: 7 } },
    { prefix: 'platform' },
  ],
  repositories: [
    { name: 'team-a/service', destinations: [CROSS_1] },
    { name: 'shared/base', destinations: [SAME] },
    { name: 'app' },
  ],
});

// One app for the file: every stage synthesized once.
const app = testApp();
const source = new SourceStage(app, { topology: model });
const destinations = new Map(model.destinations.map((d) => [d.id, new DestinationStage(app, { topology: model, destination: d })]));
const registry = (id: string) => Template.fromStack(id === model.source.id ? source.registryStack : destinations.get(id)!.registryStack);

/** A CloudFormation value with the partition and other pseudo parameters resolved, as ECR and IAM receive it. */
function deployed(value: unknown): any {
  return JSON.parse(JSON.stringify(value, (_key, v) =>
    (v && v['Fn::Join'] ? v['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : 'aws')).join(v['Fn::Join'][0]) : v)));
}

function templatesOf(template: Template): Record<string, any> {
  return Object.fromEntries(Object.values(template.findResources('AWS::ECR::RepositoryCreationTemplate'))
    .map((t) => [t.Properties.Prefix, t.Properties]));
}

function policyOf(template: Template): any | undefined {
  const [policy] = Object.values(template.findResources('AWS::ECR::RegistryPolicy'));
  return policy && deployed(policy.Properties.PolicyText);
}

function statement(policy: any, sid: string): any | undefined {
  return policy.Statement.find((s: any) => s.Sid === sid);
}

describe('the source registry', () => {
  const template = registry(model.source.id);

  test('has a creation template per namespace, for create on push and pull through cache, with the source key', () => {
    const templates = templatesOf(template);
    expect(Object.keys(templates).sort()).toEqual(['platform', 'team-a', 'team-b']);
    for (const t of Object.values(templates)) {
      expect(t.AppliedFor).toEqual(['CREATE_ON_PUSH', 'PULL_THROUGH_CACHE']);
      expect(t.EncryptionConfiguration).toEqual({ EncryptionType: 'KMS', KmsKey: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] } });
    }
    expect(templates['team-b'].ImageTagMutability).toBe('MUTABLE');
    expect(JSON.parse(templates['team-b'].LifecyclePolicy).rules[0].selection).toEqual(expect.objectContaining({ tagStatus: 'untagged', countNumber: 7 }));
    expect(templates['team-a'].ImageTagMutability).toBe('IMMUTABLE');
    expect(templates['team-a'].LifecyclePolicy).toBeUndefined();
  });

  test('one named role, shared by the templates, that may create repositories under the namespaces only', () => {
    const roles = Object.values(template.findResources('AWS::IAM::Role', { Properties: { RoleName: 'ecr-replication-template-us-east-1' } }));
    expect(roles).toHaveLength(1);
    const [create] = deployed(roles[0].Properties.Policies[0].PolicyDocument).Statement;
    expect(create.Action).toEqual(['ecr:CreateRepository', 'ecr:TagResource']);
    expect([...create.Resource].sort()).toEqual(['platform', 'team-a', 'team-b'].map((p) => `arn:aws:ecr:us-east-1:111111111111:repository/${p}/*`));
    const roleIds = new Set(Object.values(templatesOf(template)).map((t) => t.CustomRoleArn['Fn::GetAtt'][0]));
    expect(roleIds.size).toBe(1);
  });

  test('replicates each namespace and listed repository only to its destinations, one rule per destination set', () => {
    const [configuration] = Object.values(template.findResources('AWS::ECR::ReplicationConfiguration'));
    const rules = configuration.Properties.ReplicationConfiguration.Rules.map((rule: any) => [
      rule.RepositoryFilters.map((f: any) => f.Filter),
      rule.Destinations.map((d: any) => `${d.RegistryId}-${d.Region}`),
    ]);
    expect(rules).toEqual([
      [['team-a/'], [CROSS_1]],
      [['team-b/'], [SAME, CROSS_2]],
      [['platform/', 'app'], [SAME, CROSS_1, CROSS_2]],
      [['shared/base'], [SAME]],
    ]);
  });
});

describe('a same-account destination', () => {
  const template = registry(SAME);

  test('has the ROOT safety net and a replication template for each namespace routed here, with its key and settings', () => {
    const templates = templatesOf(template);
    expect(Object.keys(templates).sort()).toEqual(['ROOT', 'platform', 'team-b']);
    for (const t of Object.values(templates)) expect(t.AppliedFor).toEqual(['REPLICATION']);
    expect(templates['team-b'].ImageTagMutability).toBe('MUTABLE');
    expect(templates.platform.ImageTagMutability).toBe('IMMUTABLE');
  });

  test('keeps the ids of the single safety net (fixed names cannot be replaced in place)', () => {
    expect(Object.keys(template.findResources('AWS::ECR::RepositoryCreationTemplate', { Properties: { Prefix: 'ROOT' } }))[0])
      .toMatch(/^CreationTemplate[0-9A-F]{8}$/);
    expect(Object.keys(template.findResources('AWS::IAM::Role', { Properties: { RoleName: 'ecr-replication-template-us-west-2' } }))[0])
      .toMatch(/^CreationTemplateRole[0-9A-F]{8}$/);
  });

  test('has no registry policy', () => {
    template.resourceCountIs('AWS::ECR::RegistryPolicy', 0);
  });

  test('pre-creates only the listed repositories routed here', () => {
    const names = destinations.get(SAME)!.repositoriesStacks
      .flatMap((stack) => Object.values(Template.fromStack(stack).findResources('AWS::ECR::Repository')).map((r) => r.Properties.RepositoryName));
    expect(names.sort()).toEqual(['app', 'shared/base']);
  });
});

describe('a cross-account destination', () => {
  const template = registry(CROSS_1);
  const policy = policyOf(template);

  test('has a replication template for each namespace routed here, and no ROOT template', () => {
    const templates = templatesOf(template);
    expect(Object.keys(templates).sort()).toEqual(['platform', 'team-a']);
    for (const t of Object.values(templates)) expect(t.AppliedFor).toEqual(['REPLICATION']);
  });

  test('lets the source create repositories under the routed namespaces only, and replicate into what is routed here', () => {
    const arn = (name: string) => `arn:aws:ecr:eu-west-1:222222222222:repository/${name}`;
    expect(statement(policy, 'CreateRepository')).toEqual(expect.objectContaining({
      Principal: { AWS: ['arn:aws:iam::111111111111:root'] },
      Action: 'ecr:CreateRepository',
      Resource: [arn('team-a/*'), arn('platform/*')],
    }));
    expect(statement(policy, 'ReplicateImage').Resource).toEqual([arn('app'), arn('team-a/*'), arn('platform/*')]);
  });

  test('puts the registry policy in place only once the templates exist', () => {
    const [policyId] = Object.keys(template.findResources('AWS::ECR::RegistryPolicy'));
    const dependsOn: string[] = template.toJSON().Resources[policyId].DependsOn;
    for (const templateId of Object.keys(template.findResources('AWS::ECR::RepositoryCreationTemplate'))) {
      expect(dependsOn).toContain(templateId);
    }
  });

  test('pre-creates the listed repositories routed here', () => {
    const names = destinations.get(CROSS_1)!.repositoriesStacks
      .flatMap((stack) => Object.values(Template.fromStack(stack).findResources('AWS::ECR::Repository')).map((r) => r.Properties.RepositoryName));
    expect(names.sort()).toEqual(['app', 'team-a/service']);
  });
});

describe('nothing reaches a registry the topology does not route it to', () => {
  test.each(model.destinations.map((d) => [d.id]))('%s: no template, CreateRepository grant or replication rule for a namespace not routed there', (id) => {
    const routed = namespacesRoutedTo(model, id).map((n) => n.prefix);
    const routedFilters = [...routed.map(namespaceFilter), ...repositoriesRoutedTo(model, id).map((r) => r.name)];
    const destination = model.destinations.find((d) => d.id === id)!;
    const template = registry(id);

    const prefixes = Object.keys(templatesOf(template)).filter((p) => p !== 'ROOT');
    expect(prefixes.sort()).toEqual([...routed].sort());

    const policy = policyOf(template);
    if (destination.crossAccount) {
      const granted: string[] = [].concat(statement(policy, 'CreateRepository')?.Resource ?? []);
      // Every grant is repository/<routed prefix>/*: never repository/*, never a prefix routed elsewhere.
      for (const resource of granted) {
        const match = /^arn:aws:ecr:[a-z0-9-]+:\d{12}:repository\/(.+)\/\*$/.exec(resource);
        expect(match).not.toBeNull();
        expect(routed).toContain(match![1]);
      }
      expect(granted).toHaveLength(routed.length);
    } else {
      expect(policy).toBeUndefined();
    }

    const [configuration] = Object.values(registry(model.source.id).findResources('AWS::ECR::ReplicationConfiguration'));
    const filtersToHere = configuration.Properties.ReplicationConfiguration.Rules
      .filter((rule: any) => rule.Destinations.some((d: any) => `${d.RegistryId}-${d.Region}` === id))
      .flatMap((rule: any) => rule.RepositoryFilters.map((f: any) => f.Filter));
    // team-a/service travels under team-a/: it needs no filter of its own.
    expect(filtersToHere.sort()).toEqual(routedFilters.filter((f) => f !== 'team-a/service').sort());
  });

  test('no registry policy of the topology grants ecr:CreateRepository on the whole registry', () => {
    for (const d of model.destinations.filter((x) => x.crossAccount)) {
      const resources: string[] = [].concat(statement(policyOf(registry(d.id)), 'CreateRepository')?.Resource ?? []);
      expect(resources.some((r) => r.endsWith(':repository/*'))).toBe(false);
    }
  });
});

test('every stack of the namespaced topology passes the security checks (cdk-nag, findings acknowledged beside the resource)', () => {
  expect(() => app.synth()).not.toThrow();
});
