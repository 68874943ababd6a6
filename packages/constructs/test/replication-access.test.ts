import { temporaryDirectory } from '@ecr-kms-replication/testing';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ReplicationAccess, ResourceScope } from '../src';
import { newStack } from './util';

const root = (account: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:root`]] });
const repository = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ecr:us-east-1:111111111111:repository/${name}`]] });

function policy(stack: Stack) {
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::ECR::RegistryPolicy', 1);
  const [resource] = Object.values(template.findResources('AWS::ECR::RegistryPolicy'));
  return resource.Properties.PolicyText;
}

function names(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `team/service-${String(i).padStart(4, '0')}`);
}

describe('ReplicationAccess', () => {
  test('lets each source account replicate into each named repository', () => {
    const stack = newStack();
    new ReplicationAccess(stack, 'Access', {
      sourceAccounts: ['222222222222', '333333333333'],
      repositoryNames: ['app', 'team/web'],
    });

    expect(policy(stack)).toEqual({
      Version: '2012-10-17',
      Statement: [{
        Sid: 'ReplicateImage',
        Effect: 'Allow',
        Principal: { AWS: [root('222222222222'), root('333333333333')] },
        Action: 'ecr:ReplicateImage',
        Resource: [repository('app'), repository('team/web')],
      }],
    });
  });

  test('lets the sources create the named repositories only when allowed', () => {
    const stack = newStack();
    new ReplicationAccess(stack, 'Access', {
      sourceAccounts: ['222222222222'],
      repositoryNames: ['app'],
      allowCreateRepository: true,
    });

    expect(policy(stack).Statement).toEqual([
      expect.objectContaining({ Sid: 'ReplicateImage', Action: 'ecr:ReplicateImage' }),
      {
        Sid: 'CreateRepository',
        Effect: 'Allow',
        Principal: { AWS: [root('222222222222')] },
        Action: 'ecr:CreateRepository',
        Resource: [repository('app')],
      },
    ]);
  });

  test('uses the pseudo parameters in an environment-agnostic stack', () => {
    const stack = newStack('Agnostic', {});
    new ReplicationAccess(stack, 'Access', { sourceAccounts: ['222222222222'], repositoryNames: ['app'] });

    expect(policy(stack).Statement[0].Resource).toEqual([{
      'Fn::Join': ['', [
        'arn:', { Ref: 'AWS::Partition' }, ':ecr:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':repository/app',
      ]],
    }]);
  });

  describe('policy size', () => {
    test('the limit is the ECR API\'s 10,240 characters', () => {
      expect(ReplicationAccess.MAX_POLICY_CHARS).toBe(10240);
    });

    test('estimates the deployed length from the known registry', () => {
      const props = { sourceAccounts: ['222222222222'], repositoryNames: ['app'] };
      const registry = { partition: 'aws', region: 'us-east-1', account: '111111111111' };
      const deployed = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{
          Sid: 'ReplicateImage',
          Effect: 'Allow',
          Principal: { AWS: ['arn:aws:iam::222222222222:root'] },
          Action: 'ecr:ReplicateImage',
          Resource: ['arn:aws:ecr:us-east-1:111111111111:repository/app'],
        }],
      });
      expect(ReplicationAccess.estimatePolicyChars(props, registry)).toBe(deployed.length);
      expect(ReplicationAccess.estimatePolicyChars(props)).toBeGreaterThanOrEqual(deployed.length);
      // Unknown partition counts as the longest one, aws-us-gov, in both ARNs.
      expect(ReplicationAccess.estimatePolicyChars(props, { region: 'us-east-1', account: '111111111111' })).toBe(deployed.length);
      expect(ReplicationAccess.estimatePolicyChars(props, { account: '111111111111' }) - deployed.length)
        .toBeGreaterThanOrEqual(2 * 'aws-us-gov'.replace('aws', '').length);
    });

    test('accepts a policy just within the limit', () => {
      const count = Array.from({ length: 400 }, (_, i) => i + 1).filter((n) =>
        ReplicationAccess.estimatePolicyChars({ sourceAccounts: ['222222222222'], repositoryNames: names(n) },
          { partition: 'aws', region: 'us-east-1', account: '111111111111' }) <= ReplicationAccess.MAX_POLICY_CHARS).length;
      expect(count).toBeGreaterThan(100);
      expect(() => new ReplicationAccess(newStack(), 'Access', { sourceAccounts: ['222222222222'], repositoryNames: names(count) }))
        .not.toThrow();
      expect(() => new ReplicationAccess(newStack(), 'Access', { sourceAccounts: ['222222222222'], repositoryNames: names(count + 1) }))
        .toThrow(/Invalid ReplicationAccess: the registry policy would be 10,[0-9]{3} characters; ECR allows at most 10,240 \([0-9]+ repositories, 0 namespaces, 1 source accounts\); resourceScope: WIDEN_TO_FIT/);
    });
  });

  describe('resourceScope: WIDEN_TO_FIT', () => {
    const widened = (repositoryNames: string[]) => {
      const stack = newStack();
      const access = new ReplicationAccess(stack, 'Access', {
        sourceAccounts: ['222222222222'], repositoryNames, resourceScope: ResourceScope.WIDEN_TO_FIT,
      });
      return { access, resources: policy(stack).Statement[0].Resource };
    };

    test('keeps exact names while they fit', () => {
      const { access, resources } = widened(['app', 'team/web']);
      expect(access.repositoryPatterns).toEqual(['app', 'team/web']);
      expect(resources).toEqual([repository('app'), repository('team/web')]);
    });

    test('covers the largest namespace first, and only as many as needed', () => {
      // 300 names under team-0/, 20 under small/, 5 without a namespace.
      const many = [
        ...Array.from({ length: 300 }, (_, i) => `team-0/service-${i}`),
        ...Array.from({ length: 20 }, (_, i) => `small/app-${i}`),
        ...Array.from({ length: 5 }, (_, i) => `flat-${i}`),
      ];
      const { access } = widened(many);
      expect(access.repositoryPatterns).toContain('team-0/*');
      expect(access.repositoryPatterns.filter((p) => p.startsWith('small/'))).toHaveLength(20);
      expect(access.repositoryPatterns.filter((p) => p.startsWith('flat-'))).toHaveLength(5);
      expect(access.repositoryPatterns.filter((p) => p.startsWith('team-0/service'))).toEqual([]);
    });

    test('1,000 repositories in ten namespaces: every one still covered, within the limit', () => {
      const thousand = Array.from({ length: 1000 }, (_, i) => `team-${i % 10}/service-${i}`);
      const { access } = widened(thousand);
      const wildcards = access.repositoryPatterns.filter((p) => p.endsWith('/*'));
      // Equal namespaces widen in name order, and only until the policy fits.
      expect(wildcards).toEqual(Array.from({ length: 9 }, (_, i) => `team-${i}/*`));
      for (const name of thousand) {
        expect(access.repositoryPatterns.some((p) => p === name || (p.endsWith('/*') && name.startsWith(p.slice(0, -1))))).toBe(true);
      }
      expect(ReplicationAccess.estimatePolicyChars({ sourceAccounts: ['222222222222'], repositoryNames: access.repositoryPatterns }))
        .toBeLessThanOrEqual(ReplicationAccess.MAX_POLICY_CHARS);
    });

    test('falls back to the whole registry when namespaces are not enough', () => {
      const flat = Array.from({ length: 1000 }, (_, i) => `service-${i}`);
      const { access, resources } = widened(flat);
      expect(access.repositoryPatterns).toEqual(['*']);
      expect(resources).toEqual([repository('*')]);
    });
  });

  describe('validation', () => {
    const invalid = (props: Partial<ConstructorParameters<typeof ReplicationAccess>[2]>) =>
      () => new ReplicationAccess(newStack(), 'Access', { sourceAccounts: ['222222222222'], repositoryNames: ['app'], ...props });

    test('names the index and value of an invalid account', () => {
      expect(invalid({ sourceAccounts: ['222222222222', '12345'] }))
        .toThrow(/^Invalid ReplicationAccess: sourceAccounts\[1\] must be a 12-digit AWS account ID \(value: "12345"\)$/);
    });

    test('refuses a repeated account', () => {
      expect(invalid({ sourceAccounts: ['222222222222', '222222222222'] }))
        .toThrow(/sourceAccounts\[1\] repeats sourceAccounts\[0\] \(value: "222222222222"\)/);
    });

    test('refuses no account', () => {
      expect(invalid({ sourceAccounts: [] })).toThrow(/sourceAccounts must list at least one account/);
    });

    test('names the index and value of an invalid repository name', () => {
      expect(invalid({ repositoryNames: ['app', 'App/'] })).toThrow(
        /repositoryNames\[1\] must use lowercase letters, digits and the separators \. _ - \/, each between letters or digits \(value: "App\/"\)/,
      );
    });

    test('refuses a repeated repository name', () => {
      expect(invalid({ repositoryNames: ['app', 'app'] })).toThrow(/repositoryNames\[1\] repeats repositoryNames\[0\] \(value: "app"\)/);
    });

    test('refuses no repository', () => {
      expect(invalid({ repositoryNames: [] })).toThrow(/repositoryNames must list at least one repository/);
    });
  });

  describe('one owner per registry', () => {
    test('refuses a second registry policy in the same stack', () => {
      const stack = newStack();
      new ReplicationAccess(stack, 'First', { sourceAccounts: ['222222222222'], repositoryNames: ['app'] });

      expect(() => new ReplicationAccess(stack, 'Second', { sourceAccounts: ['333333333333'], repositoryNames: ['web'] })).toThrow(
        /Invalid ReplicationAccess: stack Stack already has a ReplicationAccess \(Stack\/First\); cannot add Stack\/Second\. ECR keeps one registry policy per registry/,
      );
    });

    test('refuses a second one for the same registry in another stack of the app', () => {
      const app = new App({ outdir: temporaryDirectory(), builtinCloudFormationValidation: false });
      const env = { account: '111111111111', region: 'us-east-1' };
      new ReplicationAccess(new Stack(app, 'One', { env }), 'Access', { sourceAccounts: ['222222222222'], repositoryNames: ['app'] });

      expect(() => new ReplicationAccess(new Stack(app, 'Two', { env }), 'Access', { sourceAccounts: ['333333333333'], repositoryNames: ['app'] }))
        .toThrow(/registry 111111111111\/us-east-1 already has a ReplicationAccess \(One\/Access\)/);
    });
  });
});

