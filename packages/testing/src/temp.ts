/**
 * Temporary folders that a test file removes when it is done: a test run
 * leaves nothing behind in the system's temporary directory.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const created: string[] = [];
let cleanupRegistered = false;

/** Every folder made by {@link temporaryDirectory} so far, removed now. */
export function removeTemporaryDirectories(): void {
  while (created.length > 0) {
    fs.rmSync(created.pop()!, { recursive: true, force: true });
  }
}

/**
 * A new, empty folder under the system's temporary directory, removed after
 * the current test file (Jest's `afterAll`) or by {@link removeTemporaryDirectories}.
 */
export function temporaryDirectory(prefix = 'ecr-kms-replication-test-'): string {
  if (!cleanupRegistered && typeof afterAll === 'function') {
    afterAll(removeTemporaryDirectories);
    cleanupRegistered = true;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}
