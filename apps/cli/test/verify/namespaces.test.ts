/**
 * `verify` with namespaces: every repository under a namespace in the source
 * and each routed destination, the template of each prefix, the
 * `ecr:CreateRepository` grants, and what replicates unmanaged.
 */
import { TopologyModel } from '@ecr-kms-replication/stacks';
import { LOOKUP_ROLE_NAME } from '../../src/registry/access';
import { RepositoryData } from '../../src/registry/data';
import { VerifyReport } from '../../src/report/result';
import { checkRegistryPolicy } from '../../src/verify/checks';
import { checkNamespaceReplication, checkNamespaceRepositories, checkNamespaceTemplates, checkUnmanaged } from '../../src/verify/namespaces';
import { verifyTopology, VerifyOptions } from '../../src/verify/verify';
import {
  CROSS_ACCOUNT,
  fakeReaders,
  FakeRegistry,
  goodRegistries,
  goodTemplate,
  keyIn,
  namespaceTemplate,
  policyAllowing,
  repo,
  SAME_ACCOUNT,
  SOURCE,
  topology,
  withNamespaces,
} from '../fixtures';

const options = (readerFor: VerifyOptions['readerFor']): VerifyOptions => ({
  assumeRole: 'other-accounts', roleName: LOOKUP_ROLE_NAME, concurrency: 2, stsRegion: 'us-east-1', readerFor,
});

/** shop/api listed; team-a everywhere (MUTABLE), team-b to the cross-account destination only. */
const t: TopologyModel = withNamespaces(topology({ repositories: [repo('shop/api')] }), [
  { prefix: 'team-a', imageTagMutability: 'MUTABLE' },
  { prefix: 'team-b', destinations: [CROSS_ACCOUNT.id] },
]);

const kms = (env: { account: string; region: string }, name: string, imageTagMutability = 'MUTABLE'): RepositoryData =>
  ({ name, encryptionType: 'KMS', kmsKey: keyIn(env).keyArn, imageTagMutability });

const crossPolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Replication',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111111111111:root' },
      Action: 'ecr:ReplicateImage',
      Resource: ['arn:aws:ecr:eu-central-1:222222222222:repository/shop/api', 'arn:aws:ecr:eu-central-1:222222222222:repository/team-a/*',
        'arn:aws:ecr:eu-central-1:222222222222:repository/team-b/*'],
    },
    {
      Sid: 'NamespaceCreation',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111111111111:root' },
      Action: 'ecr:CreateRepository',
      Resource: ['arn:aws:ecr:eu-central-1:222222222222:repository/team-a/*', 'arn:aws:ecr:eu-central-1:222222222222:repository/team-b/*'],
    },
  ],
});

/** A correct deployment of `t`, with a repository under team-a in every registry and one under team-b where it is routed. */
function deployed(): Record<string, FakeRegistry> {
  const regs = goodRegistries(t);
  regs[SOURCE.id].key = keyIn(SOURCE);
  regs[SOURCE.id].rules = [
    { destinations: [SAME_ACCOUNT, CROSS_ACCOUNT].map((d) => ({ region: d.region, registryId: d.account })), repositoryFilters: [{ filter: 'shop/api', filterType: 'PREFIX_MATCH' }, { filter: 'team-a/', filterType: 'PREFIX_MATCH' }] },
    { destinations: [{ region: CROSS_ACCOUNT.region, registryId: CROSS_ACCOUNT.account }], repositoryFilters: [{ filter: 'team-b/', filterType: 'PREFIX_MATCH' }] },
  ];
  regs[SOURCE.id].templates = [namespaceTemplate(SOURCE, 'team-a', 'CREATE_ON_PUSH', 'MUTABLE'), namespaceTemplate(SOURCE, 'team-b', 'CREATE_ON_PUSH')];
  regs[SAME_ACCOUNT.id].templates = [goodTemplate(SAME_ACCOUNT), namespaceTemplate(SAME_ACCOUNT, 'team-a', 'REPLICATION', 'MUTABLE')];
  regs[CROSS_ACCOUNT.id].templates = [namespaceTemplate(CROSS_ACCOUNT, 'team-a', 'REPLICATION', 'MUTABLE'), namespaceTemplate(CROSS_ACCOUNT, 'team-b', 'REPLICATION')];
  regs[CROSS_ACCOUNT.id].policy = crossPolicy;
  for (const env of [SOURCE, SAME_ACCOUNT, CROSS_ACCOUNT]) regs[env.id].repositories!.set('team-a/web', kms(env, 'team-a/web'));
  for (const env of [SOURCE, CROSS_ACCOUNT]) regs[env.id].repositories!.set('team-b/job', kms(env, 'team-b/job', 'IMMUTABLE'));
  return regs;
}

