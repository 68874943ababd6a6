/** CodePipeline allows at most 50 actions in one stage (a CDK Pipelines wave). */
export const MAX_ACTIONS_PER_STAGE = 50;
/** CodePipeline allows at most 50 stages in one pipeline. */
export const MAX_STAGES_PER_PIPELINE = 50;

export interface WavePlanOptions {
  /** Deploy actions each item needs (one per stack: the pipeline deploys without change sets). */
  readonly actionsPerItem: number;
  /** Actions the first wave holds besides the deployments (e.g. a manual approval). */
  readonly actionsInFirstWave?: number;
  /** @default MAX_ACTIONS_PER_STAGE */
  readonly maxActionsPerWave?: number;
}

/**
 * Splits items (destination stages) into as few waves as CodePipeline's
 * action quota allows, and balances them: every wave is one step on the
 * critical path, so the fewest waves make the shortest pipeline, and equal
 * waves keep each step equally short. Order is kept within each wave.
 */
export function planWaves<T>(items: readonly T[], options: WavePlanOptions): T[][] {
  const maxActions = options.maxActionsPerWave ?? MAX_ACTIONS_PER_STAGE;
  const reserved = options.actionsInFirstWave ?? 0;
  if (options.actionsPerItem < 1 || options.actionsPerItem + reserved > maxActions) {
    throw new Error(`A stage of ${options.actionsPerItem} deploy actions (plus ${reserved}) does not fit in one CodePipeline stage of at most ${maxActions} actions`);
  }
  if (items.length === 0) {
    return [];
  }
  const perWave = Math.floor(maxActions / options.actionsPerItem);
  const perFirstWave = Math.floor((maxActions - reserved) / options.actionsPerItem);
  const waveCount = 1 + Math.ceil(Math.max(0, items.length - perFirstWave) / perWave);
  // Deal the items as evenly as the capacities allow, first wave first.
  const waves: T[][] = [];
  let next = 0;
  for (let wave = 0; wave < waveCount; wave++) {
    const remainingWaves = waveCount - wave;
    const capacity = wave === 0 ? perFirstWave : perWave;
    const size = Math.min(capacity, Math.ceil((items.length - next) / remainingWaves));
    waves.push(items.slice(next, next + size));
    next += size;
  }
  return waves;
}
