import {
  checkCreationTemplate,
  checkDestinationRepositories,
  checkImageReplication,
  checkRegistryPolicy,
  checkReplication,
  checkSourceRepositories,
  deploysCreationTemplate,
  repositoryArn,
} from '../../src/verify/checks';
import { CROSS_ACCOUNT, SAME_ACCOUNT, SOURCE, goodRepositories, goodTemplate, keyIn, policyAllowing, repo, topology } from '../fixtures';

const failures = <T extends { status: string }>(results: T[]): T[] => results.filter((r) => r.status !== 'pass');

describe('replication coverage (source)', () => {
  const t = topology();
  const both = [
    { region: SAME_ACCOUNT.region, registryId: SAME_ACCOUNT.account },
    { region: CROSS_ACCOUNT.region, registryId: CROSS_ACCOUNT.account },
  ];

  test('a rule without filters covers every repository', () => {
    const results = checkReplication(t, [{ destinations: both }]);
    expect(results).toHaveLength(2);
    expect(failures(results)).toEqual([]);
  });

  test('PREFIX_MATCH filters cover the repositories whose name starts with them', () => {
    const results = checkReplication(t, [{
      destinations: both,
      repositoryFilters: [{ filter: 'ap', filterType: 'PREFIX_MATCH' }, { filter: 'team/', filterType: 'PREFIX_MATCH' }],
    }]);
    expect(failures(results)).toEqual([]);
  });

  test('a filter that is not a prefix of the name does not cover it', () => {
    const results = checkReplication(t, [{ destinations: both, repositoryFilters: [{ filter: 'api', filterType: 'PREFIX_MATCH' }] }]);
    expect(failures(results).map((r) => r.repository)).toEqual(['app', 'team/api']);
  });

  test('rules can share the work: one destination per rule', () => {
    const results = checkReplication(t, [{ destinations: [both[0]] }, { destinations: [both[1]] }]);
    expect(failures(results)).toEqual([]);
  });

  test('a destination missing from every rule fails each repository, naming account and Region', () => {
    const results = checkReplication(t, [{ destinations: [both[0]] }]);
    expect(failures(results)).toEqual([
      { check: 'replication', repository: 'app', status: 'fail', detail: 'no replication rule sends app to 222222222222/eu-central-1' },
      { check: 'replication', repository: 'team/api', status: 'fail', detail: 'no replication rule sends team/api to 222222222222/eu-central-1' },
    ]);
  });

  test('a destination with the right Region in the wrong account is not a match', () => {
    const results = checkReplication(t, [{ destinations: [both[0], { region: CROSS_ACCOUNT.region, registryId: '333333333333' }] }]);
    expect(failures(results)).toHaveLength(2);
  });

  test('no replication rule at all is one failure for the registry', () => {
    expect(checkReplication(t, [])).toEqual([
      { check: 'replication', status: 'fail', detail: 'the source registry 111111111111/us-east-1 has no replication rule' },
    ]);
  });

  test('a topology without destinations needs no rule', () => {
    // The validation asks for at least one destination; the check does not rely on it.
    expect(() => topology({ destinations: [] })).toThrow('must list at least one destination');
    expect(failures(checkReplication({ ...topology(), destinations: [] }, []))).toEqual([]);
  });
});

describe('source repositories', () => {
  test('a missing repository fails', () => {
    const t = topology();
    const found = goodRepositories(t, SOURCE);
    found.delete('app');
    expect(failures(checkSourceRepositories(t, found))).toEqual([
      { check: 'repository', repository: 'app', status: 'fail', detail: 'app does not exist in 111111111111/us-east-1' },
    ]);
  });
});

