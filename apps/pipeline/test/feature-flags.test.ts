import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { FEATURE_FLAGS } from '../src/app';

/** Where the app deliberately differs from aws-cdk-lib's recommendation (reasons in src/feature-flags.ts). */
const DEVIATIONS: Record<string, unknown> = {
  '@aws-cdk/core:defaultCrossStackReferences': 'strong',
  '@aws-cdk/core:explicitStackTags': false,
};

describe('feature flags', () => {
  test('every flag aws-cdk-lib recommends is set: a new one is reviewed before it changes a template', () => {
    const missing = Object.keys(CURRENTLY_RECOMMENDED_FLAGS).filter((flag) => !(flag in FEATURE_FLAGS));
    expect(missing).toEqual([]);
  });

  test('each is set to the recommended value, except the reviewed deviations', () => {
    const differing = Object.fromEntries(Object.entries(CURRENTLY_RECOMMENDED_FLAGS)
      .filter(([flag, value]) => JSON.stringify(FEATURE_FLAGS[flag]) !== JSON.stringify(value))
      .map(([flag]) => [flag, FEATURE_FLAGS[flag]]));
    expect(differing).toEqual(DEVIATIONS);
  });
});
