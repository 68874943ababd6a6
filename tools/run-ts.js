'use strict';
// Runs a TypeScript entry point of this monorepo without type-checking it:
// esbuild bundles the entry together with the workspace packages it imports
// (from their sources, so no prior `npm run build` is needed) and leaves every
// npm dependency external. Type-checking is the job of `npm test` and
// `npm run build`; doing it again on every run would cost seconds for nothing.
//
// Usage from a bin script: require('../../../tools/run-ts').runTs(__dirname + '/../src/main.ts')
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const SCOPE = '@ecr-kms-replication/';

/** The source entry of a workspace package, e.g. packages/stacks/src/index.ts. */
function workspaceSource(name) {
  for (const dir of ['packages', 'apps']) {
    const candidate = path.join(ROOT, dir, name, 'src', 'index.ts');
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

const workspaceSources = {
  name: 'workspace-sources',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith(SCOPE)) {
        const source = workspaceSource(args.path.slice(SCOPE.length));
        if (source) return { path: source };
      }
      return { path: args.path, external: true };
    });
  },
};

/**
 * Bundles `entry` into `<package>/.build/<name>.js` and runs it in this process.
 * Returns whatever the bundle's module exports.
 */
async function runTs(entry) {
  const esbuild = require('esbuild');
  const packageDir = path.resolve(path.dirname(entry), '..');
  const outDir = path.join(packageDir, '.build');
  const outfile = path.join(outDir, `${path.basename(entry, '.ts')}.js`);
  const tmpfile = `${outfile}.${process.pid}.tmp`;
  fs.mkdirSync(outDir, { recursive: true });
  await esbuild.build({
    entryPoints: [entry],
    outfile: tmpfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    logLevel: 'error',
    plugins: [workspaceSources],
  });
  // Rename atomically so that concurrent runs never load a half-written file.
  fs.renameSync(tmpfile, outfile);
  return require(outfile);
}

module.exports = { runTs };
