'use strict';
// Runs AWS Control Tower's proactive controls (cfn-guard rules shipped in
// @cdklabs/cdk-validator-cfnguard) over a folder of synthesized templates and
// fails on any failure that tools/cfn-guard-accepted.json does not accept.
//
// Usage: node tools/cfn-guard-check.js <templates folder>
// The folder holds `<topology>__<stack>.template.json` files (tools/cfn-guard.sh).
//
// Only the rule folders that report on a resource type the templates contain
// run, one `cfn-guard validate` per folder (a run over rule files of several
// services reported fewer failures).
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const PACKAGE = path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json', { paths: [ROOT] }));
const RULES = path.join(PACKAGE, 'rules', 'control-tower', 'cfn-guard');
const CFN_GUARD = path.join(PACKAGE, 'bin', 'ubuntu', 'x86_64', 'cfn-guard');
const ACCEPTED_FILE = path.join(__dirname, 'cfn-guard-accepted.json');

/** cfn-guard's exit codes: 0 every rule passed or was skipped, 19 some rule failed; others are errors. */
const EXIT_PASS = 0;
const EXIT_FAIL = 19;

/** The resource types a rule file reports on, from its "Reports on:" header. */
function reportedTypes(ruleFile) {
  const lines = fs.readFileSync(ruleFile, 'utf8').split('\n');
  const at = lines.findIndex((line) => /^#\s*Reports on:/.test(line));
  if (at < 0) return [];
  return lines[at + 1].replace(/^#/, '').split(',').map((type) => type.trim()).filter(Boolean);
}

/** Rule folders (one per service) whose rules report on one of `types`. */
function ruleFoldersFor(types) {
  return fs.readdirSync(RULES).sort().filter((folder) => {
    const dir = path.join(RULES, folder);
    return fs.readdirSync(dir).some((file) => file.endsWith('.guard')
      && reportedTypes(path.join(dir, file)).some((type) => types.has(type)));
  });
}

/** Every not-compliant rule in cfn-guard's structured output, as { file, control, rule, resources }. */
function failuresOf(results) {
  const failures = [];
  for (const result of results) {
    for (const entry of result.not_compliant) {
      const text = JSON.stringify(entry);
      const control = (text.match(/\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/) ?? [])[1] ?? entry.Rule.name;
      const resources = [...new Set([...text.matchAll(/"path":"\/Resources\/([^/"]+)/g)].map((m) => m[1]))];
      failures.push({ file: path.basename(result.name), control, rule: entry.Rule.name, resources });
    }
  }
  return failures;
}

function main() {
  const folder = process.argv[2];
  if (!folder) {
    console.error('usage: node tools/cfn-guard-check.js <templates folder>');
    process.exit(2);
  }
  const files = fs.readdirSync(folder).filter((f) => f.endsWith('.template.json')).sort();
  const templates = new Map(files.map((f) => [f, JSON.parse(fs.readFileSync(path.join(folder, f), 'utf8'))]));
  const types = new Set([...templates.values()].flatMap((t) => Object.values(t.Resources ?? {}).map((r) => r.Type)));
  const folders = ruleFoldersFor(types);
  const covered = new Set(folders.flatMap((f) => fs.readdirSync(path.join(RULES, f))
    .filter((file) => file.endsWith('.guard')).flatMap((file) => reportedTypes(path.join(RULES, f, file)))));
  const uncovered = [...types].filter((t) => !covered.has(t) && !t.startsWith('AWS::CDK::')).sort();
  console.log(`cfn-guard: ${files.length} templates; rules of ${folders.join(', ')}`);
  if (uncovered.length > 0) console.log(`cfn-guard: no Control Tower rule reports on ${uncovered.join(', ')}`);

  const failures = [];
  for (const rules of folders) {
    let output;
    try {
      output = execFileSync(CFN_GUARD, ['validate', '--rules', path.join(RULES, rules), '--data', folder,
        '--structured', '--output-format', 'json', '--show-summary', 'none'], { encoding: 'utf8', maxBuffer: 1 << 30 });
    } catch (error) {
      if (error.status !== EXIT_FAIL) {
        console.error(`cfn-guard: validate with the ${rules} rules failed (exit ${error.status}):\n${error.stderr ?? ''}`);
        process.exit(1);
      }
      output = error.stdout;
    }
    failures.push(...failuresOf(JSON.parse(output)));
  }

  const accepted = JSON.parse(fs.readFileSync(ACCEPTED_FILE, 'utf8')).accepted;
  const used = new Set();
  const rejected = [];
  const acceptedCounts = new Map();
  for (const failure of failures) {
    const topology = failure.file.split('__')[0];
    const template = templates.get(failure.file);
    const resources = failure.resources.length > 0 ? failure.resources : ['(template)'];
    for (const resource of resources) {
      const type = template.Resources?.[resource]?.Type;
      const match = accepted.find((a) => a.control === failure.control
        && a.resourceType === type
        && new RegExp(a.logicalId ?? '.*').test(resource)
        && (a.topologies === undefined || a.topologies.some((file) => path.basename(file, '.yaml') === topology)));
      if (match) {
        used.add(match);
        acceptedCounts.set(match.control, (acceptedCounts.get(match.control) ?? 0) + 1);
      } else {
        rejected.push(`${failure.control} (${failure.rule}) ${failure.file}: ${resource}${type ? ` (${type})` : ''}`);
      }
    }
  }

  for (const [control, count] of [...acceptedCounts].sort()) {
    console.log(`cfn-guard: ${control}: ${count} accepted (see tools/cfn-guard-accepted.json)`);
  }
  for (const entry of accepted.filter((a) => !used.has(a))) {
    console.log(`cfn-guard: warning: the accepted ${entry.control} on ${entry.resourceType} matched nothing: remove it?`);
  }
  if (rejected.length > 0) {
    console.error(`cfn-guard: ${rejected.length} failures not in tools/cfn-guard-accepted.json:`);
    for (const line of rejected) console.error(`  ${line}`);
    process.exit(1);
  }
  console.log('cfn-guard: no failure beyond the accepted ones');
}

main();
