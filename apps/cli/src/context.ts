/**
 * Everything a command touches outside its arguments, passed in so that
 * tests run the whole CLI in-process with their own streams and fakes.
 */
import { ReplicationBackfills } from './registry/backfills';
import { RegistryReader, ReaderOptions } from './registry/reader';
import { RepositoryAdmin } from './registry/repositories';

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
  /** The source registry's replication backfills (`backfill`). Default: the AWS SDK. */
  readonly backfillsFor?: (options: ReaderOptions) => ReplicationBackfills;
  /** Waiting between two polls (`backfill`). Default: a timer. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * Calls `handler` when the user asks to stop waiting (Ctrl-C); returns a
   * function that removes it. Default: the process's SIGINT.
   */
  readonly onInterrupt?: (handler: () => void) => () => void;
  /** A registry's images of every status, and the repository writes of `repair`. Default: the AWS SDK. */
  readonly repositoriesFor?: (options: ReaderOptions) => RepositoryAdmin;
  /**
   * Asks a question on the terminal and resolves with the answer
   * (`repair --execute` without `--yes`). Default: stdin and stderr when
   * stdin is a terminal, else there is no one to ask.
   */
  readonly prompt?: (question: string) => Promise<string>;
  /** The current time in milliseconds (`wait --timeout`). Default: `Date.now`. */
  readonly now?: () => number;
}

/** Exit codes: 0 all good, 1 a verify check does not hold, 2 usage or topology errors. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
