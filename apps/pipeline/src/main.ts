import * as fs from 'fs';
import * as path from 'path';
import { TopologyError, loadTopology, planSummary } from '@ecr-kms-replication/stacks';
import { addPipeline, createApp } from './app';
import { OutsideRepositoryError, REPOSITORY_ROOT, locateTopologyFile } from './topology-file';

/**
 * `npm run synth` (through bin/synth.js) and the CDK CLI (`cdk synth`,
 * `cdk deploy`, through cdk.json): validates the topology, prints the plan,
 * synthesizes into an emptied output folder and ends with one line that says
 * where. User errors print one clear report, leave no templates behind and
 * exit 2.
 */
function main() {
  // Both bin/synth.js and the CDK CLI name the output folder; only a test run without either has none.
  const outdir = process.env.CDK_OUTDIR;
  if (outdir) {
    // Nothing from an earlier synth (another topology's stages) may remain,
    // and a failed one must not leave a stale cloud assembly that passes for it.
    emptyOutputFolder(outdir);
  }
  try {
    const app = createApp();
    const file = locateTopologyFile(app.node.tryGetContext('topology'));
    // Named as `ecr-kms-replication validate` names it, relative to where the command runs.
    const topology = loadTopology(path.relative(process.cwd(), file.absolute) || file.absolute);
    process.stderr.write(`${planSummary(topology)}\n`);
    const pipeline = addPipeline(app, { topology, topologyFile: file.inRepository });
    const waves = pipeline.destinationWaves.map((wave) => wave.length);
    process.stderr.write(`Pipeline: the destinations deploy in ${waves.length} wave${waves.length === 1 ? '' : 's'} `
      + `(${waves.join(' + ')} destinations; at most 50 actions a CodePipeline stage), then the source.\n\n`);
    const assembly = app.synth();
    const stacks = assembly.stacksRecursively.length;
    process.stderr.write(`Synthesized ${stacks} stacks of ${file.inRepository} into ${displayPath(assembly.directory)}\n`);
  } catch (error) {
    if (error instanceof TopologyError || error instanceof OutsideRepositoryError) {
      process.stderr.write(`\n${error.message}\n`);
      process.exit(2);
    }
    if (error instanceof Error && error.message.startsWith('Validation failed')) {
      // The report is printed above; its last line says where its copy is.
      process.stderr.write(`\n${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * Removes everything in the output folder, if it holds a cloud assembly
 * (a manifest.json; never a folder of something else given to `cdk synth -o`),
 * but the CDK CLI's lock files (`*.lock`), which the CLI that started this app still holds.
 */
function emptyOutputFolder(outdir: string): void {
  if (!fs.existsSync(path.join(outdir, 'manifest.json'))) return;
  for (const entry of fs.readdirSync(outdir)) {
    if (!entry.endsWith('.lock')) {
      fs.rmSync(path.join(outdir, entry), { recursive: true, force: true });
    }
  }
}

/** A path relative to the repository root when it is inside it. */
function displayPath(absolute: string): string {
  const relative = path.relative(REPOSITORY_ROOT, absolute);
  return relative.startsWith('..') || path.isAbsolute(relative) ? absolute : relative;
}

main();
