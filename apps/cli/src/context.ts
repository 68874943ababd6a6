/**
 * Everything a command touches outside its arguments, passed in so that
 * tests run the whole CLI in-process with their own streams and fakes.
 */
import { RegistryReader, ReaderOptions } from './registry/reader';

export interface OutputStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export interface CliContext {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: NodeJS.ProcessEnv;
  /** Reading a registry. Default: the AWS SDK. */
  readonly readerFor?: (options: ReaderOptions) => RegistryReader;
}

/** Exit codes: 0 all good, 1 a verify check does not hold, 2 usage or topology errors. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
