import { allowsReplication, parsePolicy, wildcardMatch } from '../../src/verify/policy';

describe('wildcardMatch', () => {
  test.each([
    ['*', 'anything', true],
    ['arn:aws:ecr:*:111111111111:repository/*', 'arn:aws:ecr:eu-west-1:111111111111:repository/team/api', true],
    ['arn:aws:ecr:eu-west-1:111111111111:repository/app', 'arn:aws:ecr:eu-west-1:111111111111:repository/app-old', false],
    ['arn:aws:ecr:eu-west-1:111111111111:repository/app?', 'arn:aws:ecr:eu-west-1:111111111111:repository/app1', true],
    ['repo.name', 'repoXname', false],
  ])('%s matches %s: %s', (pattern, value, expected) => {
    expect(wildcardMatch(pattern, value)).toBe(expected);
  });
});

describe('allowsReplication', () => {
  const arn = 'arn:aws:ecr:eu-west-1:222222222222:repository/app';

  test('actions are case-insensitive and may use wildcards', () => {
    const policy = parsePolicy(JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'ECR:Replicate*', Resource: arn }] }));
    expect(allowsReplication(policy, '111111111111', arn)).toBe(true);
  });

  test('a role of the source account is not the account', () => {
    const policy = parsePolicy(JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/x' }, Action: 'ecr:*', Resource: '*' }] }));
    expect(allowsReplication(policy, '111111111111', arn)).toBe(false);
  });

  test('a policy without statements allows nothing', () => {
    expect(allowsReplication(parsePolicy('{}'), '111111111111', arn)).toBe(false);
  });
});
