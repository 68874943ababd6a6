import { RemovalPolicy } from 'aws-cdk-lib';
import { RemovalMode } from '../topology/model';

/** `retain` keeps keys and repositories when their stack is deleted; `destroy` is the explicit opt-in. */
export function removalPolicyOf(mode: RemovalMode): RemovalPolicy {
  return mode === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}
