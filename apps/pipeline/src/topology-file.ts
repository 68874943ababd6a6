import * as path from 'path';

/** The repository root: apps/pipeline/{src,lib,.build} are three levels below it. */
export const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..', '..');
/** The example topology shipped with the app. */
export const DEFAULT_TOPOLOGY_FILE = path.join(REPOSITORY_ROOT, 'apps', 'pipeline', 'topology.yaml');
/** The environment variable that selects another topology file. */
export const TOPOLOGY_ENV_VAR = 'ECR_REPLICATION_TOPOLOGY';

export interface TopologyFileLocation {
  /** Absolute path of the file to read now. */
  readonly absolute: string;
  /** The same file relative to the repository root, as the pipeline reads it. */
  readonly inRepository: string;
}

/**
 * Which topology file to use: `ECR_REPLICATION_TOPOLOGY`, else the `topology`
 * context value (`cdk synth -c topology=FILE`), else the example. A relative
 * path is taken from the directory the command was started in (npm runs
 * scripts elsewhere but keeps that directory in INIT_CWD).
 */
export function locateTopologyFile(contextValue: unknown, env: NodeJS.ProcessEnv = process.env): TopologyFileLocation {
  const given = env[TOPOLOGY_ENV_VAR] || (typeof contextValue === 'string' ? contextValue : undefined);
  const absolute = given ? path.resolve(env.INIT_CWD ?? process.cwd(), given) : DEFAULT_TOPOLOGY_FILE;
  const inRepository = path.relative(REPOSITORY_ROOT, absolute).split(path.sep).join('/');
  if (inRepository.startsWith('..') || path.isAbsolute(inRepository)) {
    throw new OutsideRepositoryError(absolute);
  }
  return { absolute, inRepository };
}

/** The pipeline synthesizes from the Git repository: the topology file must be in it. */
export class OutsideRepositoryError extends Error {
  constructor(file: string) {
    super(`${file} is outside the repository (${REPOSITORY_ROOT}): the pipeline synthesizes from the Git repository, so commit the topology file inside it and point ${TOPOLOGY_ENV_VAR} there.`);
    this.name = 'OutsideRepositoryError';
  }
}
