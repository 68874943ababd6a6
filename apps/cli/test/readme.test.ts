/**
 * The documentation's commands and paths, checked against the repository,
 * for the README and every page of docs/: every
 * `npx ecr-kms-replication <command> ...` names a real command with real
 * options, every `npm run <script>` exists, every repository path and
 * relative link exists, and the commands that are offline and cheap
 * (validate, plan) run for real and print what the page shows after them.
 * The README, read by users in ten minutes, stays within 400 lines.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Command, Option } from 'commander';
import { Capture } from './fixtures';
import { createProgram, runCli } from '../src/cli';

const ROOT = path.join(__dirname, '..', '..', '..');
/** The README and every page of docs/, relative to the root. */
const PAGES = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const README_MAX_LINES = 400;
const SCRIPTS: Record<string, string> = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts;
/** Commands that only read local files: the test runs them. */
const OFFLINE_COMMANDS = new Set(['validate', 'plan']);

interface Snippet {
  /** 1-based line in the page. */
  readonly line: number;
  readonly text: string;
  /** What the page shows as this command's output, if it does. */
  readonly output?: string;
}

/** Inline code spans, fenced code lines (with the output shown after a `$ ` line) and link targets of a page. */
function readmeSnippets(text: string) {
  const spans: Snippet[] = [];
  const codeLines: Snippet[] = [];
  const links: Snippet[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const fence = /^\s*(```|~~~)/.exec(lines[i]);
    if (fence) {
      const start = i;
      const block: string[] = [];
      for (i++; i < lines.length && !lines[i].trimStart().startsWith(fence[1]); i++) block.push(lines[i]);
      for (let j = 0; j < block.length; j++) {
        const command = /^\$ (.*)$/.exec(block[j]);
        if (command) {
          let end = j + 1;
          while (end < block.length && !block[end].startsWith('$ ')) end++;
          codeLines.push({ line: start + j + 2, text: command[1], output: block.slice(j + 1, end).join('\n') });
        } else {
          codeLines.push({ line: start + j + 2, text: block[j] });
        }
      }
      continue;
    }
    // A paragraph that ends with "`command`:" introduces the block after it as that command's output.
    const next = lines.slice(i + 1).findIndex((l) => l.trim() !== '');
    const introduces = /`:\s*$/.test(lines[i]) && next >= 0 && /^\s*(```|~~~)/.test(lines[i + 1 + next]);
    const spanPattern = /`([^`]+)`/g;
    let match: RegExpExecArray | null;
    let last: Snippet | undefined;
    while ((match = spanPattern.exec(lines[i])) !== null) {
      last = { line: i + 1, text: match[1] };
      spans.push(last);
    }
    if (introduces && last) {
      const blockStart = i + 1 + next;
      const end = lines.findIndex((l, k) => k > blockStart && /^\s*(```|~~~)/.test(l));
      spans[spans.length - 1] = { ...last, output: lines.slice(blockStart + 1, end).join('\n') };
    }
    for (const link of lines[i].matchAll(/\]\(([^)\s]+)\)/g)) {
      links.push({ line: i + 1, text: link[1] });
    }
  }
  return { spans, codeLines, links };
}

/** Shell words, quotes removed, up to the end of the first command (`&&`, `;`, `|`, `#`). */
function shellWords(text: string): string[] {
  const words: string[] = [];
  for (const match of text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
    const word = match[1] ?? match[2] ?? match[3];
    if (match[3] !== undefined && ['&&', '||', ';', '|', '#'].includes(word)) break;
    if (match[3] !== undefined && /[;|]$/.test(word)) {
      words.push(word.slice(0, -1));
      break;
    }
    words.push(word);
  }
  return words;
}

interface CliUse extends Snippet {
  readonly args: string[];
  /** Shown as a command to type (`npx ...` or in a code block), not only named in a sentence. */
  readonly typed: boolean;
  /** `VAR=value` words in front of the command. */
  readonly env: Record<string, string>;
}

/** Every `npx ecr-kms-replication ...` (or `ecr-kms-replication ...`) a page shows. */
function cliUses(text: string): CliUse[] {
  const { spans, codeLines } = readmeSnippets(text);
  const uses: CliUse[] = [];
  for (const [snippet, inBlock] of [...spans.map((s) => [s, false] as const), ...codeLines.map((s) => [s, true] as const)]) {
    const words = shellWords(snippet.text);
    // Skip leading VAR=value assignments.
    let k = 0;
    while (k < words.length && /^[A-Z_][A-Z0-9_]*=/.test(words[k])) k++;
    const npx = words[k] === 'npx';
    if (npx) k++;
    if (words[k] !== 'ecr-kms-replication' || k + 1 >= words.length) continue;
    const args = words.slice(k + 1);
    // A placeholder (`<command>`) is a description, not a command.
    if (args.some((a) => /^<.*>$/.test(a))) continue;
    const env = Object.fromEntries(words.slice(0, k - (npx ? 1 : 0)).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
    uses.push({ ...snippet, args, typed: npx || inBlock, env });
  }
  return uses;
}

/** The problems with `args` for this program: unknown command, unknown option, extra argument. */
function usageProblems(program: Command, args: string[]): string[] {
  const builtIn = ['-h', '--help', '-V', '--version'];
  if (builtIn.includes(args[0])) return [];
  const command = program.commands.find((c) => c.name() === args[0] || c.aliases().includes(args[0]));
  if (!command) {
    return [`"${args[0]}" is not a command (commands: ${program.commands.map((c) => c.name()).join(', ')})`];
  }
  const options: readonly Option[] = command.options;
  const problems: string[] = [];
  let positional = 0;
  const allowed = command.registeredArguments;
  for (let i = 1; i < args.length; i++) {
    const arg = args[i];
    if (arg.startsWith('-')) {
      const name = arg.split('=')[0];
      const option = options.find((o) => o.long === name || o.short === name);
      if (!option) {
        if (!['-h', '--help'].includes(name)) problems.push(`"${name}" is not an option of ${command.name()}`);
        continue;
      }
      if ((option.required || option.optional) && !arg.includes('=')) i++;
    } else if (positional < allowed.length || allowed[allowed.length - 1]?.variadic) {
      positional++;
    } else {
      problems.push(`"${arg}": ${command.name()} takes no argument there`);
    }
  }
  return problems;
}

test(`the README is at most ${README_MAX_LINES} lines`, () => {
  const lines = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').trimEnd().split('\n').length;
  expect(lines).toBeLessThanOrEqual(README_MAX_LINES);
});

test('the README links every page of docs/ once', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const counts = PAGES.filter((page) => page.startsWith('docs/')).map((page) => [page, readme.split(`](${page})`).length - 1]);
  expect(counts).toEqual(PAGES.filter((page) => page.startsWith('docs/')).map((page) => [page, 1]));
});

describe.each(PAGES)('%s', (PAGE) => {
  const TEXT = fs.readFileSync(path.join(ROOT, PAGE), 'utf8');
  const DIR = path.dirname(path.join(ROOT, PAGE));
  const program = createProgram({ stdout: new Capture(), stderr: new Capture(), env: {} }, () => undefined);
  const uses = cliUses(TEXT);

  if (PAGE === 'README.md') {
    test('shows the ecr-kms-replication command', () => {
      expect(uses.length).toBeGreaterThan(0);
    });
  }

  test('names only real commands and options of ecr-kms-replication', () => {
    const problems = uses.flatMap((use) => usageProblems(program, use.args).map((p) => `${PAGE}:${use.line}: ${use.text}: ${p}`));
    expect(problems).toEqual([]);
  });

  test('names only npm scripts that exist', () => {
    const { spans, codeLines } = readmeSnippets(TEXT);
    const problems: string[] = [];
    for (const snippet of [...spans, ...codeLines]) {
      for (const match of snippet.text.matchAll(/\bnpm run (?:--silent )?([A-Za-z0-9:_-]+)/g)) {
        if (!(match[1] in SCRIPTS)) problems.push(`${PAGE}:${snippet.line}: npm run ${match[1]}: no such script in package.json`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('names only repository paths that exist', () => {
    const { spans, codeLines, links } = readmeSnippets(TEXT);
    const candidates = [
      ...spans.flatMap((s) => shellWords(s.text).map((text) => ({ ...s, text }))),
      ...codeLines.flatMap((s) => shellWords(s.text).map((text) => ({ ...s, text }))),
    ];
    const checked = new Set<string>();
    const missing: string[] = [];
    // Links are relative to the page.
    for (const link of links.filter((l) => !/^[a-z]+:|^#/.test(l.text))) {
      const target = path.resolve(DIR, link.text.split('#')[0]);
      checked.add(target);
      if (!fs.existsSync(target)) missing.push(`${PAGE}:${link.line}: ${link.text}`);
    }
    // Paths in code are relative to the repository root, where the commands run.
    for (const candidate of candidates) {
      // file://x, VAR=x and --option=x name a path too.
      const word = candidate.text.replace(/^file:\/\//, '').replace(/^[A-Za-z_-]+=/, '');
      if (!/^(\.\/)?(apps|packages|tools|docs|\.ci)\/[A-Za-z0-9_./-]*[A-Za-z0-9_/-]$/.test(word)) continue;
      // Build outputs, not files of the repository.
      if (/(^|\/)(cdk\.out|lib|node_modules|\.build)(\/|$)/.test(word)) continue;
      if (checked.has(word)) continue;
      checked.add(word);
      if (!fs.existsSync(path.join(ROOT, word))) missing.push(`${PAGE}:${candidate.line}: ${word}`);
    }
    expect(checked.size).toBeGreaterThan(0);
    expect(missing).toEqual([]);
  });

  const offline = uses.filter((use) => use.typed && OFFLINE_COMMANDS.has(use.args[0])
    && ![...use.args, ...Object.values(use.env)].some((a) => a.includes('$')));
  // Jest refuses an empty table: a page without offline commands has no such block.
  if (offline.length > 0) {
    describe('offline commands run as shown', () => {
      const cwd = process.cwd();
      beforeAll(() => process.chdir(ROOT));
      afterAll(() => process.chdir(cwd));

      test.each(offline.map((use) => [`${PAGE}:${use.line}: ${use.text}`, use] as const))('%s', async (_name, use) => {
        const stdout = new Capture();
        const stderr = new Capture();
        const code = await runCli(use.args, { stdout, stderr, env: { ...use.env } });
        if (use.output !== undefined) {
          expect((stdout.text + stderr.text).trim()).toBe(use.output.trim());
        } else {
          expect({ code, stderr: stderr.text }).toEqual({ code: 0, stderr: '' });
        }
      });
    });
  }
});