describe('ReplicationAccess with namespaces', () => {
  const access = (props: Partial<ConstructorParameters<typeof ReplicationAccess>[2]> = {}) => {
    const stack = newStack('Stack', { account: '222222222222', region: 'eu-west-1' });
    const construct = new ReplicationAccess(stack, 'Access', { sourceAccounts: ['111111111111'], repositoryNames: ['app'], namespaces: ['team-a', 'org/team-b'], ...props });
    return { construct, policy: JSON.stringify(stack.resolve(construct.policyDocument)) };
  };

  test('grants CreateRepository on repository/<namespace>/* only, and ReplicateImage on the names and the namespaces', () => {
    const { construct } = access();
    expect(construct.createRepositoryPatterns).toEqual(['team-a/*', 'org/team-b/*']);
    const [replicate, create] = (construct.policyDocument as any).Statement;
    expect(replicate.Resource.map((r: string) => r.split(':repository/')[1])).toEqual(['app', 'team-a/*', 'org/team-b/*']);
    expect(create.Action).toBe('ecr:CreateRepository');
    expect(create.Resource.map((r: string) => r.split(':repository/')[1])).toEqual(['team-a/*', 'org/team-b/*']);
  });

  test('namespaces alone are enough', () => {
    expect(access({ repositoryNames: [] }).construct.repositoryPatterns).toEqual([]);
  });

  test('widening to fit never widens the CreateRepository grant', () => {
    const many = Array.from({ length: 300 }, (_, i) => `service-${String(i).padStart(4, '0')}`);
    const { construct } = access({ repositoryNames: many, resourceScope: ResourceScope.WIDEN_TO_FIT });
    expect(construct.repositoryPatterns).toEqual(['*']);
    expect(construct.createRepositoryPatterns).toEqual(['team-a/*', 'org/team-b/*']);
    const [replicate] = (construct.policyDocument as any).Statement;
    expect(replicate.Resource).toHaveLength(1);
  });

  test('an invalid namespace is refused', () => {
    expect(() => access({ namespaces: ['Team'] })).toThrow(/namespaces\[0\] .*\(value: "Team"\)/);
  });
});
