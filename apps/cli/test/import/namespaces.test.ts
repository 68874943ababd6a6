/** `import` proposes namespaces where a live filter is a prefix of several repositories. */
import { parseTopology } from '@ecr-kms-replication/stacks';
import { importReplication, namespaceOfFilter } from '../../src/import/replication';
import { importedTopologyText, importTopology, PLACEHOLDERS, SourceRegistry } from '../../src/import/topology';
import { RepositoryData } from '../../src/registry/data';

const EU = { region: 'eu-west-1', registryId: '111111111111' };
const CROSS = { region: 'eu-central-1', registryId: '222222222222' };
const prefix = (...filters: string[]) => filters.map((filter) => ({ filter, filterType: 'PREFIX_MATCH' }));
const kms = (name: string, imageTagMutability = 'IMMUTABLE'): RepositoryData => ({ name, encryptionType: 'KMS', imageTagMutability, scanOnPush: true });

describe('proposed namespaces', () => {
  test('a filter is a namespace when it ends at a / boundary for every repository it matches', () => {
    expect(namespaceOfFilter('team/', ['team/a', 'team/b'])).toBe('team');
    expect(namespaceOfFilter('team', ['team/a', 'team/b'])).toBe('team');
    // `shop/api` also matches `shop/api-old`: no namespace covers exactly what it matches.
    expect(namespaceOfFilter('shop/api', ['shop/api', 'shop/api-old'])).toBeUndefined();
    expect(namespaceOfFilter('team-', ['team-a/x', 'team-b/y'])).toBeUndefined();
  });

  test('only filters that are prefixes of several repositories, with the destinations of their rules', () => {
    const rules = [
      { destinations: [EU, CROSS], repositoryFilters: prefix('team-a/', 'app') },
      { destinations: [CROSS], repositoryFilters: prefix('team-b', 'one/') },
    ];
    const names = ['team-a/web', 'team-a/api', 'team-b/job', 'team-b/cron', 'app', 'one/only'];
    expect(importReplication(rules, names).namespaces).toEqual([
      { prefix: 'team-a', filter: 'team-a/', rule: 1, destinations: [{ account: '111111111111', region: 'eu-west-1' }, { account: '222222222222', region: 'eu-central-1' }], repositories: ['team-a/api', 'team-a/web'] },
      { prefix: 'team-b', filter: 'team-b', rule: 2, destinations: [{ account: '222222222222', region: 'eu-central-1' }], repositories: ['team-b/cron', 'team-b/job'] },
    ]);
  });

  test('not proposed over repositories whose tag mutability differs (a namespace gives them all one): said why', () => {
    const result = importReplication([{ destinations: [EU], repositoryFilters: prefix('team/') }], ['team/a', 'team/b'], (name) => (name === 'team/a' ? 'MUTABLE' : 'IMMUTABLE_WITH_EXCLUSION'));
    expect(result.namespaces).toEqual([]);
    expect(result.problems[0]).toBe("rule 1: filter 'team/' is not proposed as the namespace team: its repositories differ in tag mutability (MUTABLE, IMMUTABLE), which a namespace gives them all.");
  });

  test('written as namespaces: entries, routed and with shared settings, commented for review; the repositories stay listed', () => {
    const registry: SourceRegistry = {
      account: '111111111111',
      region: 'us-east-1',
      rules: [
        { destinations: [EU, CROSS], repositoryFilters: prefix('team-a/') },
        { destinations: [CROSS], repositoryFilters: prefix('team-b/') },
      ],
      repositories: [kms('team-a/web', 'MUTABLE'), kms('team-a/api', 'MUTABLE'), kms('team-b/job'), kms('team-b/cron')],
      lifecyclePolicies: new Map(),
    };
    const imported = importTopology(registry);
    expect(imported.data.namespaces).toEqual([
      { prefix: 'team-a', imageTagMutability: 'MUTABLE' },
      { prefix: 'team-b', destinations: ['222222222222-eu-central-1'] },
    ]);
    expect(imported.summary).toMatchObject({ repositories: 4, namespaces: 2 });
    const text = importedTopologyText(imported);
    expect(text).toMatch(/# Proposed by the import, to review: each live filter below is a prefix of several repositories/);
    expect(text).toMatch(/- prefix: team-a # review: from rule 1 filter 'team-a\/', covers 2 repositories today/);
    expect(text).toMatch(/- prefix: team-b # review: from rule 2 filter 'team-b\/', covers 2 repositories today/);
    expect(text.indexOf('namespaces:')).toBeLessThan(text.indexOf('repositories:'));
    expect(text).toContain('name: team-a/web');
    // Listed repositories under a routed namespace are routed like it.
    expect(imported.data.repositories).toEqual(expect.arrayContaining([{ name: 'team-b/job', existing: true, destinations: ['222222222222-eu-central-1'] }]));
    // Valid once the placeholders are filled in: the namespaces and the repositories under them agree.
    expect(imported.problems.filter((p) => p.startsWith('validate will refuse'))).toEqual([]);
    const model = parseTopology(text
      .replace(PLACEHOLDERS.connectionArn, 'arn:aws:codeconnections:us-east-1:333333333333:connection/00000000-0000-0000-0000-000000000000')
      .replace(PLACEHOLDERS.repository, 'my-org/ecr-kms-replication'), 'the imported topology');
    expect(model.namespaces.map((n) => `${n.prefix} ${n.imageTagMutability} ${n.destinations.join(',')}`)).toEqual([
      'team-a MUTABLE 111111111111-eu-west-1,222222222222-eu-central-1', 'team-b IMMUTABLE 222222222222-eu-central-1',
    ]);
    expect(imported.problems).toContain('rule 2: filter \'team-b/\' is a prefix of 2 repositories (team-b/cron, team-b/job): they are imported by name; '
      + 'the namespace team-b is proposed for them, to review (it also replicates repositories created later under \'team-b/\').');
  });
});