describe('destination repositories', () => {
  const t = topology();
  const key = keyIn(SAME_ACCOUNT);

  test('a correct registry passes every check', () => {
    const results = checkDestinationRepositories(t, SAME_ACCOUNT, goodRepositories(t, SAME_ACCOUNT), key);
    expect(results.map((r) => `${r.check}:${r.status}`)).toEqual([
      'repository:pass', 'encryption:pass', 'tag-mutability:pass',
      'repository:pass', 'encryption:pass', 'tag-mutability:pass',
    ]);
  });

  test('a missing repository fails once, naming the repository and the Region', () => {
    const found = goodRepositories(t, SAME_ACCOUNT);
    found.delete('team/api');
    expect(failures(checkDestinationRepositories(t, SAME_ACCOUNT, found, key))).toEqual([
      { check: 'repository', repository: 'team/api', status: 'fail', detail: 'team/api does not exist in 111111111111/eu-west-1' },
    ]);
  });

  test('an AES256 repository fails encryption', () => {
    const found = goodRepositories(t, SAME_ACCOUNT);
    found.set('app', { name: 'app', encryptionType: 'AES256', imageTagMutability: 'IMMUTABLE' });
    const [failure] = failures(checkDestinationRepositories(t, SAME_ACCOUNT, found, key));
    expect(failure).toMatchObject({ check: 'encryption', repository: 'app', status: 'fail' });
    expect(failure.detail).toMatch(/app in 111111111111\/eu-west-1 is encrypted with AES256, not KMS/);
  });

  test('a KMS repository with another key fails encryption', () => {
    const found = goodRepositories(t, SAME_ACCOUNT);
    found.set('app', { name: 'app', encryptionType: 'KMS', kmsKey: 'arn:aws:kms:eu-west-1:111111111111:key/other', imageTagMutability: 'IMMUTABLE' });
    const [failure] = failures(checkDestinationRepositories(t, SAME_ACCOUNT, found, key));
    expect(failure).toMatchObject({ check: 'encryption', repository: 'app', status: 'fail' });
    expect(failure.detail).toContain('not alias/ecr-kms-replication');
  });

  test('the key may be named by id or by the alias', () => {
    const found = goodRepositories(t, SAME_ACCOUNT);
    found.set('app', { name: 'app', encryptionType: 'KMS', kmsKey: key.keyId, imageTagMutability: 'IMMUTABLE' });
    found.set('team/api', { name: 'team/api', encryptionType: 'KMS', kmsKey: 'arn:aws:kms:eu-west-1:111111111111:alias/ecr-kms-replication', imageTagMutability: 'MUTABLE' });
    expect(failures(checkDestinationRepositories(t, SAME_ACCOUNT, found, key))).toEqual([]);
  });

  test('an alias that cannot be resolved is an error, not a failure', () => {
    const results = checkDestinationRepositories(t, SAME_ACCOUNT, goodRepositories(t, SAME_ACCOUNT), { error: 'access denied' });
    expect(failures(results).map((r) => r.status)).toEqual(['error', 'error']);
  });

  test('a tag mutability other than configured fails', () => {
    const found = goodRepositories(t, SAME_ACCOUNT);
    found.set('app', { ...found.get('app')!, imageTagMutability: 'MUTABLE' });
    expect(failures(checkDestinationRepositories(t, SAME_ACCOUNT, found, key))).toEqual([
      { check: 'tag-mutability', repository: 'app', status: 'fail', detail: 'app in 111111111111/eu-west-1 has MUTABLE tags, expected IMMUTABLE' },
    ]);
  });
});

