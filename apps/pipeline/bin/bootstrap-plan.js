#!/usr/bin/env node
'use strict';
// `npm run bootstrap-plan`: runs src/bootstrap-main.ts from its sources.
require('../../../tools/run-ts').runTs(require('path').join(__dirname, '..', 'src', 'bootstrap-main.ts'));
