import { lifecycleFromPolicy } from '../../src/import/lifecycle';

/** The two rules the repository construct writes (packages/constructs/src/encrypted-repository.ts, renderLifecycle). */
const UNTAGGED = (days: number, priority = 1) => ({
  rulePriority: priority,
  description: `Expire untagged images after ${days} days`,
  selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: days },
  action: { type: 'expire' },
});
const COUNT = (count: number, priority = 2) => ({
  rulePriority: priority,
  description: `Keep at most ${count} images`,
  selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: count },
  action: { type: 'expire' },
});
const policy = (...rules: unknown[]) => JSON.stringify({ rules });

describe('lifecycleFromPolicy', () => {
  test('no policy: no lifecycle', () => {
    expect(lifecycleFromPolicy(undefined)).toEqual({});
  });

  test('the rules the repository construct writes are read back', () => {
    expect(lifecycleFromPolicy(policy(UNTAGGED(14), COUNT(200)))).toEqual({ lifecycle: { untaggedExpiryDays: 14, maxImageCount: 200 } });
    expect(lifecycleFromPolicy(policy(UNTAGGED(7)))).toEqual({ lifecycle: { untaggedExpiryDays: 7 } });
    expect(lifecycleFromPolicy(policy(COUNT(30, 1)))).toEqual({ lifecycle: { maxImageCount: 30 } });
  });

  test('descriptions and priorities do not matter; rules without a description are read too', () => {
    const { description: _unused, ...untagged } = UNTAGGED(3, 10);
    expect(lifecycleFromPolicy(policy(COUNT(5, 20), untagged))).toEqual({ lifecycle: { untaggedExpiryDays: 3, maxImageCount: 5 } });
  });

  test.each([
    ['a tagged selection', { rulePriority: 1, selection: { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'imageCountMoreThan', countNumber: 10 }, action: { type: 'expire' } },
      'rule 1 (tagStatus=tagged, tagPrefixList=[prod], countType=imageCountMoreThan, countNumber=10, action.type=expire)'],
    ['an age limit on any image', { rulePriority: 1, selection: { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 90 }, action: { type: 'expire' } },
      'rule 1 (tagStatus=any, countType=sinceImagePushed, countUnit=days, countNumber=90, action.type=expire)'],
    ['a count of untagged images', { rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 5 }, action: { type: 'expire' } },
      'rule 1 (tagStatus=untagged, countType=imageCountMoreThan, countNumber=5, action.type=expire)'],
    ['another action', { ...COUNT(10, 1), action: { type: 'transition', targetStorageClass: 'archive' } },
      'rule 1 (tagStatus=any, countType=imageCountMoreThan, countNumber=10, action.type=transition, action.targetStorageClass=archive)'],
    ['an extra selection field', { ...UNTAGGED(5), selection: { ...UNTAGGED(5).selection, tagPatternList: ['x*'] } },
      'rule 1 (tagStatus=untagged, countType=sinceImagePushed, countUnit=days, countNumber=5, tagPatternList=[x*], action.type=expire)'],
  ])('%s is not expressible, and the rule is described', (_name, rule, described) => {
    const result = lifecycleFromPolicy(policy(rule));
    expect(result).toEqual({ problem: `has rules the topology's lifecycle (maxImageCount, untaggedExpiryDays) cannot express: ${described}` });
  });

  test('a second rule of the same kind is not expressible (nothing is approximated)', () => {
    const result = lifecycleFromPolicy(policy(UNTAGGED(7, 1), UNTAGGED(14, 2)));
    expect(result).toEqual({ problem: expect.stringContaining('rule 2 (tagStatus=untagged') });
    expect(result).not.toHaveProperty('lifecycle');
  });

  test('text that is not a policy says so', () => {
    expect(lifecycleFromPolicy('{')).toEqual({ problem: 'is not valid JSON' });
    expect(lifecycleFromPolicy('{"rules": 3}')).toEqual({ problem: 'has no list of rules' });
    expect(lifecycleFromPolicy('{"rules": []}')).toEqual({});
  });
});
