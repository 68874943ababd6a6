/**
 * Stacks the topology no longer produces: CDK Pipelines never deletes the
 * stacks of a stage or stack removed from the app (`alerts: false`, a
 * repository group left empty), so `verify` names them with the command that
 * deletes them. Fakes of the registries; `ListStacks` + `DescribeStacks`.
 */
import { groupRepositories, repositoriesStackName } from '@ecr-kms-replication/stacks';
import { LOOKUP_ROLE_NAME } from '../../src/registry/access';
import { StackData } from '../../src/registry/data';
import { checkStaleStacks } from '../../src/verify/stale';
import { verifyTopology, VerifyOptions } from '../../src/verify/verify';
import { CROSS_ACCOUNT, deployedStacks, fakeReaders, goodRegistries, SOURCE, topology } from '../fixtures';

const options = (readerFor: VerifyOptions['readerFor']): VerifyOptions => ({
  assumeRole: 'other-accounts', roleName: LOOKUP_ROLE_NAME, concurrency: 2, stsRegion: 'us-east-1', readerFor,
});
const t = topology();
const PIPELINE = '333333333333-us-east-1';

/** A repositories stack of a group no repository of `t` falls in any more, holding a repository `old`. */
function emptiedGroup(env = CROSS_ACCOUNT, outputs?: Record<string, string>): StackData {
  const used = new Set(groupRepositories(t.repositories).keys());
  const group = [1, 2, 3, 4, 5, 6, 7, 8].find((g) => !used.has(g))!;
  return {
    name: repositoriesStackName('destination', env, group),
    status: 'UPDATE_COMPLETE',
    resources: [{ logicalId: 'Old', type: 'AWS::ECR::Repository', physicalId: 'old', status: 'CREATE_COMPLETE' }],
    ...(outputs ? { outputs } : {}),
  };
}

describe('checkStaleStacks', () => {
  test('a repositories stack whose group is empty now: a warning with the delete command and what stays', () => {
    const stacks = [...deployedStacks(t, CROSS_ACCOUNT), emptiedGroup(CROSS_ACCOUNT, { ReplicationSource: SOURCE.id })];
    const rows = checkStaleStacks(t, CROSS_ACCOUNT, stacks);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ check: 'stale-stack', status: 'warn' });
    expect(rows[0].detail).toMatch(/^the stack ecr-replication-destination-222222222222-eu-central-1-repositories-\d .* no repository of the topology falls in its group any more; CDK Pipelines does not delete it.*\(1 repositor/);
    expect(rows[0].fix).toMatch(/^delete it with credentials of account 222222222222: aws cloudformation delete-stack --stack-name ecr-replication-destination-222222222222-eu-central-1-repositories-\d --region eu-central-1; its repositories and KMS key are retained/);
  });

  test('stacks the topology produces, stacks of another topology and stacks not named by our stages are left alone', () => {
    const others: StackData[] = [
      emptiedGroup(CROSS_ACCOUNT, { ReplicationSource: '444444444444-us-east-1' }),
      { name: 'ecr-replication-unrelated', status: 'CREATE_COMPLETE', resources: [] },
      { name: 'CDKToolkit', status: 'CREATE_COMPLETE', resources: [] },
    ];
    expect(checkStaleStacks(t, CROSS_ACCOUNT, [...deployedStacks(t, CROSS_ACCOUNT), ...others])).toEqual([]);
  });

  test('a registry stack of a role the registry no longer plays: its registry-wide resources are named as deleted with it', () => {
    const [formerSource] = deployedStacks(t, SOURCE);
    const asDestination = { ...t, source: { ...t.source, account: '999999999999', id: '999999999999-us-east-1' } };
    const rows = checkStaleStacks(asDestination, SOURCE, [{ ...formerSource, outputs: { ReplicationSource: '999999999999-us-east-1' } }]);
    expect(rows[0].fix).toContain('deleting it deletes its ReplicationConfiguration (the registry\'s whole one)');
  });
});

describe('verify reports stacks of ours the topology no longer produces', () => {
  test('an emptied repository group in a destination, listed through ListStacks', async () => {
    const registries = goodRegistries(t);
    registries[CROSS_ACCOUNT.id].stacks = [...deployedStacks(t, CROSS_ACCOUNT), emptiedGroup()];
    const report = await verifyTopology(t, options(fakeReaders(registries).readerFor));
    const stale = report.environments[2].checks.filter((c) => c.check === 'stale-stack');
    expect(stale).toEqual([expect.objectContaining({ status: 'warn', fix: expect.stringContaining('aws cloudformation delete-stack --stack-name ecr-replication-destination-222222222222-eu-central-1-repositories-') })]);
    // A warning: verify still passes.
    expect(report.ok).toBe(true);
  });

  test('alerts: false leaves the alerts stack in the pipeline account: reported with the source, with the delete command', async () => {
    const noAlerts = topology({ alerts: false });
    const registries = goodRegistries(noAlerts);
    registries[PIPELINE] = {
      account: '333333333333',
      stacks: [{
        name: 'ecr-replication-alerts',
        status: 'UPDATE_COMPLETE',
        resources: [{ logicalId: 'Schedule', type: 'AWS::Scheduler::Schedule', physicalId: 'verify', status: 'CREATE_COMPLETE' }],
        outputs: { ReplicationSource: SOURCE.id },
      }],
    };
    const report = await verifyTopology(noAlerts, options(fakeReaders(registries).readerFor));
    const [row] = report.environments[0].checks.filter((c) => c.check === 'stale-stack');
    expect(row.detail).toMatch(/^the stack ecr-replication-alerts in 333333333333\/us-east-1 .*the topology says alerts: false.*\(1 event rule\(s\) or schedule\(s\)\)/);
    expect(row.fix).toBe('delete it with credentials of account 333333333333: aws cloudformation delete-stack --stack-name ecr-replication-alerts --region us-east-1');
    // With alerts on, the same stack is the topology's own.
    const withAlerts = await verifyTopology(t, options(fakeReaders({ ...goodRegistries(t), [PIPELINE]: registries[PIPELINE] }).readerFor));
    expect(withAlerts.environments.flatMap((e) => e.checks).filter((c) => c.check === 'stale-stack')).toEqual([]);
  });
});
