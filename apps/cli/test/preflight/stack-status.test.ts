/**
 * Every CloudFormation stack status, as the installed SDK's model lists them
 * (`StackStatus` of `@aws-sdk/client-cloudformation`), has a decision with
 * its reason; one the table does not know (a status added to the API later)
 * makes this test fail, and preflight treat it as blocking. Decisions follow
 * the CloudFormation User Guide's "Stack status codes" (view-stack-events.html).
 */
import { StackStatus } from '@aws-sdk/client-cloudformation';
import { checkStacks } from '../../src/preflight/checks';
import { STACK_STATUS_RULES, stackStatusRule } from '../../src/preflight/stack-status';
import { deployedStacks, SOURCE, topology } from '../fixtures';

const t = topology();

describe('stack status table', () => {
  test('covers exactly the StackStatus enum of the SDK, each with a reason; every blocking status has a fix', () => {
    expect(Object.keys(STACK_STATUS_RULES).sort()).toEqual(Object.values(StackStatus).sort());
    for (const [status, rule] of Object.entries(STACK_STATUS_RULES)) {
      expect({ status, reason: rule.reason.length > 10 }).toEqual({ status, reason: true });
      if (rule.verdict === 'fail') expect({ status, fix: typeof rule.fix }).toEqual({ status, fix: 'function' });
    }
  });

  test.each(Object.values(StackStatus))('preflight decides %s from the table', (status) => {
    const [registryStack] = deployedStacks(t, SOURCE, status);
    const [row] = checkStacks(SOURCE, { registryStack, repositoriesStacks: [] });
    const expected = { pass: 'pass', wait: 'warn', fail: 'fail' }[STACK_STATUS_RULES[status].verdict];
    expect(row.status).toBe(expected);
    if (row.status === 'fail') expect(row.fix).toContain(`--stack-name ${registryStack.name} --region ${SOURCE.region}`);
  });

  test('REVIEW_IN_PROGRESS (a change set never executed) holds nothing and does not block', () => {
    expect(stackStatusRule('REVIEW_IN_PROGRESS')).toMatchObject({ verdict: 'pass', holdsResources: false });
  });

  test('IMPORT_ROLLBACK_FAILED blocks, with the events to read and the stack to delete', () => {
    const [registryStack] = deployedStacks(t, SOURCE, 'IMPORT_ROLLBACK_FAILED');
    const [row] = checkStacks(SOURCE, { registryStack, repositoriesStacks: [] });
    expect(row).toMatchObject({ status: 'fail', detail: expect.stringContaining('a resource import failed and so did its rollback') });
    expect(row.fix).toMatch(/describe-stack-events .*delete-stack .*retained/);
  });

  test('a status this version does not know blocks', () => {
    const [registryStack] = deployedStacks(t, SOURCE, 'SOMETHING_NEW');
    expect(checkStacks(SOURCE, { registryStack, repositoriesStacks: [] })[0]).toMatchObject({ status: 'fail' });
  });
});
