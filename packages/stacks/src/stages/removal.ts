import { RemovalPolicy } from 'aws-cdk-lib';
import { RemovalMode } from '../topology/model';

/**
 * `retain` keeps keys and repositories when their stack is deleted or they
 * leave it; `destroy` is the explicit opt-in. Retained resources use
 * CloudFormation's `RetainExceptOnCreate`: the rollback of a failed first
 * create deletes them, so a retry does not meet orphans (`AlreadyExists`).
 */
export function removalPolicyOf(mode: RemovalMode): RemovalPolicy {
  return mode === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
}
