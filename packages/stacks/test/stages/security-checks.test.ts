import * as s3 from 'aws-cdk-lib/aws-s3';
import { testApp, topology } from './helpers';
import { DestinationStage, SourceStage } from '../../src/stages';

const model = topology([
  { account: '111111111111', region: 'us-west-2' },
  { account: '222222222222', region: 'eu-west-1' },
]);

test('cdk-nag AwsSolutions finds nothing unacknowledged in the destination and source stages', () => {
  const app = testApp();
  for (const destination of model.destinations) {
    new DestinationStage(app, { topology: model, destination });
  }
  new SourceStage(app, { topology: model });
  expect(() => app.synth()).not.toThrow();
});

test('the checks run inside every stage: a finding there fails the synth', () => {
  const app = testApp();
  const stage = new DestinationStage(app, { topology: model, destination: model.destinations[0] });
  // A bucket without access logs, TLS enforcement or public-access block.
  new s3.CfnBucket(stage.registryStack, 'UncheckedBucket');
  expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
});
