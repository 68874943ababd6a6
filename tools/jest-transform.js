'use strict';
// Jest transformer for the TypeScript of this monorepo: esbuild strips the
// types of one file at a time, as ts-jest does with `isolatedModules`, but
// without loading the TypeScript compiler into every Jest process. The type
// check is `tsc --noEmit`, the first step of every package's `test` task.
const crypto = require('crypto');
const esbuild = require('esbuild');

const OPTIONS = {
  loader: 'ts',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  sourcesContent: false,
  // The packages compile with `target: ES2020`, where TypeScript assigns class
  // fields in the constructor rather than defining them: keep that here.
  tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } },
};

const VERSION = `${esbuild.version} ${JSON.stringify(OPTIONS)}`;

module.exports = {
  process(sourceText, sourcePath) {
    const { code } = esbuild.transformSync(sourceText, { ...OPTIONS, sourcefile: sourcePath });
    return { code };
  },
  getCacheKey(sourceText, sourcePath) {
    return crypto.createHash('sha256').update(VERSION).update('\0').update(sourcePath).update('\0').update(sourceText).digest('hex');
  },
};
