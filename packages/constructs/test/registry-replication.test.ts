import { temporaryDirectory } from '@ecr-kms-replication/testing';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RegistryReplication, ReplicationDestination } from '../src';
import { newStack } from './util';

const WEST: ReplicationDestination = { account: '222222222222', region: 'us-west-2' };
const EU: ReplicationDestination = { account: '333333333333', region: 'eu-west-1' };

function filters(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `app${i}`);
}

function rules(stack: Stack) {
  const [resource] = Object.values(Template.fromStack(stack).findResources('AWS::ECR::ReplicationConfiguration'));
  return resource.Properties.ReplicationConfiguration.Rules as Array<{
    Destinations: unknown[];
    RepositoryFilters?: Array<{ Filter: string; FilterType: string }>;
  }>;
}

describe('RegistryReplication', () => {
  test('replicates every repository to every destination when there is no filter', () => {
    const stack = newStack();
    new RegistryReplication(stack, 'Replication', { destinations: [WEST, EU] });

    Template.fromStack(stack).resourceCountIs('AWS::ECR::ReplicationConfiguration', 1);
    expect(rules(stack)).toEqual([{
      Destinations: [
        { Region: 'us-west-2', RegistryId: '222222222222' },
        { Region: 'eu-west-1', RegistryId: '333333333333' },
      ],
    }]);
  });

  test('renders filters as PREFIX_MATCH, in the given order', () => {
    const stack = newStack();
    const replication = new RegistryReplication(stack, 'Replication', {
      destinations: [WEST],
      repositoryFilters: ['team/', 'app'],
    });

    expect(rules(stack)).toEqual([{
      Destinations: [{ Region: 'us-west-2', RegistryId: '222222222222' }],
      RepositoryFilters: [
        { Filter: 'team/', FilterType: 'PREFIX_MATCH' },
        { Filter: 'app', FilterType: 'PREFIX_MATCH' },
      ],
    }]);
    expect(replication.rules).toHaveLength(1);
  });

  test('groups 250 filters into rules of 100, 100 and 50, each listing every destination', () => {
    const stack = newStack();
    new RegistryReplication(stack, 'Replication', { destinations: [WEST, EU], repositoryFilters: filters(250) });

    const rendered = rules(stack);
    expect(rendered.map((r) => r.RepositoryFilters?.length)).toEqual([100, 100, 50]);
    expect(rendered.map((r) => r.Destinations.length)).toEqual([2, 2, 2]);
    expect(rendered.flatMap((r) => r.RepositoryFilters!.map((f) => f.Filter))).toEqual(filters(250));
  });

  test('accepts the quotas exactly: 1,000 filters in 10 rules and 25 destinations', () => {
    const stack = newStack();
    const destinations = Array.from({ length: 25 }, (_, i) => ({ account: `2222222222${String(i).padStart(2, '0')}`, region: 'us-west-2' }));
    new RegistryReplication(stack, 'Replication', { destinations, repositoryFilters: filters(1000) });

    expect(rules(stack)).toHaveLength(10);
  });

  test('accepts a destination in another Region of the same account', () => {
    const stack = newStack();
    new RegistryReplication(stack, 'Replication', { destinations: [{ account: '111111111111', region: 'us-west-2' }] });

    expect(rules(stack)[0].Destinations).toEqual([{ Region: 'us-west-2', RegistryId: '111111111111' }]);
  });

  describe('validation', () => {
    const invalid = (props: Partial<ConstructorParameters<typeof RegistryReplication>[2]>, stack = newStack()) =>
      () => new RegistryReplication(stack, 'Replication', { destinations: [WEST], ...props });

    test('names the index and value of an invalid account', () => {
      expect(invalid({ destinations: [WEST, EU, { account: '12345', region: 'us-west-2' }] })).toThrow(
        /^Invalid RegistryReplication: destinations\[2\]\.account must be a 12-digit AWS account ID \(value: "12345"\)$/,
      );
    });

    test('names the index and value of an invalid Region', () => {
      expect(invalid({ destinations: [{ account: '222222222222', region: 'us-west-9' }] })).toThrow(
        /destinations\[0\]\.region must be an AWS Region code such as us-east-1 \(value: "us-west-9"\)/,
      );
    });

    test('refuses no destination', () => {
      expect(invalid({ destinations: [] })).toThrow(/destinations must list at least one destination/);
    });

    test('refuses a repeated destination', () => {
      expect(invalid({ destinations: [WEST, EU, WEST] })).toThrow(
        /destinations\[2\] repeats destinations\[0\] \(value: "222222222222\/us-west-2"\)/,
      );
    });

    test('refuses the registry itself as a destination', () => {
      expect(invalid({ destinations: [{ account: '111111111111', region: 'us-east-1' }] })).toThrow(
        /destinations\[0\] is this registry itself; ECR cannot replicate a registry to itself \(value: "111111111111\/us-east-1"\)/,
      );
    });

    test('cannot check for itself in an environment-agnostic stack', () => {
      const stack = newStack('Agnostic', {});
      expect(invalid({ destinations: [{ account: '111111111111', region: 'us-east-1' }] }, stack)).not.toThrow();
    });

    test('refuses more than 25 unique destinations', () => {
      const destinations = Array.from({ length: 26 }, (_, i) => ({ account: `2222222222${String(i).padStart(2, '0')}`, region: 'us-west-2' }));
      expect(invalid({ destinations })).toThrow(/ECR allows at most 25 unique destinations per registry; 26 given/);
    });

    test('refuses more than 10 rules', () => {
      expect(invalid({ repositoryFilters: filters(1050) })).toThrow(
        /ECR allows at most 10 rules per replication configuration \(100 filters each\); 1,050 filters need 11/,
      );
    });

    test('refuses an invalid filter', () => {
      expect(invalid({ repositoryFilters: ['app', 'App'] })).toThrow(
        /repositoryFilters\[1\] must be the start of a repository name: lowercase letters, digits and the separators \. _ - \/ \(value: "App"\)/,
      );
    });

    test('refuses a repeated filter', () => {
      expect(invalid({ repositoryFilters: ['app', 'web', 'app'] })).toThrow(
        /repositoryFilters\[2\] repeats repositoryFilters\[0\] \(value: "app"\)/,
      );
    });

    test('refuses an empty filter list rather than replicating everything', () => {
      expect(invalid({ repositoryFilters: [] })).toThrow(
        /repositoryFilters must not be empty; leave it out to replicate every repository/,
      );
    });

    test('reports every problem at once', () => {
      expect(invalid({ destinations: [{ account: 'x', region: 'y' }], repositoryFilters: ['A'] })).toThrow(
        /Invalid RegistryReplication:\n {2}- destinations\[0\]\.account .*\n {2}- destinations\[0\]\.region .*\n {2}- repositoryFilters\[0\] /,
      );
    });
  });

  describe('one owner per registry', () => {
    test('refuses a second replication configuration in the same stack', () => {
      const stack = newStack();
      new RegistryReplication(stack, 'First', { destinations: [WEST] });

      expect(() => new RegistryReplication(stack, 'Second', { destinations: [EU] })).toThrow(
        /Invalid RegistryReplication: stack Stack already has a RegistryReplication \(Stack\/First\); cannot add Stack\/Second\. ECR keeps one replication configuration per registry/,
      );
    });

    test('refuses a second one for the same registry in another stack of the app', () => {
      const app = new App({ outdir: temporaryDirectory(), builtinCloudFormationValidation: false });
      const env = { account: '111111111111', region: 'us-east-1' };
      new RegistryReplication(new Stack(app, 'One', { env }), 'Replication', { destinations: [WEST] });

      expect(() => new RegistryReplication(new Stack(app, 'Two', { env }), 'Replication', { destinations: [EU] }))
        .toThrow(/registry 111111111111\/us-east-1 already has a RegistryReplication \(One\/Replication\)/);
    });

    test('allows one per registry', () => {
      const app = new App({ outdir: temporaryDirectory(), builtinCloudFormationValidation: false });
      new RegistryReplication(new Stack(app, 'East', { env: { account: '111111111111', region: 'us-east-1' } }), 'R', { destinations: [WEST] });
      new RegistryReplication(new Stack(app, 'Eu', { env: { account: '111111111111', region: 'eu-west-1' } }), 'R', { destinations: [WEST] });
    });
  });
});

