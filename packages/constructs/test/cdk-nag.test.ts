import { temporaryDirectory } from '@ecr-kms-replication/testing';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CreationTemplateSafetyNet, ReplicationKey } from '../src';
import { everyConstruct } from './every-construct';
import { ENV } from './util';

describe('AWS Solutions checks (cdk-nag)', () => {
  test.each([
    ['an explicit environment', ENV],
    ['an environment-agnostic stack', {}],
  ])('find nothing unacknowledged in %s', (_, env) => {
    const app = new App({ outdir: temporaryDirectory(), builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'EveryConstruct', { env });
    everyConstruct(stack);
    const checks = new AwsSolutionsChecks(stack);
    Validations.of(stack).addPlugins(checks);

    expect(checks.validateScope(stack)).toEqual(expect.objectContaining({ success: true, violations: [] }));
    // cdk-nag 3 fails synthesis on any unacknowledged finding.
    expect(() => app.synth()).not.toThrow();
  });

  test('acknowledge the creation-template role\'s wildcard on the role itself, by its exact finding ID', () => {
    const app = new App({ outdir: temporaryDirectory(), builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Unacknowledged', { env: ENV });
    const key = new ReplicationKey(stack, 'Key');
    new CreationTemplateSafetyNet(stack, 'SafetyNet', { encryptionKey: key.key });
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    expect(report.violations).toEqual([]);

    const acknowledged = (stack.node.findChild('SafetyNet').node.findChild('Role').node.metadata)
      .map((entry) => JSON.stringify(entry.data));
    expect(acknowledged.join('\n')).toContain(
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecr:us-east-1:111111111111:repository/*]',
    );
  });
});
