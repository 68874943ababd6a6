import { Environment, environmentId } from '../topology/model';

/** Every stack name starts with this, so the stacks are easy to find in the console. */
export const STACK_NAME_PREFIX = 'ecr-replication';

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
