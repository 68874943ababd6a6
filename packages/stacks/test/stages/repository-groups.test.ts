import { REPOSITORY_GROUP_COUNT, groupRepositories, repositoryGroup } from '../../src/stages';

const names = (n: number, prefix = 'team') => Array.from({ length: n }, (_, i) => ({ name: `${prefix}-${i % 10}/service-${i}` }));

test('a repository\'s group depends on its name alone', () => {
  const before = groupRepositories(names(300));
  // Remove some repositories and add others: nobody else moves.
  const after = groupRepositories([...names(300).filter((_, i) => i % 3 !== 0), ...names(50, 'new')]);
  for (const [group, members] of after) {
    for (const member of members.filter((m) => m.name.startsWith('team'))) {
      expect(before.get(group)!.map((m) => m.name)).toContain(member.name);
    }
  }
  expect(repositoryGroup('team-a/service')).toBe(repositoryGroup('team-a/service'));
});

test('1,000 repositories spread evenly enough to stay far below 500 resources a stack', () => {
  const groups = groupRepositories(names(1000));
  expect(groups.size).toBe(REPOSITORY_GROUP_COUNT);
  for (const members of groups.values()) {
    expect(members.length).toBeGreaterThan(200);
    expect(members.length).toBeLessThan(300);
  }
});

test('only non-empty groups, in group order', () => {
  const groups = groupRepositories([{ name: 'a' }]);
  expect([...groups.keys()]).toEqual([repositoryGroup('a')]);
  expect(groupRepositories([])).toEqual(new Map());
});