describe('repositories adopted in a destination (existing)', () => {
  const t = topology({ repositories: [{ name: 'app', existing: ['source', '111111111111-eu-west-1'], imageTagMutability: 'IMMUTABLE' }] });
  const key = keyIn(SAME_ACCOUNT);
  const theirs = 'arn:aws:kms:eu-west-1:111111111111:key/their-own';

  test('pass with their own KMS key, named in the report', () => {
    const found = new Map([['app', { name: 'app', encryptionType: 'KMS', kmsKey: theirs, imageTagMutability: 'IMMUTABLE' }]]);
    expect(checkDestinationRepositories(t, SAME_ACCOUNT, found, key)).toEqual([
      { check: 'repository', repository: 'app', status: 'pass', detail: 'exists (adopted)' },
      { check: 'encryption', repository: 'app', status: 'pass', detail: `KMS with its own key ${theirs} (adopted)` },
      { check: 'tag-mutability', repository: 'app', status: 'pass', detail: 'IMMUTABLE' },
    ]);
  });

  test('still have to be KMS-encrypted; another tag mutability is only a warning (not managed)', () => {
    const found = new Map([['app', { name: 'app', encryptionType: 'AES256', imageTagMutability: 'MUTABLE' }]]);
    const [encryption, mutability] = failures(checkDestinationRepositories(t, SAME_ACCOUNT, found, key));
    expect(encryption).toMatchObject({ check: 'encryption', status: 'fail' });
    expect(encryption.detail).toBe('app in 111111111111/eu-west-1 is adopted (existing) but encrypted with AES256, not KMS (cannot be changed: recreate it)');
    expect(mutability).toMatchObject({ check: 'tag-mutability', status: 'warn' });
    expect(mutability.fix).toBe('aws ecr put-image-tag-mutability --repository-name app --image-tag-mutability IMMUTABLE --region eu-west-1');
  });

  test('are held to the registry key where they are not adopted', () => {
    const found = new Map([['app', { name: 'app', encryptionType: 'KMS', kmsKey: theirs, imageTagMutability: 'IMMUTABLE' }]]);
    expect(failures(checkDestinationRepositories(t, CROSS_ACCOUNT, found, keyIn(CROSS_ACCOUNT)))[0]).toMatchObject({ check: 'encryption', status: 'fail' });
  });
});

describe('registry policy (cross-account destination)', () => {
  const t = topology({ repositories: [repo('app'), repo('team/api')] });
  const arn = (name: string) => repositoryArn(CROSS_ACCOUNT, name);

  test('a policy naming each repository passes', () => {
    expect(failures(checkRegistryPolicy(t, CROSS_ACCOUNT, policyAllowing(SOURCE.account, [arn('app'), arn('team/api')])))).toEqual([]);
  });

  test('a wildcard resource covers every repository', () => {
    expect(failures(checkRegistryPolicy(t, CROSS_ACCOUNT, policyAllowing(SOURCE.account, 'arn:aws:ecr:eu-central-1:222222222222:repository/*')))).toEqual([]);
    expect(failures(checkRegistryPolicy(t, CROSS_ACCOUNT, policyAllowing(SOURCE.account, '*')))).toEqual([]);
  });

  test('a wildcard that does not match a repository fails it', () => {
    const results = checkRegistryPolicy(t, CROSS_ACCOUNT, policyAllowing(SOURCE.account, 'arn:aws:ecr:eu-central-1:222222222222:repository/team/*'));
    expect(failures(results).map((r) => r.repository)).toEqual(['app']);
  });

  test('ecr:* and the bare account id count', () => {
    const policy = JSON.stringify({ Statement: { Effect: 'Allow', Principal: { AWS: [SOURCE.account] }, Action: 'ecr:*', Resource: '*' } });
    // Every repository may be replicated into; ecr:* also grants CreateRepository, which is drift.
    expect(failures(checkRegistryPolicy(t, CROSS_ACCOUNT, policy)).map((c) => c.repository ?? c.detail)).toEqual([
      expect.stringContaining('grants ecr:CreateRepository in a statement (111111111111: ecr:*)'),
    ]);
  });

  test('a policy for another account fails each repository, naming the source account', () => {
    const [first] = failures(checkRegistryPolicy(t, CROSS_ACCOUNT, policyAllowing('333333333333', '*')));
    expect(first).toEqual({
      check: 'registry-policy',
      repository: 'app',
      status: 'fail',
      detail: 'the registry policy of 222222222222/eu-central-1 does not allow 111111111111 ecr:ReplicateImage on app',
    });
  });

  test('a policy without ecr:ReplicateImage fails', () => {
    const failed = failures(checkRegistryPolicy(t, CROSS_ACCOUNT, policyAllowing(SOURCE.account, '*', 'ecr:CreateRepository')));
    expect(failed.map((c) => c.repository ?? 'scope')).toEqual(['app', 'team/api', 'scope']);
  });

  test('a Deny wins over an Allow', () => {
    const policy = JSON.stringify({
      Statement: [
        { Effect: 'Allow', Principal: { AWS: SOURCE.account }, Action: 'ecr:ReplicateImage', Resource: '*' },
        { Effect: 'Deny', Principal: '*', Action: 'ecr:*', Resource: arn('app') },
      ],
    });
    expect(failures(checkRegistryPolicy(t, CROSS_ACCOUNT, policy)).map((r) => r.repository)).toEqual(['app']);
  });

  test('no policy is one failure for the registry', () => {
    expect(checkRegistryPolicy(t, CROSS_ACCOUNT, undefined)).toEqual([{
      check: 'registry-policy',
      status: 'fail',
      detail: '222222222222/eu-central-1 has no registry policy: the source account 111111111111 cannot replicate into it',
    }]);
  });

  test('a policy that is not JSON fails with the reason', () => {
    expect(checkRegistryPolicy(t, CROSS_ACCOUNT, '{')[0].detail).toMatch(/not JSON/);
  });
});

