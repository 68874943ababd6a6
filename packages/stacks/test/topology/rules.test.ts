import { didYouMean, editDistance } from '../../src/topology/did-you-mean';
import { isAccountId, isKnownRegion, knownRegions, partitionOf, principalArnProblems, repositoryNameProblems } from '../../src/topology/rules';

test('edit distance', () => {
  expect(editDistance('destination', 'destinations')).toBe(1);
  expect(editDistance('kitten', 'sitting')).toBe(3);
  expect(editDistance('', 'abc')).toBe(3);
});

test('did you mean: close words only, case ignored', () => {
  expect(didYouMean('keyAdmin', ['keyAdmins', 'keyUsers'])).toBe('keyAdmins');
  expect(didYouMean('KEYUSERS', ['keyAdmins', 'keyUsers'])).toBe('keyUsers');
  expect(didYouMean('owner', ['account', 'region'])).toBeUndefined();
  expect(didYouMean('ab', ['xy'])).toBeUndefined();
});

test('account IDs and Regions', () => {
  expect(isAccountId('012345678901')).toBe(true);
  expect(isAccountId(12345678901)).toBe(false);
  expect(isAccountId('1234567890123')).toBe(false);
  expect(isKnownRegion('eu-west-1')).toBe(true);
  expect(isKnownRegion('eu-west-9')).toBe(false);
  expect(knownRegions()).toContain('us-east-1');
  expect(partitionOf('cn-north-1')).toBe('aws-cn');
});

test('validity comes from the shared helpers; wording names each broken rule', () => {
  expect(repositoryNameProblems('team-a/service')).toEqual([]);
  expect(repositoryNameProblems('Team_')).toEqual(['must be lowercase', 'must end with a letter or a digit']);
  expect(principalArnProblems('arn:aws:iam::111111111111:root')).toEqual([]);
  expect(principalArnProblems('arn:aws:iam::111111111111:role/*')).toEqual(['may not contain wildcards (a KMS key policy names exact principals)']);
});
