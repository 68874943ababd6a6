#!/usr/bin/env node
'use strict';
// `npm run bench`: runs bench/bench.ts from its sources.
require('../../../tools/run-ts').runTs(require('path').join(__dirname, '..', 'bench', 'bench.ts'));
