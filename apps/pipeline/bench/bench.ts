/**
 * `npm run bench`: times the main command (`npm run synth`) on topologies of
 * growing size against a baseline — a bare CDK app with one stack and one
 * bucket, synthesized by the same CDK CLI — and prints a Markdown table.
 * Each case runs BENCH_REPEATS times (default 3); the table shows medians.
 * BENCH_ONLY=<text> runs only the cases whose label contains it (the
 * baseline always runs: every ratio is against the same run's baseline).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { generateNamespacedTopologyDocument, generateTopologyDocument } from './generate-topology';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const WORK = path.join(ROOT, '.bench');
const CDK = path.join(ROOT, 'node_modules', '.bin', 'cdk');
const CDK_OUT = path.join(ROOT, 'apps', 'pipeline', 'cdk.out');
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const SIZES: [number, number][] = [[1, 1], [5, 10], [25, 100], [25, 1000]];
/** Namespaces and routing at scale: 900 of the 1,000 filters ECR allows, in 10 routing groups. */
const NAMESPACED = { destinations: 25, namespaces: 300, routingGroups: 10, repositories: 600 };
/** The most a namespaced topology's synth may take, against the bare one-stack app. */
const NAMESPACED_MAX_RATIO = 2;

interface Run { readonly seconds: number; readonly peakMiB: number }

/** Resident memory of a process and all its descendants, in KiB (Linux /proc). */
function treeRssKiB(pid: number): number {
  let total = 0;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    total += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
      const children = fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const child of children ? children.split(/\s+/) : []) total += treeRssKiB(Number(child));
    }
  } catch {
    // The process ended between two reads.
  }
  return total;
}

