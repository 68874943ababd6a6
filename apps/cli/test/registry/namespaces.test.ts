/**
 * What the read side knows about namespaces and routing: the rules a topology
 * deploys, what they match, what replicates unmanaged and what ECR does with
 * it, where `ecr:CreateRepository` may be granted, which templates overlap.
 */
import {
  describeUnmanaged,
  expectedTemplates,
  namespaceRepositoriesArn,
  replicatedBy,
  replicatedButUnmanaged,
  sortCreateRepositoryGrants,
  templateOverlaps,
  topologyReplicationRules,
} from '../../src/registry/namespaces';
import { grantsBeyondReplication, parsePolicy } from '../../src/registry/policy';
import { CROSS_ACCOUNT, repo, SAME_ACCOUNT, SOURCE, topology, withNamespaces } from '../fixtures';

const base = topology({ repositories: [repo('shop/api'), repo('shared/base')] });
/** shop/api everywhere, shared/base only to the same-account destination; team-a everywhere, team-b cross-account only. */
const t = withNamespaces({
  ...base,
  repositories: base.repositories.map((r) => (r.name === 'shared/base' ? { ...r, destinations: [SAME_ACCOUNT.id] } : r)),
}, [{ prefix: 'team-a' }, { prefix: 'team-b', destinations: [CROSS_ACCOUNT.id] }]);

const to = (...envs: { account: string; region: string }[]) => envs.map((e) => ({ region: e.region, registryId: e.account }));
const filters = (...names: string[]) => names.map((filter) => ({ filter, filterType: 'PREFIX_MATCH' }));

describe('the rules a topology deploys', () => {
  test('the stacks model\'s rules: namespaces as <prefix>/, listed names as they are, one rule per identical destination set', () => {
    expect(topologyReplicationRules(t)).toEqual([
      { destinations: to(SAME_ACCOUNT, CROSS_ACCOUNT), repositoryFilters: filters('team-a/', 'shop/api') },
      { destinations: to(CROSS_ACCOUNT), repositoryFilters: filters('team-b/') },
      { destinations: to(SAME_ACCOUNT), repositoryFilters: filters('shared/base') },
    ]);
  });

  test('a namespace filter never matches the namespace name itself nor a longer first segment', () => {
    expect(replicatedBy(topologyReplicationRules(t), ['team-a', 'team-a/x', 'team-ab/x', 'shop/api-old', 'other'])).toEqual(['team-a/x', 'shop/api-old']);
  });
});

describe('replicated but unmanaged', () => {
  test('shop/api-old next to a listed shop/api: the topology\'s filter, and what ECR does in each destination', () => {
    const [unmanaged, ...rest] = replicatedButUnmanaged(t, ['shop/api', 'shop/api-old', 'team-a/x', 'unrelated']);
    expect(rest).toEqual([]);
    expect(unmanaged.repository).toBe('shop/api-old');
    expect(unmanaged.matches).toEqual([{ origin: 'topology', rule: 1, filter: 'shop/api', destinations: [SAME_ACCOUNT, CROSS_ACCOUNT].map(({ account, region }) => ({ account, region })) }]);
    // The fixture's same-account destination has the ROOT creation template (the default).
    expect(unmanaged.outcomes.map((o) => o.outcome)).toEqual(['created-root-template', 'refused']);
    expect(unmanaged.outcomes[1].detail).toContain('every push is a failed replication, and a backfill to it counts each of its images as failed');
  });

  test('the live configuration too: a rule without filters, to a registry outside the topology; same-account without a template is AES-256', () => {
    const noTemplate = { ...t, destinations: t.destinations.map((d) => (d.id === SAME_ACCOUNT.id ? { ...d, creationTemplate: false } : d)) };
    const live = [{ destinations: [{ region: 'ap-south-1', registryId: '444444444444' }, ...to(SAME_ACCOUNT)] }];
    const [unmanaged] = replicatedButUnmanaged(noTemplate, ['legacy'], live);
    expect(unmanaged.matches).toEqual([expect.objectContaining({ origin: 'live', rule: 1, filter: '' })]);
    expect(unmanaged.outcomes.map((o) => o.outcome)).toEqual(['not-in-topology', 'created-aes256']);
    const { detail, fix } = describeUnmanaged(SOURCE.id, unmanaged);
    expect(detail).toContain('legacy in the source 111111111111-us-east-1 is replicated but not managed');
    expect(detail).toContain('the replication configuration\'s rule 1 without filter (every repository)');
    expect(detail).toContain('111111111111/eu-west-1: created by replication, encrypted with AES-256 unless a creation template matches it');
    expect(fix).toContain('list legacy in repositories (existing: true) or cover it with a namespace');
  });

  test('listed and covered repositories are managed', () => {
    expect(replicatedButUnmanaged(t, ['shop/api', 'team-a/x', 'team-b/y/z'], [{ destinations: to(CROSS_ACCOUNT) }])).toEqual([]);
  });
});

