#!/usr/bin/env node
'use strict';
// `node apps/cli/bin/bench-verify.js`: runs bench/verify.ts from its sources (needs moto_server on PATH).
require('../../../tools/run-ts').runTs(require('path').join(__dirname, '..', 'bench', 'verify.ts'));
