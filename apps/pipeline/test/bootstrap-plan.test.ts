import * as fs from 'fs';
import * as path from 'path';
import { validateTopology } from '@ecr-kms-replication/stacks';
import { generatedTopology } from './topologies';
import { bootstrapPlan, bootstrapSteps, keyTagProblems } from '../src/bootstrap-plan';

const PIPELINE = {
  account: '333333333333',
  region: 'us-east-1',
  connectionArn: 'arn:aws:codeconnections:us-east-1:333333333333:connection/00000000-0000-0000-0000-000000000000',
  repository: 'my-org/ecr-kms-replication',
};
const putPolicy = (account: string, name: string, file: string) => `bash apps/pipeline/bin/put-policy.sh ${account} ${name} apps/pipeline/${file}`;

describe('the bootstrap plan of a topology with a tools account', () => {
  // Source 111111111111/us-east-1; destinations alternate over 111111111111, 222222222222 and 333333333333.
  const topology = generatedTopology({ destinations: 4, repositories: 1 });
  const plan = bootstrapPlan(topology);
  const steps = bootstrapSteps(topology);

  test('creates or updates the boundary, then the deployment policy, before bootstrapping each target environment', () => {
    const target = steps.find((s) => s.account === '222222222222')!;
    expect(target.commands.slice(0, 2)).toEqual([
      putPolicy('222222222222', 'ecr-kms-replication-boundary', 'permissions-boundary.json'),
      putPolicy('222222222222', 'ecr-kms-replication-deploy', 'cfn-execution-policy.json'),
    ]);
    expect(target.commands.slice(2).every((c) => c.startsWith('npx cdk bootstrap aws://222222222222/')
      && c.endsWith('--trust 333333333333 --cloudformation-execution-policies arn:aws:iam::222222222222:policy/ecr-kms-replication-deploy'))).toBe(true);
  });

  test('never prints a command that fails when run a second time', () => {
    expect(plan).not.toContain('aws iam create-policy');
    for (const line of plan.split('\n').filter((l) => l && !l.startsWith('#'))) {
      expect(line).toMatch(/^(npx cdk bootstrap |bash apps\/pipeline\/bin\/put-policy\.sh |\(cd apps\/pipeline && npx cdk deploy Pipeline\))/);
    }
  });

  test('says that it can run again and how a changed policy is applied', () => {
    expect(plan).toContain('# Every command can run again: cdk bootstrap updates an environment in place, and put-policy.sh');
    expect(plan).toContain('# creates a missing policy or makes the file\'s document its default version (keeping at most 5).');
    expect(plan).toContain('# After a change to apps/pipeline/cfn-execution-policy.json or apps/pipeline/permissions-boundary.json,');
    expect(plan).toContain('# run the put-policy.sh lines again in every target account');
  });

  test('gives every target account its boundary, once', () => {
    for (const account of ['111111111111', '222222222222', '333333333333']) {
      expect(plan.split('\n').filter((l) => l === putPolicy(account, 'ecr-kms-replication-boundary', 'permissions-boundary.json'))).toHaveLength(1);
    }
  });
});

test('a pipeline environment that is also the only target of its account still gets the boundary, and no deployment policy', () => {
  const topology = validateTopology({
    source: { account: '333333333333', region: 'us-east-1' },
    destinations: [{ account: '222222222222', region: 'eu-west-1' }],
    repositories: [{ name: 'app' }],
    pipeline: PIPELINE,
  }, 'test topology');
  const step = bootstrapSteps(topology).find((s) => s.account === '333333333333' && s.title.startsWith('Target'))!;
  expect(step.commands).toEqual([putPolicy('333333333333', 'ecr-kms-replication-boundary', 'permissions-boundary.json')]);
  expect(bootstrapPlan(topology)).toContain('keeps the\n# default execution policy (AdministratorAccess)');
});

describe('the deployment policy lets CloudFormation tag a new key with the topology\'s tags, and no other', () => {
  const policy = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cfn-execution-policy.json'), 'utf8'));
  const withTags = (tags: Record<string, string>) => validateTopology({
    source: { account: '333333333333', region: 'us-east-1' },
    destinations: [{ account: '222222222222', region: 'eu-west-1' }],
    repositories: [{ name: 'app' }],
    pipeline: PIPELINE,
    tags,
  }, 'test topology');

  test('the example policy fits a topology without tags', () => {
    expect(keyTagProblems(withTags({}), policy)).toEqual([]);
  });

  test('a topology tag the policy does not list is named, with where to add it', () => {
    expect(keyTagProblems(withTags({ CostCenter: '4711', ManagedBy: 'ecr-kms-replication' }), policy)).toEqual([
      'tags: the key \'CostCenter\' is not in the aws:TagKeys of statement TagKeysAtCreation in apps/pipeline/cfn-execution-policy.json: '
      + 'add it there (CloudFormation tags each new KMS key with it), then run the put-policy.sh lines of the plan',
    ]);
    const widened = JSON.parse(JSON.stringify(policy));
    widened.Statement.find((s: { Sid: string }) => s.Sid === 'TagKeysAtCreation').Condition['ForAllValues:StringEquals']['aws:TagKeys'].push('CostCenter');
    expect(keyTagProblems(withTags({ CostCenter: '4711' }), widened)).toEqual([]);
  });
});
