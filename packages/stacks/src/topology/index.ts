export * from './model';
export { TopologyError } from './errors';
export type { TopologyProblem, TopologyErrorKind } from './errors';
export { loadTopology, parseTopology, validateTopology } from './load';
export { topologySchema, topologyJsonSchema, DEFAULT_KEY_ALIAS, DEFAULT_BRANCH, EXISTING_EVERYWHERE, EXISTING_SOURCE } from './schema';
export type { TopologyFile } from './schema';
