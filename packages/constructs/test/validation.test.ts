import {
  ECR_QUOTAS,
  REPOSITORY_NAME_PATTERN,
  accountOfPrincipalArn,
  isAccountId,
  isKnownRegion,
  knownRegions,
  principalArnProblems,
  repositoryFilterProblems,
  repositoryNameProblems,
} from '../src';

describe('ECR_QUOTAS', () => {
  test('are the replication quotas of a registry', () => {
    expect(ECR_QUOTAS).toEqual({ maxRulesPerConfiguration: 10, maxUniqueDestinations: 25, maxFiltersPerRule: 100 });
  });
});

describe('repositoryNameProblems', () => {
  test.each(['ab', 'app', '1app', 'team/app', 'a.b_c-d', 'a/b/c', 'x'.repeat(256)])('accepts %s', (name) => {
    expect(repositoryNameProblems(name)).toEqual([]);
    expect(REPOSITORY_NAME_PATTERN.test(name)).toBe(true);
  });

  test.each(['App', 'app/', '/app', 'a..b', 'a-', '-a', 'a//b', 'a b', 'a:b'])('refuses the characters of %s', (name) => {
    expect(repositoryNameProblems(name)).toEqual([
      'must use lowercase letters, digits and the separators . _ - /, each between letters or digits',
    ]);
  });

  test.each(['a', 'x'.repeat(257)])('refuses the length of %s', (name) => {
    expect(repositoryNameProblems(name)).toEqual(['must be 2 to 256 characters long']);
  });

  test('reports every problem', () => {
    expect(repositoryNameProblems('A')).toHaveLength(2);
  });
});

describe('repositoryFilterProblems', () => {
  test.each(['app', 'app-', 'team/', 'team/app', 'ab'])('accepts the prefix %s', (filter) => {
    expect(repositoryFilterProblems(filter)).toEqual([]);
  });

  test.each(['App', '/app', 'a b'])('refuses the prefix %s', (filter) => {
    expect(repositoryFilterProblems(filter)).toEqual([
      'must be the start of a repository name: lowercase letters, digits and the separators . _ - /',
    ]);
  });

  test('refuses a one-character prefix', () => {
    expect(repositoryFilterProblems('a')).toEqual(['must be 2 to 256 characters long']);
  });
});

describe('isAccountId', () => {
  test.each(['111111111111', '000000000000'])('accepts %s', (value) => {
    expect(isAccountId(value)).toBe(true);
  });

  test.each(['12345', '1111111111111', '11111111111a', ' 111111111111', ''])('refuses "%s"', (value) => {
    expect(isAccountId(value)).toBe(false);
  });
});

describe('regions', () => {
  test('knownRegions lists the Region codes of aws-cdk-lib, sorted', () => {
    const regions = knownRegions();
    expect(regions).toEqual(expect.arrayContaining(['us-east-1', 'eu-west-1', 'cn-north-1', 'us-gov-west-1']));
    expect(regions).toEqual([...regions].sort());
    for (const region of regions) {
      expect(region).toMatch(/^[a-z]{2,4}(-[a-z]+)+-\d+$/);
    }
  });

  test.each(['us-east-1', 'ap-southeast-2', 'eu-central-2'])('isKnownRegion accepts %s', (region) => {
    expect(isKnownRegion(region)).toBe(true);
  });

  test.each(['us-east-9', 'US-EAST-1', 'useast1', '', 'us-east-1a'])('isKnownRegion refuses "%s"', (region) => {
    expect(isKnownRegion(region)).toBe(false);
  });
});

describe('principalArnProblems', () => {
  test.each([
    'arn:aws:iam::111111111111:root',
    'arn:aws:iam::111111111111:role/admin',
    'arn:aws:iam::111111111111:role/path/to/Admin+Role=x,y.z@w_v-u',
    'arn:aws:iam::111111111111:user/alice',
    'arn:aws-cn:iam::222222222222:role/x',
    'arn:aws-us-gov:iam::333333333333:user/a/b',
  ])('accepts %s', (arn) => {
    expect(principalArnProblems(arn)).toEqual([]);
  });

  test.each([
    ['111111111111', 'must be an ARN of the form arn:PARTITION:iam::ACCOUNT:root, :role/NAME or :user/NAME'],
    ['arn:aws-iso:iam::111111111111:root', 'partition must be one of aws, aws-cn, aws-us-gov'],
    ['arn:aws:sts::111111111111:assumed-role/x/y', 'must be an IAM ARN (arn:PARTITION:iam::...)'],
    ['arn:aws:iam:us-east-1:111111111111:root', 'must be an IAM ARN (arn:PARTITION:iam::...)'],
    ['arn:aws:iam::12345:root', 'account must be a 12-digit AWS account ID'],
    ['arn:aws:iam::111111111111:group/admins', 'must name root, role/NAME or user/NAME'],
    ['arn:aws:iam::111111111111:role/', 'must name root, role/NAME or user/NAME'],
    ['arn:aws:iam::111111111111:role/a b', 'must name root, role/NAME or user/NAME'],
  ])('refuses %s', (arn, problem) => {
    expect(principalArnProblems(arn)).toContain(problem);
  });
});

describe('accountOfPrincipalArn', () => {
  test('gives the account of the ARN', () => {
    expect(accountOfPrincipalArn('arn:aws:iam::222222222222:role/path/x')).toBe('222222222222');
    expect(accountOfPrincipalArn('arn:aws-cn:iam::333333333333:root')).toBe('333333333333');
  });

  test('throws for an invalid ARN', () => {
    expect(() => accountOfPrincipalArn('arn:aws:iam::12345:root'))
      .toThrow(/Invalid IAM principal ARN \(value: "arn:aws:iam::12345:root"\): account must be a 12-digit AWS account ID/);
  });
});
