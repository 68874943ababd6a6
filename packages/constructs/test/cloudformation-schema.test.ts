import { temporaryDirectory } from '@ecr-kms-replication/testing';
import { App, Stack } from 'aws-cdk-lib';
import { alertConstructs, everyConstruct, scheduledVerification } from './every-construct';
import { ENV } from './util';

// aws-cdk-lib checks every synthesized template against the CloudFormation resource
// schemas. Loading the schemas costs several seconds, so only this file pays for it
// (the other tests switch the check off); jest runs it beside the others.
test('every construct synthesizes templates that pass the CloudFormation schemas', () => {
  const app = new App({ outdir: temporaryDirectory(), builtinCloudFormationValidation: true });
  everyConstruct(new Stack(app, 'EveryConstruct', { env: ENV }));
  const alerts = new Stack(app, 'ScheduledVerification', { env: ENV });
  scheduledVerification(alerts, alertConstructs(alerts));

  expect(() => app.synth()).not.toThrow();
});
