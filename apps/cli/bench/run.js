#!/usr/bin/env node
'use strict';
// `npm run bench:verify`: runs verify.ts beside this file from its sources (needs moto_server on PATH).
require('../../../tools/run-ts').runTs(require('path').join(__dirname, 'verify.ts'));