/** Runs a command to completion; wall time and the peak memory of its whole process tree. */
function measure(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    let peak = 0;
    const timer = setInterval(() => { peak = Math.max(peak, treeRssKiB(child.pid!)); }, 20);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${stderr}`));
      else resolve({ seconds, peakMiB: peak / 1024 });
    });
  });
}

async function repeat(label: string, run: () => Promise<Run>): Promise<Run> {
  const runs: Run[] = [];
  for (let i = 0; i < REPEATS; i++) {
    runs.push(await run());
    process.stderr.write(`  ${label}: run ${i + 1}/${REPEATS} ${runs[i].seconds.toFixed(2)} s\n`);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return { seconds: median(runs.map((r) => r.seconds)), peakMiB: Math.max(...runs.map((r) => r.peakMiB)) };
}

interface AssemblyStats { stacks: number; resources: number; maxResources: number; maxOutputs: number; maxTemplateKiB: number; stages: number; actions: number; maxActionsPerStage: number }

/** Counts over every stack of the cloud assembly, nested stage assemblies included. */
function assemblyStats(dir: string): AssemblyStats {
  const stats: AssemblyStats = { stacks: 0, resources: 0, maxResources: 0, maxOutputs: 0, maxTemplateKiB: 0, stages: 0, actions: 0, maxActionsPerStage: 0 };
  const visit = (assemblyDir: string) => {
    const manifest = JSON.parse(fs.readFileSync(path.join(assemblyDir, 'manifest.json'), 'utf8'));
    for (const artifact of Object.values<any>(manifest.artifacts ?? {})) {
      if (artifact.type === 'cdk:cloud-assembly') visit(path.join(assemblyDir, artifact.properties.directoryName));
      if (artifact.type !== 'aws:cloudformation:stack') continue;
      const file = path.join(assemblyDir, artifact.properties.templateFile);
      const template = JSON.parse(fs.readFileSync(file, 'utf8'));
      const resources = Object.values<any>(template.Resources ?? {});
      stats.stacks++;
      stats.resources += resources.length;
      stats.maxResources = Math.max(stats.maxResources, resources.length);
      stats.maxOutputs = Math.max(stats.maxOutputs, Object.keys(template.Outputs ?? {}).length);
      stats.maxTemplateKiB = Math.max(stats.maxTemplateKiB, fs.statSync(file).size / 1024);
      for (const pipeline of resources.filter((r) => r.Type === 'AWS::CodePipeline::Pipeline')) {
        for (const stage of pipeline.Properties.Stages) {
          stats.stages++;
          stats.actions += stage.Actions.length;
          stats.maxActionsPerStage = Math.max(stats.maxActionsPerStage, stage.Actions.length);
        }
      }
    }
  };
  visit(dir);
  return stats;
}

function writeBaseline(): string {
  const dir = path.join(WORK, 'baseline');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'app.js'), [
    "const { App, Stack } = require('aws-cdk-lib');",
    "const s3 = require('aws-cdk-lib/aws-s3');",
    'const app = new App();',
    "const stack = new Stack(app, 'Baseline', { env: { account: '111111111111', region: 'us-east-1' } });",
    "new s3.Bucket(stack, 'Bucket');",
    'app.synth();',
    '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: 'node app.js' }));
  return dir;
}

async function main() {
  fs.mkdirSync(WORK, { recursive: true });
  const cases: { label: string; file: string }[] = [{ label: 'example (apps/pipeline/topology.yaml)', file: 'apps/pipeline/topology.yaml' }];
  for (const [destinations, repositories] of SIZES) {
    const file = path.join(WORK, `topology-${destinations}x${repositories}.yaml`);
    fs.writeFileSync(file, YAML.stringify(generateTopologyDocument({ destinations, repositories })));
    cases.push({ label: `${destinations} x ${repositories}`, file: path.relative(ROOT, file) });
  }

  const namespaced = path.join(WORK, 'topology-namespaced.yaml');
  fs.writeFileSync(namespaced, YAML.stringify(generateNamespacedTopologyDocument(NAMESPACED)));
  const namespacedLabel = `${NAMESPACED.destinations} x (${NAMESPACED.namespaces} namespaces in ${NAMESPACED.routingGroups} routing groups `
    + `+ ${NAMESPACED.repositories} listed)`;
  cases.push({ label: namespacedLabel, file: path.relative(ROOT, namespaced) });
  const only = process.env.BENCH_ONLY;
  const selected = only ? cases.filter((c) => c.label.includes(only)) : cases;

  process.stderr.write(`Benchmark: ${REPEATS} runs a case, medians\n`);
  const baselineDir = writeBaseline();
  const baseline = await repeat('baseline', () => measure(CDK, ['synth', '--quiet', '--no-notices'], { cwd: baselineDir }));

  const rows: string[] = [];
  const overBudget: string[] = [];
  for (const c of selected) {
    const run = await repeat(c.label, () => measure('npm', ['run', '--silent', 'synth'], { cwd: ROOT, env: { ECR_REPLICATION_TOPOLOGY: c.file } }));
    if (c.label === namespacedLabel && run.seconds / baseline.seconds > NAMESPACED_MAX_RATIO) {
      overBudget.push(`${c.label}: ${(run.seconds / baseline.seconds).toFixed(2)}x the baseline, above ${NAMESPACED_MAX_RATIO}x`);
    }
    const s = assemblyStats(CDK_OUT);
    rows.push(`| ${c.label} | ${run.seconds.toFixed(1)} s | ${(run.seconds / baseline.seconds).toFixed(2)}x | ${run.peakMiB.toFixed(0)} MiB | ${s.stacks} | ${s.resources} | ${s.maxResources} | ${s.maxOutputs} | ${s.maxTemplateKiB.toFixed(0)} KiB | ${s.stages} | ${s.actions} | ${s.maxActionsPerStage} |`);
  }

  const cpu = os.cpus();
  const lines = [
    `Machine: ${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.version}, ${os.platform()} ${os.arch()}; ${REPEATS} runs a case, median wall time, peak memory of the whole process tree.`,
    '',
    `Baseline (bare CDK app, one stack, one bucket, same CDK CLI): ${baseline.seconds.toFixed(1)} s, ${baseline.peakMiB.toFixed(0)} MiB.`,
    '',
    '| topology (destinations x repositories) | wall time | vs baseline | peak memory | stacks | resources | max resources a stack | max outputs a stack | largest template | pipeline stages | pipeline actions | max actions a stage |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  for (const line of overBudget) process.stderr.write(`over budget: ${line}\n`);
  if (overBudget.length > 0) process.exitCode = 1;
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
