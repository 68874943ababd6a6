export * from './model';
export { TopologyError } from './errors';
export type { TopologyProblem, TopologyErrorKind } from './errors';
export { loadTopology, parseTopology, validateTopology } from './load';
export { topologySchema, topologyJsonSchema, DEFAULT_KEY_ALIAS, DEFAULT_BRANCH, EXISTING_EVERYWHERE, EXISTING_SOURCE } from './schema';
export type { TopologyFile } from './schema';
export { formatTopologyFile, schemaReference, TOPOLOGY_SCHEMA_FILE } from './write';
export type { FieldComment, TopologyFileOptions } from './write';
export * from './routing';
