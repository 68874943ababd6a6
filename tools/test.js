#!/usr/bin/env node
'use strict';
// `npm test`: every package's `test` task through nx, then three checks.
// `npm run test:emulator` (`--emulator`): the same for the emulator suites.
//
// - The tests run with TMPDIR (and TMP, TEMP) pointing at a fresh, empty
//   folder; whatever a test leaves there is listed and fails the run.
// - Whatever a test run adds to `git status` (untracked or modified files in
//   the clone) is listed and fails the run.
// - The runtime's own caches are not a test's leftovers: Node.js 22 and
//   later write a compile cache (`node-compile-cache/`) to the temporary
//   directory whenever a tool asks for one (tsc and npm 11 do), unless
//   NODE_COMPILE_CACHE names a folder. It is pointed at
//   node_modules/.cache/node-compile-cache, beside Jest's cache, so that it
//   survives between runs and stays out of both checks.
//   (Node.js docs, module.enableCompileCache: "If cacheDir is not specified,
//   Node.js will either use the directory specified by the
//   NODE_COMPILE_CACHE=dir environment variable if it's set, or use
//   path.join(os.tmpdir(), 'node-compile-cache') otherwise".)
// - The last line adds up every package's Jest summary:
//   `tests: N passed, N failed, N skipped`. A failed check above, or a task
//   that failed before its tests ran (e.g. a type error), counts as failed:
//   the exit code is 0 exactly when the line says `0 failed`.
//
// With CI=true, nx never replays a result from its cache (--skip-nx-cache).
// Arguments are passed on to `nx run-many`, e.g. `npm test -- --skip-nx-cache`
// or `npm test -- --projects=@ecr-kms-replication/cli`.
const { execFileSync, spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const COMPILE_CACHE = path.join(ROOT, 'node_modules', '.cache', 'node-compile-cache');

/** `git status --porcelain` lines, or none outside a Git work tree. */
function gitStatus() {
  try {
    const out = execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\n').filter((line) => line !== '');
  } catch {
    return [];
  }
}

/** Every file and folder under `dir`, relative to it, folders not descended into past `depth`. */
function listTree(dir, depth = 2, prefix = '') {
  const entries = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = path.join(prefix, entry.name);
    entries.push(entry.isDirectory() ? `${rel}/` : rel);
    if (entry.isDirectory() && depth > 1) {
      entries.push(...listTree(path.join(dir, entry.name), depth - 1, rel));
    }
  }
  return entries;
}

const ANSI = /\x1b\[[0-9;]*m/g;
const totals = { passed: 0, failed: 0, skipped: 0 };
let replayed = false;

/** Adds up Jest's "Tests: 1 failed, 2 skipped, 130 passed, 133 total" lines. */
function readLine(line) {
  const plain = line.replace(ANSI, '');
  const summary = /\bTests:\s+(.*)$/.exec(plain);
  if (summary) {
    for (const [, count, kind] of summary[1].matchAll(/(\d+) (passed|failed|skipped|todo)/g)) {
      totals[kind === 'todo' ? 'skipped' : kind] += Number(count);
    }
  }
  // "> nx run @scope/package:test  [local cache]" (or "[existing outputs match the cache, left as is]").
  if (/nx run \S+:test\s+\[(local cache|remote cache|existing outputs match the cache)/.test(plain)) {
    replayed = true;
  }
}

/** Forwards a child's stream and hands every complete line to readLine. */
function follow(stream, target) {
  let rest = '';
  stream.on('data', (chunk) => {
    target.write(chunk);
    const lines = (rest + chunk.toString('utf8')).split('\n');
    rest = lines.pop();
    lines.forEach(readLine);
  });
  stream.on('end', () => readLine(rest));
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-kms-replication-npm-test-'));
  const statusBefore = new Set(gitStatus());
  // --emulator: the emulator suites (`test:emulator`: moto_server, the AWS CLI) instead of the tests.
  const emulator = process.argv.includes('--emulator');
  const args = process.argv.slice(2).filter((arg) => arg !== '--emulator');
  const nxArgs = ['run-many', '-t', emulator ? 'test:emulator' : 'test', '--output-style=stream'];
  if (process.env.CI === 'true' && !args.includes('--skip-nx-cache')) {
    nxArgs.push('--skip-nx-cache');
  }
  nxArgs.push(...args);

  const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'nx'), nxArgs, {
    cwd: ROOT,
    stdio: ['inherit', 'pipe', 'pipe'],
    env: { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp, NODE_COMPILE_CACHE: COMPILE_CACHE },
  });
  follow(child.stdout, process.stdout);
  follow(child.stderr, process.stderr);
  const code = await new Promise((resolve) => child.on('close', (status, signal) => resolve(signal ? 1 : status)));

  const problems = [];
  const leftovers = listTree(tmp);
  fs.rmSync(tmp, { recursive: true, force: true });
  if (leftovers.length > 0) {
    problems.push(`The tests left ${leftovers.length} file(s) in the temporary directory `
      + '(use temporaryDirectory() from @ecr-kms-replication/testing, and give CDK Apps an outdir there):',
    ...leftovers.slice(0, 20).map((entry) => `  ${entry}`));
    if (leftovers.length > 20) problems.push(`  ... and ${leftovers.length - 20} more`);
  }
  const added = gitStatus().filter((line) => !statusBefore.has(line));
  if (added.length > 0) {
    problems.push('The tests changed the clone (git status):', ...added.map((line) => `  ${line}`));
  }

  process.stdout.write('\n');
  for (const problem of problems) {
    process.stderr.write(`${problem}\n`);
  }
  if (replayed) {
    process.stdout.write('Some test results were replayed from the nx cache (.nx/cache); `npm test -- --skip-nx-cache` runs everything.\n');
  }
  // Every failed check counts once; so does a run whose tasks failed without a failing test.
  let failed = totals.failed + (leftovers.length > 0 ? 1 : 0) + (added.length > 0 ? 1 : 0);
  if (code !== 0 && failed === 0) {
    process.stderr.write(`A task failed before or outside its tests (exit code ${code}, output above).\n`);
    failed = 1;
  }
  process.stdout.write(`tests: ${totals.passed} passed, ${failed} failed, ${totals.skipped} skipped\n`);
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exitCode = 1;
});
