/**
 * Temporary folders that a test file removes when it is done: a test run
 * leaves nothing behind in the system's temporary directory.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const created: string[] = [];

/** Every folder made by {@link temporaryDirectory} so far, removed now. */
export function removeTemporaryDirectories(): void {
  while (created.length > 0) {
    fs.rmSync(created.pop()!, { recursive: true, force: true });
  }
}

// Jest loads this module afresh for every test file, while it collects the
// file's tests: the one place where a top-level `afterAll` is allowed. Folders
// made later, inside a test, are then removed after the file all the same.
if (typeof afterAll === 'function') {
  afterAll(removeTemporaryDirectories);
}

/**
 * A new, empty folder under the system's temporary directory, removed after
 * the current test file (Jest's `afterAll`) or by {@link removeTemporaryDirectories}.
 * It may be called anywhere: at the top of a test file, in a hook or in a test.
 */
export function temporaryDirectory(prefix = 'ecr-kms-replication-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}
