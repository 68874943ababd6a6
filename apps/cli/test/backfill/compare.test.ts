/** What a backfill copies: every source repository a rule matches, not only the listed ones. */
import { repositoriesCopiedTo } from '../../src/backfill/compare';
import { CROSS_ACCOUNT, repo, SAME_ACCOUNT, topology } from '../fixtures';

describe('repositoriesCopiedTo', () => {
  const base = topology({ repositories: [repo('shop/api'), repo('shared/base')] });
  const t = { ...base, repositories: base.repositories.map((r) => (r.name === 'shared/base' ? { ...r, destinations: [SAME_ACCOUNT.id] } : r)) };
  const to = (...envs: { account: string; region: string }[]) => envs.map((e) => ({ region: e.region, registryId: e.account }));
  const rules = [
    { destinations: to(SAME_ACCOUNT, CROSS_ACCOUNT), repositoryFilters: [{ filter: 'shop/api', filterType: 'PREFIX_MATCH' }, { filter: 'team-a/', filterType: 'PREFIX_MATCH' }] },
    { destinations: to(SAME_ACCOUNT), repositoryFilters: [{ filter: 'shared/base', filterType: 'PREFIX_MATCH' }] },
  ];
  const source = ['team-a/x', 'shop/api-old', 'shop/api', 'shared/base', 'team-ab/y', 'other'];

  test('listed repositories routed there, then every source repository a rule to it matches (namespaces, longer names), by name', () => {
    expect(repositoriesCopiedTo(t, rules, source, SAME_ACCOUNT)).toEqual(['shop/api', 'shared/base', 'shop/api-old', 'team-a/x']);
    expect(repositoriesCopiedTo(t, rules, source, CROSS_ACCOUNT)).toEqual(['shop/api', 'shop/api-old', 'team-a/x']);
  });

  test('a rule without filters copies every source repository', () => {
    expect(repositoriesCopiedTo(t, [{ destinations: to(CROSS_ACCOUNT) }], ['b', 'a'], CROSS_ACCOUNT)).toEqual(['shop/api', 'a', 'b']);
  });
});
