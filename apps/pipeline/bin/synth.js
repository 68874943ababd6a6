#!/usr/bin/env node
'use strict';
// `npm run synth`, the main job: runs the CDK app (src/main.ts) as `cdk synth`
// does, into apps/pipeline/cdk.out, without the CDK CLI around it. Its output
// is the plan and one last line (or the report of what is wrong), its exit
// code the app's own: 0, 2 for a topology that is not valid, 1 for failed checks.
// `cd apps/pipeline && npx cdk synth` writes the same cloud assembly.
const fs = require('fs');
const path = require('path');

const appDir = path.join(__dirname, '..');
const cdkJson = JSON.parse(fs.readFileSync(path.join(appDir, 'cdk.json'), 'utf8'));
process.env.CDK_OUTDIR = path.join(appDir, cdkJson.output ?? 'cdk.out');
// The context the CDK CLI gives an app by default (path metadata in the
// templates, asset metadata, version reporting, bundling), then cdk.json's own.
process.env.CDK_CONTEXT_JSON = JSON.stringify({
  'aws:cdk:enable-path-metadata': true,
  'aws:cdk:enable-asset-metadata': true,
  'aws:cdk:version-reporting': true,
  'aws:cdk:bundling-stacks': ['**'],
  ...cdkJson.context,
});
require('./app');
