import { runSimulation } from '@cloud-copilot/iam-simulate';
import { DestinationStage, validateTopology } from '@ecr-kms-replication/stacks';
import { temporaryDirectory } from '@ecr-kms-replication/testing';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/**
 * The registry policy of a cross-account destination, evaluated as IAM does
 * (an IAM policy evaluator, not a reading of the JSON): the source account may
 * create repositories exactly under the namespaces routed there, and nowhere
 * else — not the whole registry, not a namespace routed elsewhere, not a
 * sibling that shares the prefix's letters.
 */
const SOURCE_ROOT = 'arn:aws:iam::111111111111:root';
const DESTINATION = { account: '222222222222', region: 'eu-west-1' };
const topology = validateTopology({
  source: { account: '111111111111', region: 'us-east-1' },
  destinations: [{ account: '111111111111', region: 'us-west-2' }, DESTINATION, { account: '222222222222', region: 'eu-central-1' }],
  namespaces: [
    { prefix: 'team-a', destinations: ['222222222222-eu-west-1'] },
    { prefix: 'team-b', destinations: ['111111111111-us-west-2', '222222222222-eu-central-1'] },
    { prefix: 'org/platform' },
  ],
  repositories: [{ name: 'app' }, { name: 'shared/base', destinations: ['111111111111-us-west-2'] }],
  pipeline: {
    account: '333333333333',
    region: 'us-east-1',
    connectionArn: 'arn:aws:codeconnections:us-east-1:333333333333:connection/00000000-0000-0000-0000-000000000000',
    repository: 'my-org/ecr-kms-replication',
  },
}, 'namespace topology');

const stage = new DestinationStage(new App({ outdir: temporaryDirectory(), builtinCloudFormationValidation: false }), {
  topology,
  destination: topology.destinations.find((d) => d.id === '222222222222-eu-west-1')!,
});
const [policy] = Object.values(Template.fromStack(stage.registryStack).findResources('AWS::ECR::RegistryPolicy'));
// As ECR receives it: the partition pseudo parameter resolved.
const registryPolicy = JSON.parse(JSON.stringify(policy.Properties.PolicyText, (_key, value) =>
  (value && value['Fn::Join'] ? value['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : 'aws')).join('') : value)));

/** A source principal that IAM in its own account lets do anything with ECR: the registry policy is what decides. */
async function decide(action: string, repository: string): Promise<string> {
  const result = await runSimulation({
    request: {
      principal: SOURCE_ROOT,
      action,
      resource: { resource: `arn:aws:ecr:${DESTINATION.region}:${DESTINATION.account}:repository/${repository}`, accountId: DESTINATION.account },
      contextVariables: {},
    },
    identityPolicies: [{ name: 'source', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] } }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: registryPolicy,
  }, {});
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

describe('a cross-account registry policy with namespaces', () => {
  test.each([
    ['team-a/new-service'],
    ['org/platform/runner'],
  ])('lets the source create %s: under a namespace routed here', async (repository) => {
    expect(await decide('ecr:CreateRepository', repository)).toBe('Allowed');
    expect(await decide('ecr:ReplicateImage', repository)).toBe('Allowed');
  });

  test.each([
    ['team-b/service', 'a namespace routed elsewhere'],
    ['unlisted', 'a repository outside every namespace'],
    ['app', 'a listed repository (it is created beforehand, not by replication)'],
    ['team-a', 'the namespace\'s own name'],
    ['team-ab/service', 'a sibling sharing the prefix\'s letters'],
    ['org/platformx/runner', 'a sibling of a nested namespace'],
  ])('never lets the source create %s: %s', async (repository) => {
    expect(await decide('ecr:CreateRepository', repository)).not.toBe('Allowed');
  });

  test('lets the source replicate into the listed repositories routed here, and no other', async () => {
    expect(await decide('ecr:ReplicateImage', 'app')).toBe('Allowed');
    expect(await decide('ecr:ReplicateImage', 'shared/base')).not.toBe('Allowed');
    expect(await decide('ecr:ReplicateImage', 'team-b/service')).not.toBe('Allowed');
  });
});
