import { importReplication } from '../../src/import/replication';
import { ReplicationRuleData } from '../../src/registry/data';

const EU = { region: 'eu-west-1', registryId: '111111111111' };
const CROSS = { region: 'eu-central-1', registryId: '222222222222' };
const prefix = (...filters: string[]) => filters.map((filter) => ({ filter, filterType: 'PREFIX_MATCH' }));

const NAMES = ['team/web', 'app', 'app-old', 'team/api', 'other'];

describe('importReplication', () => {
  test('filters that are repository names: those repositories (and what they also prefix), every destination, nothing to report', () => {
    const rules: ReplicationRuleData[] = [{ destinations: [EU, CROSS], repositoryFilters: prefix('app', 'team/api') }];
    expect(importReplication(rules, NAMES)).toEqual({
      destinations: [{ account: '111111111111', region: 'eu-west-1' }, { account: '222222222222', region: 'eu-central-1' }],
      repositories: ['app', 'app-old', 'team/api'],
      problems: [],
      namespaces: [],
    });
  });

  test('rules with the same destinations and different filters (the product\'s own rules of 100 filters) add up', () => {
    const rules = [
      { destinations: [EU, CROSS], repositoryFilters: prefix('app') },
      { destinations: [CROSS, EU], repositoryFilters: prefix('other') },
    ];
    const result = importReplication(rules, NAMES);
    expect(result.repositories).toEqual(['app', 'app-old', 'other']);
    expect(result.destinations).toHaveLength(2);
    expect(result.problems).toEqual([]);
  });

  test('a prefix that is no repository name: its repositories are imported by name, and the change for later ones is said', () => {
    const result = importReplication([{ destinations: [EU], repositoryFilters: prefix('team/') }], NAMES);
    expect(result.repositories).toEqual(['team/api', 'team/web']);
    expect(result.problems).toEqual([
      "rule 1: filter 'team/' is a prefix of 2 repositories (team/api, team/web): they are imported by name; "
      + "the namespace team is proposed for them, to review (it also replicates repositories created later under 'team/').",
    ]);
    expect(result.namespaces.map((n) => n.prefix)).toEqual(['team']);
  });

  test('a filter that matches no repository is reported, not dropped silently', () => {
    const result = importReplication([{ destinations: [EU], repositoryFilters: prefix('app', 'legacy/') }], NAMES);
    expect(result.repositories).toEqual(['app', 'app-old']);
    expect(result.problems).toEqual([
      "rule 1: filter 'legacy/' matches no repository of the registry: nothing imported for it (the topology lists repositories, not prefixes).",
    ]);
  });

  test('a rule without filters replicates every repository: all are imported, and the change for later ones is said', () => {
    const result = importReplication([{ destinations: [EU] }], NAMES);
    expect(result.repositories).toEqual(['app', 'app-old', 'other', 'team/api', 'team/web']);
    expect(result.problems).toEqual([
      'rule 1 has no repository filter: it replicates every repository, also those created later. The 5 repositories there now '
      + 'are imported by name; a repository created later is replicated only once it is added to repositories.',
    ]);
  });

  test('different repositories per destination: every destination is kept, and what each would receive in addition is named', () => {
    const rules = [
      { destinations: [EU], repositoryFilters: prefix('app') },
      { destinations: [CROSS], repositoryFilters: prefix('other') },
      { destinations: [CROSS], repositoryFilters: prefix('team/api') },
    ];
    const result = importReplication(rules, NAMES);
    expect(result.destinations).toEqual([{ account: '111111111111', region: 'eu-west-1' }, { account: '222222222222', region: 'eu-central-1' }]);
    expect(result.repositories).toEqual(['app', 'app-old', 'other', 'team/api']);
    expect(result.problems).toEqual([
      'destination 111111111111 eu-west-1 receives 2 of the 4 repositories today (rule 1); the topology replicates every '
      + 'repository to every destination, so it would also receive other, team/api.',
      'destination 222222222222 eu-central-1 receives 2 of the 4 repositories today (rules 2, 3); the topology replicates every '
      + 'repository to every destination, so it would also receive app, app-old.',
    ]);
  });

  test('long lists of names are cut short', () => {
    const names = Array.from({ length: 8 }, (_, i) => `svc/r${i}`);
    const result = importReplication([{ destinations: [EU], repositoryFilters: prefix('svc/') }], names);
    expect(result.problems[0]).toContain('is a prefix of 8 repositories (svc/r0, svc/r1, svc/r2, svc/r3, svc/r4 and 3 more)');
  });

  test('a filter of another type than PREFIX_MATCH is reported and matches nothing', () => {
    const result = importReplication([{ destinations: [EU], repositoryFilters: [{ filter: 'app', filterType: 'WILDCARD' }, ...prefix('other')] }], NAMES);
    expect(result.repositories).toEqual(['other']);
    expect(result.problems).toEqual(["rule 1: filter 'app' is of type WILDCARD, not PREFIX_MATCH: not imported."]);
  });

  test('nothing matched: said, since a topology needs a repository', () => {
    const result = importReplication([{ destinations: [EU], repositoryFilters: prefix('legacy/') }], NAMES);
    expect(result.repositories).toEqual([]);
    expect(result.problems).toContain('no repository of the registry matches the replication rules: repositories is empty, and a topology needs at least one.');
  });
});
