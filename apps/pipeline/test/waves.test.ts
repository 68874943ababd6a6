import { MAX_ACTIONS_PER_STAGE, planWaves } from '../src/waves';

const items = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('planWaves', () => {
  test('a small topology deploys in one wave', () => {
    expect(planWaves(items(3), { actionsPerItem: 2 })).toEqual([[0, 1, 2]]);
  });

  test('no items, no waves', () => {
    expect(planWaves([], { actionsPerItem: 5 })).toEqual([]);
  });

  test('25 stages of 5 actions need 3 waves, balanced and in order', () => {
    const waves = planWaves(items(25), { actionsPerItem: 5 });
    expect(waves.map((w) => w.length)).toEqual([9, 8, 8]);
    expect(waves.flat()).toEqual(items(25));
  });

  test('an approval in the first wave takes one action of its quota', () => {
    const waves = planWaves(items(10), { actionsPerItem: 5, actionsInFirstWave: 1 });
    expect(waves.map((w) => w.length)).toEqual([5, 5]);
  });

  test.each([
    [1, 0], [1, 1], [2, 0], [5, 1], [7, 0], [25, 1], [10, 3],
  ])('every wave stays within %d-action stages (reserved %d) for 1..60 items', (actionsPerItem, reserved) => {
    for (let n = 1; n <= 60; n++) {
      const waves = planWaves(items(n), { actionsPerItem, actionsInFirstWave: reserved });
      expect(waves.flat()).toEqual(items(n));
      waves.forEach((wave, index) => {
        expect(wave.length).toBeGreaterThan(0);
        expect(wave.length * actionsPerItem + (index === 0 ? reserved : 0)).toBeLessThanOrEqual(MAX_ACTIONS_PER_STAGE);
      });
      // As few waves as the quota allows.
      const capacity = Math.floor(MAX_ACTIONS_PER_STAGE / actionsPerItem);
      const firstCapacity = Math.floor((MAX_ACTIONS_PER_STAGE - reserved) / actionsPerItem);
      expect(waves.length).toBe(1 + Math.ceil(Math.max(0, n - firstCapacity) / capacity));
    }
  });

  test('a stage too large for one CodePipeline stage is refused', () => {
    expect(() => planWaves(items(1), { actionsPerItem: 51 })).toThrow(/at most 50 actions/);
  });
});
