export { createProgram, runCli } from './cli';
export type { CliContext } from './context';
export * from './verify/result';
export { verifyTopology, DEFAULT_ROLE_NAME } from './verify/verify';
export type { VerifyOptions } from './verify/verify';
