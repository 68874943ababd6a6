#!/usr/bin/env node
'use strict';
require('../../../tools/run-ts').runTs(require('path').join(__dirname, '..', 'src', 'main.ts'));
