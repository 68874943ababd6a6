/**
 * The CLI's one door to the topology: loading the file, the plan text and the
 * diagram come from `@ecr-kms-replication/stacks`; this module only gives them
 * the shape the commands need.
 *
 * The types below are the part of the stacks package's `TopologyModel` that
 * the CLI reads, declared structurally: the real model is assignable to them,
 * and tests build them directly without a topology file.
 */
import * as stacks from '@ecr-kms-replication/stacks';

export type TagMutability = 'IMMUTABLE' | 'MUTABLE';

export interface EnvironmentView {
  readonly id: string;
  readonly account: string;
  readonly region: string;
}

export interface DestinationView extends EnvironmentView {
  readonly crossAccount: boolean;
}

export interface RepositoryView {
  readonly name: string;
  readonly existing: boolean;
  readonly imageTagMutability: TagMutability;
}

/** What `verify` and `validate` read of the validated topology. */
export interface TopologyView {
  readonly source: EnvironmentView;
  readonly destinations: readonly DestinationView[];
  readonly repositories: readonly RepositoryView[];
  readonly keyAlias: string;
}

/** One problem of an invalid topology, as `TopologyError.problems` lists them. */
export interface TopologyProblem {
  readonly path: string;
  readonly message: string;
  readonly value?: unknown;
}

/** The functions of the stacks package the CLI calls. Injected in tests. */
export interface TopologyApi {
  loadTopology(path: string): TopologyView;
  planSummary(model: TopologyView): string;
  topologyMermaid(model: TopologyView): string;
}

/**
 * The stacks package's functions, looked up when called so that the CLI
 * still builds against a stacks package that does not export them yet (the
 * loader and the plan are written in parallel); calling a missing one says so.
 */
export const stacksTopologyApi: TopologyApi = {
  loadTopology: (path) => stacksFunction<(p: string) => TopologyView>('loadTopology')(path),
  planSummary: (model) => stacksFunction<(m: TopologyView) => string>('planSummary')(model),
  topologyMermaid: (model) => stacksFunction<(m: TopologyView) => string>('topologyMermaid')(model),
};

function stacksFunction<F>(name: string): F {
  const fn = (stacks as Record<string, unknown>)[name];
  if (typeof fn !== 'function') {
    throw new Error(`@ecr-kms-replication/stacks does not export ${name}() in this build`);
  }
  return fn as F;
}

/** The problems of a `TopologyError` (recognised by shape), or `undefined` for any other error. */
export function topologyProblems(err: unknown): readonly TopologyProblem[] | undefined {
  if (err instanceof Error && Array.isArray((err as { problems?: unknown }).problems)) {
    return (err as unknown as { problems: TopologyProblem[] }).problems;
  }
  return undefined;
}

/** The default of every `--topology` option. */
export function defaultTopologyPath(env: NodeJS.ProcessEnv): string {
  return env.ECR_REPLICATION_TOPOLOGY || 'topology.yaml';
}