const problems = (report: VerifyReport) => report.environments.flatMap((e) => e.checks
  .filter((c) => c.status !== 'pass').map((c) => ({ env: e.id, ...c })));

describe('verify with namespaces', () => {
  test('a correct deployment passes: namespace repositories, templates, grants and replication', async () => {
    const report = await verifyTopology(t, options(fakeReaders(deployed()).readerFor));
    expect(problems(report)).toEqual([]);
    const rows = (id: string) => report.environments.find((e) => e.id === id)!.checks.map((c) => `${c.check} ${c.repository ?? ''}`.trim());
    expect(rows(SOURCE.id)).toEqual(expect.arrayContaining([
      'replication team-a/*', 'replication team-b/*', 'namespace team-a/*', 'namespace team-b/*', 'creation-template team-a/*', 'creation-template team-b/*', 'unmanaged',
    ]));
    // team-b is not routed to the same-account destination: nothing of it is read there.
    expect(rows(SAME_ACCOUNT.id).filter((r) => r.includes('team-b'))).toEqual([]);
    expect(rows(CROSS_ACCOUNT.id)).toEqual(expect.arrayContaining(['registry-policy team-a/*', 'registry-policy team-b/*']));
    const grants = report.environments[2].checks.filter((c) => c.detail.startsWith('grants ecr:CreateRepository'));
    expect(grants.map((g) => g.detail)).toEqual([
      'grants ecr:CreateRepository on arn:aws:ecr:eu-central-1:222222222222:repository/team-a/* (namespace team-a, template present)',
      'grants ecr:CreateRepository on arn:aws:ecr:eu-central-1:222222222222:repository/team-b/* (namespace team-b, template present)',
    ]);
    expect(report.ok).toBe(true);
  });

  test('an AES-256 repository under a namespace in a destination is named, with its registry and the fix', async () => {
    const regs = deployed();
    regs[CROSS_ACCOUNT.id].repositories!.set('team-a/old', { name: 'team-a/old', encryptionType: 'AES256', imageTagMutability: 'MUTABLE' });
    const report = await verifyTopology(t, options(fakeReaders(regs).readerFor));
    expect(report.ok).toBe(false);
    expect(problems(report)).toEqual([{
      env: CROSS_ACCOUNT.id,
      check: 'encryption',
      repository: 'team-a/old',
      status: 'fail',
      detail: 'team-a/old (namespace team-a) in 222222222222/eu-central-1 is encrypted with AES256, not KMS with alias/ecr-kms-replication (cannot be changed)',
      fix: expect.stringContaining('aws ecr delete-repository --repository-name team-a/old --registry-id 222222222222 --region eu-central-1 --force); '
        + 'the next replication creates it again through the team-a creation template'),
    }]);
    expect(report.environments[2].checks.find((c) => c.check === 'namespace' && c.repository === 'team-a/*')?.detail)
      .toBe('1 of 2 repositories under team-a/ encrypted with alias/ecr-kms-replication, MUTABLE tags');
  });

  test('a source repository next to a listed one, matched by its filter, is replicated but unmanaged', async () => {
    const regs = deployed();
    regs[SOURCE.id].repositories!.set('shop/api-old', kms(SOURCE, 'shop/api-old'));
    const report = await verifyTopology(t, options(fakeReaders(regs).readerFor));
    const [problem, ...rest] = problems(report);
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ env: SOURCE.id, check: 'unmanaged', repository: 'shop/api-old', status: 'fail' });
    expect(problem.detail).toContain('matched by the replication configuration\'s rule 1 filter \'shop/api\', the topology\'s rule 1 filter \'shop/api\'');
    expect(problem.detail).toContain('222222222222/eu-central-1: refused unless shop/api-old exists there');
  });

  test('a template that is not the deployed one, or absent, fails; templates that cannot be read are an error, not a pass', () => {
    const key = keyIn(SAME_ACCOUNT);
    const wrong = { ...namespaceTemplate(SAME_ACCOUNT, 'team-a', 'REPLICATION', 'IMMUTABLE'), appliedFor: ['PULL_THROUGH_CACHE'], kmsKey: 'arn:aws:kms:eu-west-1:111111111111:key/other', customRoleArn: undefined };
    expect(checkNamespaceTemplates(t, SAME_ACCOUNT, [wrong], key)).toEqual([expect.objectContaining({
      status: 'fail',
      detail: 'the team-a creation template of 111111111111/eu-west-1 applies to PULL_THROUGH_CACHE, not REPLICATION; encrypts with '
        + 'arn:aws:kms:eu-west-1:111111111111:key/other, not alias/ecr-kms-replication (arn:aws:kms:eu-west-1:111111111111:key/key-111111111111-eu-west-1); '
        + 'gives IMMUTABLE tags, not MUTABLE; has no role to create repositories with (CustomRoleArn)',
    })]);
    expect(checkNamespaceTemplates(t, SOURCE, [], keyIn(SOURCE)).map((r) => r.detail)).toEqual([
      '111111111111/us-east-1 has no creation template for the namespace team-a: a repository created by a push under team-a/ would be encrypted with AES-256',
      '111111111111/us-east-1 has no creation template for the namespace team-b: a repository created by a push under team-b/ would be encrypted with AES-256',
    ]);
    expect(checkNamespaceTemplates(t, SAME_ACCOUNT, { error: 'unreadable answer (HTTP 500)' }, key)).toEqual([{
      check: 'creation-template',
      status: 'error',
      detail: 'the creation templates of 111111111111/eu-west-1 cannot be read, so the 1 namespace template(s) (team-a) are not checked: unreadable answer (HTTP 500)',
    }]);
  });

  test('a repository under a namespace with another key fails; other tag mutability is a warning with the command', () => {
    const results = checkNamespaceRepositories(t, SAME_ACCOUNT, [
      { name: 'team-a/x', encryptionType: 'KMS', kmsKey: 'arn:aws:kms:eu-west-1:111111111111:key/other', imageTagMutability: 'MUTABLE' },
      { name: 'team-a/y', encryptionType: 'KMS', kmsKey: keyIn(SAME_ACCOUNT).keyArn, imageTagMutability: 'IMMUTABLE' },
      { name: 'team-b/z', encryptionType: 'AES256' },
    ], keyIn(SAME_ACCOUNT));
    expect(results.map((r) => `${r.status} ${r.check} ${r.repository}`)).toEqual([
      'fail encryption team-a/x', 'warn tag-mutability team-a/y', 'pass namespace team-a/*',
    ]);
    expect(results[1].fix).toBe('aws ecr put-image-tag-mutability --repository-name team-a/y --image-tag-mutability MUTABLE --registry-id 111111111111 --region eu-west-1');
  });

  test('a namespace the rules do not send to a routed destination fails at the source', () => {
    const rules = [{ destinations: [{ region: SAME_ACCOUNT.region, registryId: SAME_ACCOUNT.account }], repositoryFilters: [{ filter: 'team-', filterType: 'PREFIX_MATCH' }] }];
    expect(checkNamespaceReplication(t, rules).map((r) => `${r.status} ${r.detail}`)).toEqual([
      'fail no replication rule sends the namespace team-a (filter team-a/) to 222222222222/eu-central-1',
      'fail no replication rule sends the namespace team-b (filter team-b/) to 222222222222/eu-central-1',
    ]);
  });

  test('ecr:CreateRepository: correct on a routed namespace whose template exists; drift without the template or beyond', () => {
    const templates = [namespaceTemplate(CROSS_ACCOUNT, 'team-a', 'REPLICATION', 'MUTABLE')];
    const results = checkRegistryPolicy(t, CROSS_ACCOUNT, crossPolicy, templates);
    expect(results.filter((r) => r.status !== 'pass').map((r) => r.detail)).toEqual([
      'the registry policy of 222222222222/eu-central-1 grants ecr:CreateRepository on arn:aws:ecr:eu-central-1:222222222222:repository/team-b/* '
        + 'but there is no team-b creation template: replication creates repositories of the namespace with AES-256',
    ]);
    expect(results.filter((r) => r.status === 'pass').map((r) => r.detail)).toContain(
      'grants ecr:CreateRepository on arn:aws:ecr:eu-central-1:222222222222:repository/team-a/* (namespace team-a, template present)');
    const wide = policyAllowing('111111111111', 'arn:aws:ecr:eu-central-1:222222222222:repository/*', ['ecr:ReplicateImage', 'ecr:CreateRepository']);
    const drift = checkRegistryPolicy(t, CROSS_ACCOUNT, wide, templates).filter((r) => r.status === 'fail');
    expect(drift).toEqual([expect.objectContaining({
      detail: expect.stringContaining('grants ecr:CreateRepository in statement "Replication" (arn:aws:iam::111111111111:root: ecr:ReplicateImage, ecr:CreateRepository) '
        + 'on arn:aws:ecr:eu-central-1:222222222222:repository/*, beyond the namespaces routed here'),
    })]);
    // Without namespaces, any grant is drift, as before.
    expect(checkRegistryPolicy(topology(), CROSS_ACCOUNT, wide).filter((r) => r.status === 'fail')).toHaveLength(1);
  });

  test('nothing unmanaged: one pass row', () => {
    expect(checkUnmanaged(t, ['shop/api', 'team-a/x'], [])).toEqual([{
      check: 'unmanaged', status: 'pass', detail: 'no repository of 111111111111/us-east-1 replicates without the topology listing or covering it',
    }]);
  });
});
