import { CfnResource } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { testApp, topology } from './helpers';
import { DestinationStage, EcrReplicationChecks, SourceStage } from '../../src/stages';

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

test('each stage checks its own resources once, and nothing of the other stages', () => {
  const app = testApp();
  const stages = model.destinations.map((destination) => new DestinationStage(app, { topology: model, destination }));
  const checked = new Map<string, number>();
  const spy = jest.spyOn(EcrReplicationChecks.prototype as unknown as { checkResource(node: CfnResource): void }, 'checkResource')
    .mockImplementation(function (node: CfnResource) {
      checked.set(node.node.path, (checked.get(node.node.path) ?? 0) + 1);
    });
  try {
    app.synth();
  } finally {
    spy.mockRestore();
  }
  const resources = stages.flatMap((stage) => stage.node.findAll().filter(CfnResource.isCfnResource).map((r) => r.node.path));
  expect([...checked.keys()].sort()).toEqual(resources.sort());
  expect([...checked.values()].every((count) => count === 1)).toBe(true);
});
