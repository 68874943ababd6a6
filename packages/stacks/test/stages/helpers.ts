import { temporaryDirectory } from '@ecr-kms-replication/testing';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { TopologyModel, validateTopology } from '../../src/topology';

const KEY_ADMIN = 'arn:aws:iam::111111111111:role/KeyAdmin';
const CI_PUSH = 'arn:aws:iam::111111111111:role/CiPush';
const PIPELINE = {
  account: '333333333333',
  region: 'us-east-1',
  connectionArn: 'arn:aws:codeconnections:us-east-1:333333333333:connection/00000000-0000-0000-0000-000000000000',
  repository: 'my-org/ecr-kms-replication',
};

/** A topology with the source in 111111111111/us-east-1, through the same validation as a file. */
type DestinationEntry = { account: string; region: string; [key: string]: unknown };

export function topology(destinations: DestinationEntry[], extra: Record<string, unknown> = {}): TopologyModel {
  return validateTopology({
    source: { account: '111111111111', region: 'us-east-1' },
    destinations,
    repositories: [{ name: 'team-a/service' }, { name: 'team-b/api', existing: true }],
    keyAdmins: [KEY_ADMIN],
    keyUsers: [CI_PUSH],
    pipeline: PIPELINE,
    ...extra,
  }, 'test topology');
}

/** An app whose stages skip CloudFormation schema validation (cfn-lint covers it in CI). */
export function testApp(): App {
  return new App({ outdir: temporaryDirectory(), builtinCloudFormationValidation: false });
}

/** The templates of a stage's stacks, by stack name. */
export function templates(stacks: Stack[]): Map<string, Template> {
  return new Map(stacks.map((stack) => [stack.stackName, Template.fromStack(stack)]));
}
