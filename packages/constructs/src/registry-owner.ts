import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

// Per construct tree (App): which construct owns which registry-wide resource.
const owners = new WeakMap<IConstruct, Map<string, string>>();

/**
 * Records `owner` as the one construct that owns the registry-wide resource
 * `kind` (the replication configuration, the registry policy) of its stack's
 * registry, and throws if another construct already owns it.
 *
 * ECR holds one such resource per registry; CloudFormation fails to create a
 * second one, and deleting either wipes the whole registry's setting. So two
 * owners are refused in one stack, and in one app for stacks whose account and
 * Region are both known and equal.
 *
 * @internal
 */
export function claimRegistryResource(owner: IConstruct, kind: string, explanation: string): void {
  const stack = Stack.of(owner);
  const claims = owners.get(owner.node.root) ?? new Map<string, string>();
  owners.set(owner.node.root, claims);

  const keys = [`${kind} stack:${stack.node.path}`];
  if (!Token.isUnresolved(stack.account) && !Token.isUnresolved(stack.region)) {
    keys.push(`${kind} registry:${stack.account}/${stack.region}`);
  }
  for (const key of keys) {
    const existing = claims.get(key);
    if (existing !== undefined) {
      const where = key.includes(' stack:')
        ? `stack ${stack.node.path}`
        : `registry ${stack.account}/${stack.region}`;
      throw new Error(
        `Invalid ${kind}: ${where} already has a ${kind} (${existing}); cannot add ${owner.node.path}. ${explanation}`,
      );
    }
  }
  for (const key of keys) {
    claims.set(key, owner.node.path);
  }
}