describe('RegistryReplication with routing rules', () => {
  test('one rule per routing group, cut at 100 filters', () => {
    const stack = newStack();
    const replication = new RegistryReplication(stack, 'Replication', {
      rules: [{ destinations: [WEST], repositoryFilters: ['team-a/'] }, { destinations: [WEST, EU], repositoryFilters: filters(150) }],
    });
    const sizes = replication.rules.map((r) => [(r.destinations as unknown[]).length, (r.repositoryFilters as unknown[]).length]);
    expect(sizes).toEqual([[1, 1], [2, 100], [2, 50]]);
  });

  test('counts rules and unique destinations over every group', () => {
    const eleven = Array.from({ length: 11 }, (_, i) => ({ destinations: [WEST], repositoryFilters: [`team-${i}/`] }));
    expect(() => new RegistryReplication(newStack(), 'Replication', { rules: eleven }))
      .toThrow(/ECR allows at most 10 rules per replication configuration \(100 filters each\); 11 filters in 11 routing groups need 11/);
  });

  test('refuses a filter in two rules, and rules beside destinations', () => {
    expect(() => new RegistryReplication(newStack(), 'Replication', {
      rules: [{ destinations: [WEST], repositoryFilters: ['app'] }, { destinations: [EU], repositoryFilters: ['app'] }],
    })).toThrow(/rules\[1\] repeats the filter of rules\[0\] \(value: "app"\)/);
    expect(() => new RegistryReplication(newStack(), 'Replication', { destinations: [WEST], rules: [{ destinations: [EU], repositoryFilters: ['app'] }] }))
      .toThrow(/give either rules, or destinations with repositoryFilters, not both/);
  });
});
