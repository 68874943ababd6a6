export { createProgram, runCli } from './cli';
export type { CliContext } from './context';
export * from './report/result';
export { verifyTopology } from './verify/verify';
export { LOOKUP_ROLE_NAME, roleArnFor, roleFor } from './registry/access';
export type { AssumeRoleMode } from './registry/access';
export type { VerifyOptions } from './verify/verify';
