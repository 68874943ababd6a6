/**
 * `preflight` with namespaces: foreign creation templates that overlap what
 * the topology manages, `ecr:CreateRepository` grants, and what the rules
 * would replicate unmanaged, before the first deploy.
 */
import { checkRegistryPolicy, Ownership } from '../../src/preflight/checks';
import { checkForeignTemplates } from '../../src/preflight/namespaces';
import { preflightTopology } from '../../src/preflight/preflight';
import { LOOKUP_ROLE_NAME } from '../../src/registry/access';
import { RegistryReader } from '../../src/registry/reader';
import { CROSS_ACCOUNT, fakeReaders, FakeRegistry, goodTemplate, namespaceTemplate, repo, SAME_ACCOUNT, SOURCE, topology, withNamespaces } from '../fixtures';

const t = withNamespaces(topology({ repositories: [repo('shop/api')] }), [{ prefix: 'team-a' }, { prefix: 'team-b', destinations: [CROSS_ACCOUNT.id] }]);
const options = (readerFor: (o: { account: string; region: string; roleArn?: string }) => RegistryReader) => ({
  assumeRole: 'other-accounts' as const, roleName: LOOKUP_ROLE_NAME, concurrency: 2, stsRegion: 'us-east-1', readerFor,
});
const none: Ownership = { repositoriesStacks: [] };
/** A registry stack of ours that holds the team-a template. */
const ownsTeamA: Ownership = {
  repositoriesStacks: [],
  registryStack: {
    name: 'EcrReplication-Registry',
    status: 'CREATE_COMPLETE',
    resources: [{ logicalId: 'TeamA', type: 'AWS::ECR::RepositoryCreationTemplate', physicalId: 'team-a', status: 'CREATE_COMPLETE' }],
  },
};

describe('foreign creation templates', () => {
  test('one with a namespace\'s prefix blocks; one inside a namespace or over a listed repository is a warning; ours and unrelated ones are fine', () => {
    const foreign = (prefix: string) => ({ ...namespaceTemplate(CROSS_ACCOUNT, prefix, 'REPLICATION'), encryptionType: 'AES256', kmsKey: undefined });
    const results = checkForeignTemplates(t, CROSS_ACCOUNT, [foreign('team-b'), foreign('team-a/legacy'), foreign('shop'), foreign('other'), foreign('team-a')], ownsTeamA, false);
    expect(results.map((r) => `${r.status}: ${r.detail}`)).toEqual([
      'fail: 222222222222/eu-central-1 already has a team-b creation template that this deployment did not make (applies to REPLICATION, encrypts with AES-256): '
        + 'the destination stage creates the template of the namespace team-b and would fail with AlreadyExists',
      expect.stringMatching(/^warn: 222222222222\/eu-central-1 has a team-a\/legacy creation template .* which overlaps namespace team-a: /),
      expect.stringMatching(/^warn: .* has a shop creation template .* which overlaps repository shop\/api: /),
    ]);
    expect(results[0].fix).toBe('delete it just before the destination stage is deployed: aws ecr delete-repository-creation-template --prefix team-b --region eu-central-1');
  });

  test('ROOT is reported here unless the safety-net check already covers it', () => {
    const root = goodTemplate(SAME_ACCOUNT);
    expect(checkForeignTemplates(t, SAME_ACCOUNT, [root], none, true)).toEqual([expect.objectContaining({ status: 'pass' })]);
    expect(checkForeignTemplates(t, SOURCE, [root], none, false)).toEqual([expect.objectContaining({ status: 'warn', detail: expect.stringContaining('a ROOT creation template') })]);
  });

  test('templates that cannot be read: an error where namespaces need them, a warning elsewhere', () => {
    expect(checkForeignTemplates(t, SAME_ACCOUNT, { error: 'HTTP 500' }, none, true)[0].status).toBe('error');
    expect(checkForeignTemplates(topology(), SAME_ACCOUNT, { error: 'HTTP 500' }, none, true)[0].status).toBe('warn');
  });
});

describe('ecr:CreateRepository before the first deploy', () => {
  const policy = (resources: string[]) => JSON.stringify({
    Statement: [{ Sid: 'Create', Effect: 'Allow', Principal: { AWS: '111111111111' }, Action: ['ecr:ReplicateImage', 'ecr:CreateRepository'], Resource: resources }],
  });
  const arn = (name: string) => `arn:aws:ecr:eu-central-1:222222222222:repository/${name}`;

  test('on a routed namespace whose template is ours: no warning; without our template or beyond: a warning naming the resources', () => {
    const warnings = (text: string, ownership: Ownership) => checkRegistryPolicy(t, CROSS_ACCOUNT, text, ownership)
      .filter((r) => r.status === 'warn').map((r) => r.detail);
    expect(warnings(policy([arn('team-a/*')]), ownsTeamA)).toEqual([]);
    expect(warnings(policy([arn('team-a/*'), arn('team-b/*'), arn('*')]), ownsTeamA)).toEqual([
      expect.stringContaining(`on ${arn('*')}, ${arn('team-b/*')}: replication may create missing repositories there`),
    ]);
  });
});

describe('preflightTopology with namespaces', () => {
  test('shop/api-old next to a listed shop/api is named as replicated but unmanaged (a warning: it does not block)', async () => {
    const registries: Record<string, FakeRegistry> = Object.fromEntries([t.source, ...t.destinations]
      .map((env) => [env.id, { account: env.account, templates: [] }]));
    registries[SOURCE.id].repositories = new Map([['shop/api-old', { name: 'shop/api-old', encryptionType: 'AES256' }]]);
    const report = await preflightTopology(t, options(fakeReaders(registries).readerFor));
    const rows = report.environments.flatMap((e) => e.checks.filter((c) => c.status !== 'pass').map((c) => ({ env: e.id, ...c })));
    expect(rows).toEqual([expect.objectContaining({ env: SOURCE.id, check: 'unmanaged', repository: 'shop/api-old', status: 'warn' })]);
    expect(rows[0].detail).toContain('matched by the topology\'s rule 1 filter \'shop/api\'');
    expect(report.ok).toBe(true);
  });
});