describe('creation templates and ecr:CreateRepository', () => {
  test('the source gets a CREATE_ON_PUSH template for every namespace, a destination a REPLICATION one for each routed there', () => {
    expect(expectedTemplates(t, SOURCE.id).map((x) => `${x.prefix} ${x.appliedFor}`)).toEqual([
      'team-a CREATE_ON_PUSH,PULL_THROUGH_CACHE', 'team-b CREATE_ON_PUSH,PULL_THROUGH_CACHE',
    ]);
    expect(expectedTemplates(t, SAME_ACCOUNT.id).map((x) => `${x.prefix} ${x.appliedFor}`)).toEqual(['team-a REPLICATION']);
    expect(expectedTemplates(t, CROSS_ACCOUNT.id).map((x) => x.prefix)).toEqual(['team-a', 'team-b']);
  });

  test('a CreateRepository grant is correct exactly on repository/<routed namespace>/*', () => {
    const arn = (name: string) => `arn:aws:ecr:eu-central-1:222222222222:repository/${name}`;
    expect(namespaceRepositoriesArn(CROSS_ACCOUNT, 'team-a')).toBe(arn('team-a/*'));
    const policy = parsePolicy(JSON.stringify({
      Statement: [
        { Sid: 'Namespaces', Effect: 'Allow', Principal: { AWS: '111111111111' }, Action: ['ecr:ReplicateImage', 'ecr:CreateRepository'], Resource: [arn('team-a/*'), arn('team-b/*')] },
        { Sid: 'Wide', Effect: 'Allow', Principal: { AWS: '111111111111' }, Action: 'ecr:*', Resource: [arn('*'), arn('team-a*'), arn('team-c/*')] },
      ],
    }));
    const sorted = sortCreateRepositoryGrants(t, CROSS_ACCOUNT, grantsBeyondReplication(policy, '111111111111').createRepository);
    expect(sorted.map((s) => ({ sid: s.grant.sid, routed: s.routed.map((r) => r.prefix), beyond: s.beyond }))).toEqual([
      { sid: 'Namespaces', routed: ['team-a', 'team-b'], beyond: [] },
      { sid: 'Wide', routed: [], beyond: [arn('*'), arn('team-a*'), arn('team-c/*')] },
    ]);
    // team-b is not routed to the same-account destination: the same grant there would be beyond.
    const sameAccountArn = namespaceRepositoriesArn(SAME_ACCOUNT, 'team-b');
    expect(sortCreateRepositoryGrants(t, SAME_ACCOUNT, [{ principals: ['111111111111'], actions: ['ecr:CreateRepository'], resources: [sameAccountArn] }])[0].beyond)
      .toEqual([sameAccountArn]);
  });

  test('which template prefixes overlap a namespace or a listed repository', () => {
    expect(templateOverlaps(t, 'team-a')).toEqual({ namespaces: ['team-a'], repositories: [] });
    expect(templateOverlaps(t, 'team-a/legacy')).toEqual({ namespaces: ['team-a'], repositories: [] });
    expect(templateOverlaps(t, 'shop')).toEqual({ namespaces: [], repositories: ['shop/api'] });
    expect(templateOverlaps(t, 'team')).toEqual({ namespaces: [], repositories: [] });
    expect(templateOverlaps(t, 'ROOT')).toEqual({ namespaces: ['team-a', 'team-b'], repositories: ['shop/api', 'shared/base'] });
  });
});
