#!/usr/bin/env node
'use strict';
// The CDK app (cdk.json "app"): runs src/main.ts from its sources. `npm test`
// type-checks them; synthesis does not pay for that again.
require('../../../tools/run-ts').runTs(require('path').join(__dirname, '..', 'src', 'main.ts'));