describe('image replication status', () => {
  const now = new Date('2025-01-01T12:00:00Z');
  const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
  const to = (status: string, failureCode?: string) => ({ region: 'eu-west-1', registryId: '111111111111', status, failureCode });

  test('COMPLETE everywhere passes', () => {
    expect(checkImageReplication('app', [{ digest: 'sha256:aaaa', tags: ['v1'], pushedAt: minutesAgo(5), statuses: [to('COMPLETE')] }], now).status).toBe('pass');
  });

  test('FAILED fails, naming the image and the destination', () => {
    const result = checkImageReplication('app', [
      { digest: 'sha256:0123456789abcdef', tags: ['v2'], pushedAt: minutesAgo(1), statuses: [to('FAILED', 'KMS_ACCESS_DENIED')] },
    ], now);
    expect(result).toEqual({
      check: 'image-replication',
      repository: 'app',
      status: 'fail',
      detail: 'v2 (0123456789ab) FAILED to 111111111111/eu-west-1 (KMS_ACCESS_DENIED)',
    });
  });

  test('IN_PROGRESS is fine when recent, a failure when older than the threshold', () => {
    expect(checkImageReplication('app', [{ digest: 'sha256:a', tags: [], pushedAt: minutesAgo(10), statuses: [to('IN_PROGRESS')] }], now).status).toBe('pass');
    const old = checkImageReplication('app', [{ digest: 'sha256:a', tags: [], pushedAt: minutesAgo(45), statuses: [to('IN_PROGRESS')] }], now);
    expect(old.status).toBe('fail');
    expect(old.detail).toContain('IN_PROGRESS to 111111111111/eu-west-1 for 45 min');
  });

  test('a repository without images passes', () => {
    expect(checkImageReplication('app', [], now).status).toBe('pass');
  });
});

