import { temporaryDirectory } from '@ecr-kms-replication/testing';
import { App, Stack } from 'aws-cdk-lib';

/** The account and Region of every test stack. */
export const ENV = { account: '111111111111', region: 'us-east-1' };

/**
 * A stack with an explicit environment in a fresh app. The built-in
 * CloudFormation schema validation is switched off here because loading the
 * schemas costs several seconds per test file; test/cdk-nag.test.ts keeps it on.
 */
export function newStack(id = 'Stack', env: { account?: string; region?: string } = ENV): Stack {
  const app = new App({ outdir: temporaryDirectory(), builtinCloudFormationValidation: false });
  return new Stack(app, id, { env });
}
