import { callerAccountOf, CallerIdentityError, forEachRegistry, LOOKUP_ROLE_NAME, roleArnFor, roleFor } from '../../src/registry/access';
import { fakeReaders, goodRegistries, topology } from '../fixtures';

const PIPELINE_ACCOUNT = '333333333333';

describe('role choice', () => {
  const own = { account: PIPELINE_ACCOUNT, region: 'eu-west-1' };
  const other = { account: '222222222222', region: 'eu-central-1' };

  test('other-accounts (a person at a terminal): the current credentials in their own account, the role elsewhere', () => {
    const options = { assumeRole: 'other-accounts', roleName: LOOKUP_ROLE_NAME } as const;
    expect(roleFor(own, PIPELINE_ACCOUNT, options)).toBeUndefined();
    expect(roleFor(other, PIPELINE_ACCOUNT, options)).toBe('arn:aws:iam::222222222222:role/cdk-hnb659fds-lookup-role-222222222222-eu-central-1');
  });

  test('always (the pipeline\'s CodeBuild role, which has no ECR or KMS rights): the role in its own account too', () => {
    const options = { assumeRole: 'always', roleName: LOOKUP_ROLE_NAME } as const;
    expect(roleFor(own, PIPELINE_ACCOUNT, options)).toBe('arn:aws:iam::333333333333:role/cdk-hnb659fds-lookup-role-333333333333-eu-west-1');
    expect(roleFor(other, PIPELINE_ACCOUNT, options)).toBe('arn:aws:iam::222222222222:role/cdk-hnb659fds-lookup-role-222222222222-eu-central-1');
  });

  test('never: the current credentials everywhere', () => {
    const options = { assumeRole: 'never', roleName: LOOKUP_ROLE_NAME } as const;
    expect(roleFor(own, PIPELINE_ACCOUNT, options)).toBeUndefined();
    expect(roleFor(other, PIPELINE_ACCOUNT, options)).toBeUndefined();
  });

  test('roleArnFor fills the template, keeps full ARNs and knows the partitions', () => {
    expect(roleArnFor(LOOKUP_ROLE_NAME, { account: '333333333333', region: 'cn-north-1' }))
      .toBe('arn:aws-cn:iam::333333333333:role/cdk-hnb659fds-lookup-role-333333333333-cn-north-1');
    expect(roleArnFor('reader', { account: '333333333333', region: 'us-gov-west-1' })).toBe('arn:aws-us-gov:iam::333333333333:role/reader');
    expect(roleArnFor('arn:aws:iam::{account}:role/audit', { account: '222222222222', region: 'eu-west-1' })).toBe('arn:aws:iam::222222222222:role/audit');
  });
});

describe('forEachRegistry', () => {
  const t = topology();
  const environments = [t.source, ...t.destinations];

  test('asks who the caller is once, then opens each environment with its role, in order', async () => {
    const { readerFor, roles } = fakeReaders(goodRegistries(t));
    const seen = await forEachRegistry(environments, { assumeRole: 'always', roleName: 'reader', stsRegion: 'us-east-1', concurrency: 2, readerFor },
      async (registry) => `${registry.env.id} ${registry.role} ${'arn' in registry.identity ? 'ok' : registry.identity.error}`);
    expect(seen).toEqual([
      '111111111111-us-east-1 arn:aws:iam::111111111111:role/reader ok',
      '111111111111-eu-west-1 arn:aws:iam::111111111111:role/reader ok',
      '222222222222-eu-central-1 arn:aws:iam::222222222222:role/reader ok',
    ]);
    expect(roles).toEqual(seen.map((line) => line.split(' ')[1]));
  });

  test('credentials that cannot be used stop everything with one message', async () => {
    const readerFor = () => ({
      callerArn: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5999'), { code: 'ECONNREFUSED' })),
    }) as never;
    const options = { assumeRole: 'other-accounts', roleName: 'reader', stsRegion: 'us-east-1', readerFor } as const;
    await expect(callerAccountOf(options)).rejects.toBeInstanceOf(CallerIdentityError);
    await expect(forEachRegistry(environments, { ...options, concurrency: 1 }, async () => 1)).rejects.toThrow(/cannot reach/);
  });
});
