import { missingImages, repositoriesCopiedTo } from '../../src/backfill/compare';
import { ImageSummary } from '../../src/registry/data';
import { CROSS_ACCOUNT, repo, SAME_ACCOUNT, topology } from '../fixtures';

const image = (digest: string, status?: string): ImageSummary => ({ digest: `sha256:${digest}`, tags: [], ...(status ? { status } : {}) });

describe('missingImages', () => {
  test('an archived destination image is there, not missing', () => {
    const source = new Map([['app', [image('a'), image('b')]]]);
    const destination = new Map([['app', [image('a', 'ARCHIVED'), image('b', 'ACTIVATING')]]]);
    expect(missingImages(source, destination)).toEqual([]);
  });

  test('an archived source image is not asked for; an active one is', () => {
    const source = new Map([['app', [image('a', 'ARCHIVED'), image('b', 'ACTIVE')]]]);
    const destination = new Map([['app', [] as ImageSummary[]]]);
    expect(missingImages(source, destination)).toEqual([{ repository: 'app', repositoryMissing: false, images: [image('b', 'ACTIVE')] }]);
  });
});

/** What a backfill copies: every source repository a rule matches, not only the listed ones. */
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