describe('registry policy scope (cross-account destination)', () => {
  const t = topology();
  const arn = `arn:aws:ecr:${CROSS_ACCOUNT.region}:${CROSS_ACCOUNT.account}:repository/*`;
  const scope = (policy: string) => checkRegistryPolicy(t, CROSS_ACCOUNT, policy).filter((c) => c.repository === undefined);

  test('a policy that lets only the source replicate passes', () => {
    expect(scope(policyAllowing(SOURCE.account, arn))).toEqual([
      { check: 'registry-policy', status: 'pass', detail: 'grants nothing beyond replication by 111111111111' },
    ]);
  });

  test('a principal other than the source fails, naming the statement, with what to do', () => {
    const policy = JSON.stringify({
      Statement: [
        { Sid: 'Source', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${SOURCE.account}:root` }, Action: 'ecr:ReplicateImage', Resource: arn },
        { Sid: 'Audit', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444444444444:role/audit' }, Action: ['ecr:ReplicateImage'], Resource: arn },
      ],
    });
    expect(scope(policy)).toEqual([expect.objectContaining({
      status: 'fail',
      detail: 'the registry policy of 222222222222/eu-central-1 grants principals other than the source account 111111111111 '
        + 'in statement "Audit" (arn:aws:iam::444444444444:role/audit: ecr:ReplicateImage)',
      fix: expect.stringContaining('redeploy the destination stage'),
    })]);
  });

  test('a service principal or "*" is another principal too; a Deny statement grants nothing', () => {
    const policy = JSON.stringify({
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 'ecr:BatchGetImage', Resource: arn },
        { Effect: 'Deny', Principal: '*', Action: 'ecr:CreateRepository', Resource: arn },
      ],
    });
    expect(scope(policy).map((c) => c.detail)).toEqual([expect.stringContaining('grants principals other than the source account 111111111111 in a statement (*: ecr:BatchGetImage)')]);
  });
});

describe('creation template (same-account destination)', () => {
  const t = topology();
  const key = keyIn(SAME_ACCOUNT);

  test('deployed only where it can act: same-account destinations that keep the safety net', () => {
    expect(deploysCreationTemplate(SAME_ACCOUNT)).toBe(true);
    expect(deploysCreationTemplate(CROSS_ACCOUNT)).toBe(false);
    expect(deploysCreationTemplate({ ...SAME_ACCOUNT, creationTemplate: false })).toBe(false);
  });

  test('the deployed template passes', () => {
    expect(checkCreationTemplate(t, SAME_ACCOUNT, [goodTemplate(SAME_ACCOUNT)], key))
      .toEqual({ check: 'creation-template', status: 'pass', detail: 'ROOT template encrypts replicated repositories with alias/ecr-kms-replication' });
  });

  test('a missing template fails: replication would create AES-256 repositories', () => {
    expect(checkCreationTemplate(t, SAME_ACCOUNT, [], key)).toEqual(expect.objectContaining({
      status: 'fail',
      detail: '111111111111/eu-west-1 has no ROOT repository creation template: a repository that replication creates here would be encrypted with AES-256',
    }));
  });

  test('a changed template fails with every difference', () => {
    const changed = { ...goodTemplate(SAME_ACCOUNT), appliedFor: ['PULL_THROUGH_CACHE'], kmsKey: 'arn:aws:kms:eu-west-1:111111111111:key/other', customRoleArn: undefined };
    expect(checkCreationTemplate(t, SAME_ACCOUNT, [changed], key).detail).toBe(
      'the ROOT creation template of 111111111111/eu-west-1 applies to PULL_THROUGH_CACHE, not REPLICATION; '
      + `encrypts with arn:aws:kms:eu-west-1:111111111111:key/other, not alias/ecr-kms-replication (${key.keyArn}); `
      + 'has no role to create repositories with (CustomRoleArn)');
    expect(checkCreationTemplate(t, SAME_ACCOUNT, [{ ...goodTemplate(SAME_ACCOUNT), encryptionType: 'AES256', kmsKey: undefined }], key).detail)
      .toContain('encrypts with AES256, not KMS');
  });

  test('a key that cannot be resolved is an error, not a pass', () => {
    expect(checkCreationTemplate(t, SAME_ACCOUNT, [goodTemplate(SAME_ACCOUNT)], { error: 'alias not found' }))
      .toMatchObject({ status: 'error', detail: 'cannot resolve alias/ecr-kms-replication in 111111111111/eu-west-1: alias not found' });
  });
});
