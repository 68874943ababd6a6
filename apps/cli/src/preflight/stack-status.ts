/**
 * What each CloudFormation stack status means for a deployment of the
 * stack, decided from CloudFormation's documentation of the stack status
 * codes (AWS CloudFormation User Guide, "Stack status codes",
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/view-stack-events.html#cfn-console-view-stack-data-resources-status-codes)
 * for every value of the `StackStatus` enum of `@aws-sdk/client-cloudformation`.
 * A status missing here (a new one) is treated as blocking until decided.
 */

/**
 * - `pass`: the stack can be deployed over as it is;
 * - `wait`: an operation is running; deploying now fails, deploying after it ends works;
 * - `fail`: every deployment of the stack fails until someone acts (`fix`).
 */
export type StackVerdict = 'pass' | 'wait' | 'fail';

export interface StackStatusRule {
  readonly verdict: StackVerdict;
  /** What the status means, for the report. */
  readonly reason: string;
  /**
   * The stack still manages the resources it lists. A stack whose create
   * rolled back (or is rolling back) holds nothing: what it retained is an orphan.
   */
  readonly holdsResources: boolean;
  /** The command that unblocks the stack (`fail`). */
  readonly fix?: (stack: string, region: string) => string;
}

const del = (stack: string, region: string) => `aws cloudformation delete-stack --stack-name ${stack} --region ${region}`;
const continueRollback = (stack: string, region: string) => `aws cloudformation continue-update-rollback --stack-name ${stack} --region ${region}`;
const events = (stack: string, region: string) => `aws cloudformation describe-stack-events --stack-name ${stack} --region ${region}`;

const RUNNING = (what: string): StackStatusRule => ({ verdict: 'wait', reason: `${what} is running`, holdsResources: true });

export const STACK_STATUS_RULES: Readonly<Record<string, StackStatusRule>> = {
  CREATE_COMPLETE: { verdict: 'pass', reason: 'created: the next deployment updates it', holdsResources: true },
  CREATE_IN_PROGRESS: RUNNING('its creation'),
  // Left like this only when the creation ran with rollback disabled: the stack cannot be updated, only rolled back or deleted.
  CREATE_FAILED: {
    verdict: 'fail',
    reason: 'its creation failed and was not rolled back',
    holdsResources: true,
    fix: (s, r) => `${del(s, r)} (its keys and repositories are retained)`,
  },
  // Only a failed creation rolls back with ROLLBACK_*; it always ends in ROLLBACK_COMPLETE or ROLLBACK_FAILED, both blocking.
  ROLLBACK_IN_PROGRESS: {
    verdict: 'fail',
    reason: 'its creation failed and is being rolled back; the stack can then only be deleted',
    holdsResources: false,
    fix: (s, r) => `wait for the rollback to end, then ${del(s, r)}`,
  },
  ROLLBACK_COMPLETE: { verdict: 'fail', reason: 'its creation failed and was rolled back: it can only be deleted', holdsResources: false, fix: del },
  ROLLBACK_FAILED: { verdict: 'fail', reason: 'its creation failed and so did the rollback: it can only be deleted', holdsResources: false, fix: del },
  DELETE_IN_PROGRESS: RUNNING('its deletion'),
  DELETE_FAILED: { verdict: 'fail', reason: 'its deletion failed', holdsResources: false, fix: del },
  // Deleted stacks are found by id only, not by name; seen here, the stack holds nothing.
  DELETE_COMPLETE: { verdict: 'pass', reason: 'deleted: it holds nothing, the next deployment creates a new stack', holdsResources: false },
  UPDATE_IN_PROGRESS: RUNNING('an update'),
  UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: RUNNING('the clean-up after an update'),
  UPDATE_COMPLETE: { verdict: 'pass', reason: 'updated: the next deployment updates it again', holdsResources: true },
  // With rollback disabled, a failed update stays here; the next update starts from it.
  UPDATE_FAILED: {
    verdict: 'pass',
    reason: 'its last update failed and was not rolled back (aws cloudformation rollback-stack rolls it back); the next deployment updates it again',
    holdsResources: true,
  },
  UPDATE_ROLLBACK_IN_PROGRESS: RUNNING('the rollback of a failed update'),
  UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: RUNNING('the clean-up after a rollback'),
  UPDATE_ROLLBACK_COMPLETE: { verdict: 'pass', reason: 'its last update was rolled back', holdsResources: true },
  UPDATE_ROLLBACK_FAILED: {
    verdict: 'fail',
    reason: 'an update failed and so did its rollback: it cannot be updated until the rollback is continued',
    holdsResources: true,
    fix: continueRollback,
  },
  // A stack made by a CREATE change set that was never executed: it holds no resource, and the next deployment's change set replaces it.
  REVIEW_IN_PROGRESS: { verdict: 'pass', reason: 'only a change set that was never executed: it holds nothing yet, the next deployment creates it', holdsResources: false },
  IMPORT_IN_PROGRESS: RUNNING('a resource import'),
  IMPORT_COMPLETE: { verdict: 'pass', reason: 'resources were imported', holdsResources: true },
  IMPORT_ROLLBACK_IN_PROGRESS: RUNNING('the rollback of a resource import'),
  IMPORT_ROLLBACK_COMPLETE: { verdict: 'pass', reason: 'a resource import was rolled back to the previous template', holdsResources: true },
  // The documented state: at least one resource could not be rolled back; the stack cannot be updated as it is.
  IMPORT_ROLLBACK_FAILED: {
    verdict: 'fail',
    reason: 'a resource import failed and so did its rollback',
    holdsResources: true,
    // ContinueUpdateRollback is documented for UPDATE_ROLLBACK_FAILED only, RollbackStack for CREATE_FAILED and UPDATE_FAILED only.
    fix: (s, r) => `find what failed with ${events(s, r)}, then ${del(s, r)} (its keys and repositories are retained)`,
  },
};

/** The rule of a status; an unknown one blocks until someone decides. */
export function stackStatusRule(status: string): StackStatusRule {
  return STACK_STATUS_RULES[status] ?? {
    verdict: 'fail',
    reason: `${status || 'an unknown status'} is not a status this version knows`,
    holdsResources: true,
    fix: (s, r) => `check the stack with ${events(s, r)}`,
  };
}
