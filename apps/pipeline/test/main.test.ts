import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { temporaryDirectory } from '@ecr-kms-replication/testing';

/** The output the README shows for `npm run synth`, all but its last line (which names the output folder). */
function readmeSynthOutput(): string[] {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  const intro = readme.indexOf('`npm run synth` prints the plan for the same file, then synthesizes and says what it wrote:');
  const start = readme.indexOf('```text\n', intro) + '```text\n'.length;
  const lines = readme.slice(start, readme.indexOf('```\n', start)).trimEnd().split('\n');
  return lines.slice(0, -1);
}

/** `npm run synth` (bin/synth.js) into `outdir`, which starts with a stale assembly in it. */
function synth(topology: string) {
  const outdir = temporaryDirectory('cdk-out-');
  fs.mkdirSync(path.join(outdir, 'assembly-Pipeline-Destination-999999999999-eu-north-1'));
  fs.writeFileSync(path.join(outdir, 'manifest.json'), '{}');
  const root = path.join(__dirname, '..', '..', '..');
  const result = spawnSync(process.execPath, [path.join(__dirname, '..', 'bin', 'app.js')], {
    cwd: root,
    // As npm runs it from the repository root: INIT_CWD is where the command was typed.
    env: { ...process.env, CDK_OUTDIR: outdir, ECR_REPLICATION_TOPOLOGY: topology, INIT_CWD: root, CDK_CONTEXT_JSON: '{}' },
    encoding: 'utf8',
  });
  const lines = result.stderr.trimEnd().split('\n');
  return { status: result.status, lastLine: lines[lines.length - 1], stderr: result.stderr, contents: fs.readdirSync(outdir).sort() };
}

describe('the main job (npm run synth)', () => {
  test('a valid topology: a fresh cloud assembly, and one last line that says what was written', () => {
    const { status, lastLine, stderr, contents } = synth('apps/pipeline/topology.yaml');
    expect(status).toBe(0);
    // What the README shows, line for line: no deprecation notice or other noise in between.
    const shown = stderr.trimEnd().split('\n').slice(0, -1);
    expect(shown).toEqual(readmeSynthOutput());
    expect(lastLine).toMatch(/^Synthesized 11 stacks of apps\/pipeline\/topology\.yaml into \S+$/);
    expect(contents).toContain('Pipeline.template.json');
    expect(contents).not.toContain('assembly-Pipeline-Destination-999999999999-eu-north-1');
  });

  test('an invalid topology: exit 2, the report as the last line, no templates left', () => {
    const { status, lastLine, stderr, contents } = synth('apps/pipeline/examples/invalid-topology.yaml');
    expect(status).toBe(2);
    expect(stderr).toMatch(/^\napps\/pipeline\/examples\/invalid-topology\.yaml is not valid \(3 problems\):\n/);
    expect(lastLine).toBe('  - repositories[0].name (line 15): is not a valid ECR repository name: it must be lowercase (value: "Team-A/service")');
    expect(stderr).not.toMatch(/Subprocess exited|feature flags|Supply a stack id/);
    expect(contents).toEqual([]);
  });
});
