/** One thing wrong with a topology, in words its author understands. */
export interface TopologyProblem {
  /**
   * Where in the file, e.g. `destinations[1].account`; `''` for the whole
   * file (missing, empty, not YAML).
   */
  readonly path: string;
  /** What is wrong and, when it helps, how to fix it. */
  readonly message: string;
  /** The offending value, when there is one. */
  readonly value?: unknown;
  /** 1-based line in the file, when known. */
  readonly line?: number;
  /** 1-based column in the file, when known. */
  readonly column?: number;
}

/** What kind of failure stopped the topology from loading. */
export type TopologyErrorKind = 'file' | 'yaml' | 'topology';

/**
 * A topology file that cannot be used, with every problem found in it.
 * Its message is the readable report; callers print it, not a stack trace.
 */
export class TopologyError extends Error {
  /** Every problem found, in file order of discovery. */
  public readonly problems: TopologyProblem[];
  /** The file name (or other label) the topology came from. */
  public readonly source: string;
  public readonly kind: TopologyErrorKind;

  constructor(source: string, problems: TopologyProblem[], kind: TopologyErrorKind = 'topology') {
    super(formatReport(source, problems, kind));
    this.name = 'TopologyError';
    this.source = source;
    this.problems = problems;
    this.kind = kind;
    Object.setPrototypeOf(this, TopologyError.prototype);
  }

  /** The readable report: a headline, then one line per problem. */
  public format(): string {
    return this.message;
  }
}

function formatReport(source: string, problems: TopologyProblem[], kind: TopologyErrorKind): string {
  const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
  const headline = {
    file: `${source} cannot be read`,
    yaml: `${source} is not valid YAML (${count})`,
    topology: `${source} is not valid (${count})`,
  }[kind];
  if (kind === 'file' && problems.length === 1) {
    return `${headline}: ${problems[0].message}`;
  }
  return [`${headline}:`, ...problems.map((p) => `  - ${formatProblem(p)}`)].join('\n');
}

/** One problem as one line: `path (line N): message (value: V)`. */
export function formatProblem(problem: TopologyProblem): string {
  const where = problem.path === ''
    ? position(problem)
    : problem.line !== undefined ? `${problem.path} (line ${problem.line})` : problem.path;
  const shown = problem.value === undefined ? undefined : formatValue(problem.value);
  // A message that already quotes the value (e.g. "got the number 12345") does not repeat it.
  const value = shown === undefined || (shown.length > 3 && problem.message.includes(shown)) ? '' : ` (value: ${shown})`;
  return `${where ? `${where}: ` : ''}${problem.message}${value}`;
}

function position(problem: TopologyProblem): string {
  if (problem.line === undefined) return '';
  return problem.column === undefined ? `line ${problem.line}` : `line ${problem.line}, column ${problem.column}`;
}

const MAX_VALUE_LENGTH = 60;

/** A value as the user would recognise it: strings quoted, long values cut. */
export function formatValue(value: unknown): string {
  let text: string;
  if (value === null) {
    text = 'empty';
  } else if (typeof value === 'string' || typeof value === 'object') {
    text = JSON.stringify(value);
  } else {
    text = String(value);
  }
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 3)}...` : text;
}
