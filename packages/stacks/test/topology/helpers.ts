import { TopologyError, TopologyProblem } from '../../src/topology';

/** A valid topology as plain data; tests change one thing at a time. */
export function validTopology(): any {
  return {
    source: { account: '111111111111', region: 'us-east-1' },
    destinations: [
      { account: '111111111111', region: 'us-west-2' },
      { account: '222222222222', region: 'eu-west-1' },
    ],
    repositories: [{ name: 'team-a/service' }, { name: 'team-b/api', existing: true }],
    keyAdmins: ['arn:aws:iam::111111111111:role/KeyAdmin'],
    keyUsers: ['arn:aws:iam::111111111111:role/CiPush'],
    pipeline: {
      account: '333333333333',
      region: 'us-east-1',
      connectionArn: 'arn:aws:codeconnections:us-east-1:333333333333:connection/00000000-0000-0000-0000-000000000000',
      repository: 'my-org/ecr-kms-replication',
    },
  };
}

/** The TopologyError `fn` throws; fails the test when it throws nothing or something else. */
export function topologyError(fn: () => unknown): TopologyError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TopologyError) return error;
    throw error;
  }
  throw new Error('expected a TopologyError, but nothing was thrown');
}

export function problemsOf(fn: () => unknown): TopologyProblem[] {
  return topologyError(fn).problems;
}

/** Problems as `path: message` lines, ignoring line numbers. */
export function problemLines(fn: () => unknown): string[] {
  return problemsOf(fn).map((p) => `${p.path}: ${p.message}`);
}
