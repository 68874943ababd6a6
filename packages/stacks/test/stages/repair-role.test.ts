import { Template } from 'aws-cdk-lib/assertions';
import { testApp, topology } from './helpers';
import { DestinationStage, SourceStage } from '../../src/stages';
import { TopologyModel } from '../../src/topology';

const arn = (region: string, account: string, name: string) =>
  ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ecr:${region}:${account}:repository/${name}`]] });

/** Two destinations; `team-a/service` goes to the first only, the namespace `team-c` to the second only. */
function model(): TopologyModel {
  const base = topology([{ account: '111111111111', region: 'us-west-2' }, { account: '222222222222', region: 'eu-west-1' }]);
  const [first, second] = base.destinations.map((d) => d.id);
  return {
    ...base,
    repositories: base.repositories.map((r) => (r.name === 'team-a/service' ? { ...r, destinations: [first] } : r)),
    namespaces: [{ prefix: 'team-c', destinations: [second], imageTagMutability: 'IMMUTABLE' }],
  };
}

function repairRole(t: TopologyModel, index: number) {
  const stage = new DestinationStage(testApp(), { topology: t, destination: t.destinations[index] });
  const template = Template.fromStack(stage.registryStack);
  const roles = Object.values(template.findResources('AWS::IAM::Role')).filter((r) => /repair/.test(r.Properties.RoleName ?? ''));
  return { template, roles };
}

describe('the destination stage deploys the repair role', () => {
  const t = model();

  test('trusted by the pipeline account, over the repositories routed to that destination only', () => {
    const { template, roles } = repairRole(t, 0);
    expect(roles).toHaveLength(1);
    const role = roles[0].Properties;
    expect(role.RoleName).toBe('ecr-replication-repair-us-west-2');
    expect(role.AssumeRolePolicyDocument.Statement[0].Principal.AWS['Fn::Join'][1]).toContain(':iam::333333333333:root');
    expect(role.Policies[0].PolicyDocument.Statement[0].Resource).toEqual([
      arn('us-west-2', '111111111111', 'team-a/service'),
      arn('us-west-2', '111111111111', 'team-b/api'),
    ]);
    // Recreated repositories use this registry's key.
    expect(role.Policies[0].PolicyDocument.Statement[3].Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] });
    template.hasOutput('RepairRoleArn', {});
  });

  test('covers a namespace routed there with <prefix>/*, and leaves out what is routed elsewhere', () => {
    const { roles } = repairRole(t, 1);
    expect(roles[0].Properties.Policies[0].PolicyDocument.Statement[0].Resource).toEqual([
      arn('eu-west-1', '222222222222', 'team-b/api'),
      arn('eu-west-1', '222222222222', 'team-c/*'),
    ]);
  });

  test('carries the permissions boundary like every role of the stage; the source stage has none', () => {
    const { roles } = repairRole(t, 0);
    expect(roles[0].Properties.PermissionsBoundary).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:policy/ecr-kms-replication-boundary']],
    });
    const source = new SourceStage(testApp(), { topology: t });
    expect(Object.values(Template.fromStack(source.registryStack).findResources('AWS::IAM::Role'))
      .filter((r) => /repair/.test(r.Properties.RoleName ?? ''))).toHaveLength(0);
  });
});
