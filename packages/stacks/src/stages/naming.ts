import { Environment, environmentId } from '../topology/model';

/** Every stack name starts with this, so the stacks are easy to find in the console. */
export const STACK_NAME_PREFIX = 'ecr-replication';

/**
 * Every IAM role the stages create is named with this prefix: the deployment
 * policy of the target accounts lets CloudFormation manage only these roles.
 */
export const ROLE_NAME_PREFIX = `${STACK_NAME_PREFIX}-`;

/**
 * The customer-managed policy every role of the stages carries as its
 * permissions boundary. The bootstrap plan creates it in every target
 * account; the deployment policy allows creating roles only with it.
 */
export const PERMISSIONS_BOUNDARY_POLICY_NAME = 'ecr-kms-replication-boundary';

/**
 * `ecr-replication-template-eu-west-1`: the creation-template role of a
 * destination. Role names are global to an account, so the Region makes it
 * unique among the account's destinations (at most 64 characters).
 */
export function creationTemplateRoleName(env: Environment): string {
  return `${ROLE_NAME_PREFIX}template-${env.region}`;
}

/** The role an environment plays in the topology. */
export type EnvironmentRole = 'source' | 'destination';

/** `ecr-replication-destination-222222222222-eu-west-1` */
export function registryStackName(role: EnvironmentRole, env: Environment): string {
  return `${STACK_NAME_PREFIX}-${role}-${environmentId(env)}`;
}

/** `ecr-replication-destination-222222222222-eu-west-1-repositories-3` */
export function repositoriesStackName(role: EnvironmentRole, env: Environment, group: number): string {
  return `${registryStackName(role, env)}-repositories-${group}`;
}

/** `Destination-222222222222-eu-west-1`: the stage id, also the pipeline's action prefix. */
export function stageId(role: EnvironmentRole, env: Environment): string {
  const title = role === 'source' ? 'Source' : 'Destination';
  return `${title}-${environmentId(env)}`;
}

/**
 * The output every stack of a stage carries, naming the source registry of
 * the topology that deployed it (`111111111111-us-east-1`). Stack names carry
 * only role, account and Region, so a second topology sharing a destination
 * would find the first one's stacks under its own names; `preflight` reads
 * this output to tell them apart. An output rather than a stack tag:
 * CloudFormation propagates stack tags to every resource it creates, which
 * would add a tag key to every key and repository.
 */
export const SOURCE_OUTPUT = 'ReplicationSource';

/** The value of {@link SOURCE_OUTPUT} for a topology whose source is `source`. */
export function sourceOwnerValue(source: Environment): string {
  return environmentId(source);
}
