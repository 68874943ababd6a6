import * as fs from 'fs';
import * as nodePath from 'path';
import * as YAML from 'yaml';
import { z } from 'zod';
import { crossCheckProblems } from './cross-checks';
import { didYouMean } from './did-you-mean';
import { TopologyError, TopologyProblem } from './errors';
import { DestinationModel, LifecycleModel, NamespaceModel, RepositoryModel, TopologyModel, environmentId } from './model';
import { DEFAULT_VERIFY_SCHEDULE, EXISTING_EVERYWHERE, EXISTING_SOURCE, TopologyFile, VERIFY_SCHEDULE_OFF, topologySchema } from './schema';

type Segment = string | number;

const REQUIRED_FIELDS = 'source, destinations, repositories (or namespaces) and pipeline';

/** Reads, parses and validates a topology file. Throws `TopologyError` for anything a user got wrong. */
export function loadTopology(path: string): TopologyModel {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (error) {
    throw new TopologyError(path, [{ path: '', message: readErrorMessage(error, path) }], 'file');
  }
  return parseTopology(text, path);
}

function readErrorMessage(error: unknown, path: string): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT': return `file not found (looked for ${nodePath.resolve(path)})`;
    case 'EISDIR': return 'is a directory, not a file';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    default: return error instanceof Error ? error.message : String(error);
  }
}

/** Parses YAML text (JSON is YAML too) and validates it. `source` names the text in messages. */
export function parseTopology(text: string, source: string = 'topology'): TopologyModel {
  const lineCounter = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new TopologyError(source, doc.errors.map(yamlProblem), 'yaml');
  }
  const locate = (path: string) => lineOf(doc, lineCounter, parsePath(path));
  return validate(doc.toJS({ maxAliasCount: 1000 }), source, locate);
}

function yamlProblem(error: YAML.YAMLError): TopologyProblem {
  const position = error.linePos?.[0];
  const message = error.code === 'DUPLICATE_KEY'
    ? 'a field is given twice in the same mapping (keys must be unique)'
    : error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  return { path: '', message, line: position?.line, column: position?.col };
}

/** Validates already-parsed data (e.g. from a test or another format). */
export function validateTopology(data: unknown, source: string = 'topology'): TopologyModel {
  return validate(data, source, () => undefined);
}

function validate(data: unknown, source: string, locate: (path: string) => number | undefined): TopologyModel {
  if (data === undefined || data === null) {
    throw new TopologyError(source, [{ path: '', message: `the file is empty; it must define ${REQUIRED_FIELDS}` }]);
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new TopologyError(source, [{
      path: '',
      message: `must be a mapping of fields (${REQUIRED_FIELDS}), not ${Array.isArray(data) ? 'a list' : `a ${typeof data}`}`,
      value: data,
    }]);
  }

  const result = topologySchema.safeParse(data, { error: defaultMessage });
  const problems = [
    ...(result.success ? [] : result.error.issues.flatMap((issue) => issueProblems(issue, data))),
    ...crossCheckProblems(data),
  ]
    .map((problem) => {
      const line = problem.line ?? locate(problem.path);
      return line === undefined ? problem : { ...problem, line };
    })
    .sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));

  if (problems.length > 0 || !result.success) {
    throw new TopologyError(source, problems);
  }
  return toModel(result.data);
}

// ---------------------------------------------------------------------------
// zod issues → problems in the user's words

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping of fields',
  record: 'a mapping of fields',
};

/** Wording for every issue a schema does not word itself. */
const defaultMessage: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}${issue.input === null ? ' (it is empty)' : ''}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'too_small':
      return issue.origin === 'string' ? `must be at least ${issue.minimum} characters long` : `must be at least ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'string' ? `must be at most ${issue.maximum} characters long` : `must be at most ${issue.maximum}`;
    case 'unrecognized_keys':
      return 'is not a known field';
    default:
      return undefined;
  }
};

function issueProblems(issue: z.core.$ZodIssue, data: unknown): TopologyProblem[] {
  if (issue.code === 'unrecognized_keys') {
    const known = knownFieldsAt(issue.path);
    return issue.keys.map((key) => {
      const hint = didYouMean(key, known);
      return {
        path: formatPath([...issue.path, key]),
        message: hint ? `is not a known field; did you mean '${hint}'?` : `is not a known field (known fields here: ${known.join(', ')})`,
      };
    });
  }
  if (issue.code === 'invalid_key') {
    // A bad key of a map (tags): say which key, not where its value is.
    return issue.issues.map((inner) => ({ path: formatPath(issue.path), message: inner.message, value: issue.path[issue.path.length - 1] }));
  }
  const value = valueAt(data, issue.path);
  return [{ path: formatPath(issue.path), message: issue.message, ...(value === undefined ? {} : { value }) }];
}

/** The fields the schema allows in the mapping at `path`. */
function knownFieldsAt(path: readonly PropertyKey[]): string[] {
  let schema: z.core.$ZodType = topologySchema;
  for (const segment of [...path, null]) {
    for (;;) {
      if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault) {
        schema = schema.unwrap() as z.core.$ZodType;
      } else if (schema instanceof z.ZodUnion && schema.options.some((option) => option instanceof z.ZodObject)) {
        // `false` or a mapping (alerts): the mapping's fields.
        schema = schema.options.find((option) => option instanceof z.ZodObject) as z.core.$ZodType;
      } else {
        break;
      }
    }
    if (segment === null) break;
    if (schema instanceof z.ZodArray) {
      schema = schema.element as z.core.$ZodType;
    } else if (schema instanceof z.ZodObject) {
      schema = (schema.shape as Record<string, z.core.$ZodType>)[String(segment)];
    } else {
      return [];
    }
  }
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current = data;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** `destinations[1].account`; odd keys (tags) as `tags["cost center"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((segment, i) => {
    if (typeof segment === 'number') return `[${segment}]`;
    const key = String(segment);
    if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return i === 0 ? key : `.${key}`;
    return `[${JSON.stringify(key)}]`;
  }).join('');
}

function parsePath(path: string): Segment[] {
  const segments: Segment[] = [];
  for (const match of path.matchAll(/\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\.?([^.[\]]+)/g)) {
    if (match[1] !== undefined) segments.push(Number(match[1]));
    else if (match[2] !== undefined) segments.push(JSON.parse(match[2]) as string);
    else segments.push(match[3]);
  }
  return segments;
}

/** The line of the deepest node on `path` that the file has: the field's key when there is one. */
function lineOf(doc: YAML.Document, lineCounter: YAML.LineCounter, path: Segment[]): number | undefined {
  for (let n = path.length; n > 0; n--) {
    const parent = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1), true);
    const segment = path[n - 1];
    let node: unknown;
    if (YAML.isMap(parent)) {
      node = parent.items.find((pair) => YAML.isScalar(pair.key) && pair.key.value === segment)?.key;
    } else if (YAML.isSeq(parent) && typeof segment === 'number') {
      node = parent.items[segment];
    }
    if (YAML.isNode(node) && node.range) {
      return lineCounter.linePos(node.range[0]).line;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// file → model: defaults and derived facts

function toModel(file: TopologyFile): TopologyModel {
  const principals = (own: { keyAdmins?: string[]; keyUsers?: string[] }) => ({
    keyAdmins: own.keyAdmins ?? file.keyAdmins,
    keyUsers: own.keyUsers ?? file.keyUsers,
  });
  const source = {
    account: file.source.account,
    region: file.source.region,
    id: environmentId(file.source),
    ...principals(file.source),
  };
  const destinations: DestinationModel[] = file.destinations.map((d) => ({
    account: d.account,
    region: d.region,
    id: environmentId(d),
    crossAccount: d.account !== source.account,
    creationTemplate: d.creationTemplate,
    ...principals(d),
  }));
  const defaults = file.defaults ?? {};
  const everywhere = destinations.map((d) => d.id);
  // Routing as written, kept in the topology's destination order.
  const routed = (ids: readonly string[] | undefined) => (ids === undefined ? everywhere : everywhere.filter((id) => ids.includes(id)));
  const repositories: RepositoryModel[] = (file.repositories ?? []).map((r) => {
    const lifecycle = lifecycleOf(r.lifecycle ?? defaults.lifecycle);
    return {
      name: r.name,
      ...existingOf(r.existing, source.id, everywhere),
      imageTagMutability: r.imageTagMutability ?? defaults.imageTagMutability ?? 'IMMUTABLE',
      scanOnPush: r.scanOnPush ?? defaults.scanOnPush ?? true,
      ...(lifecycle ? { lifecycle } : {}),
      destinations: routed(r.destinations),
    };
  });
  const namespaces: NamespaceModel[] = (file.namespaces ?? []).map((n) => {
    const lifecycle = lifecycleOf(n.lifecycle ?? defaults.lifecycle);
    return {
      prefix: n.prefix,
      destinations: routed(n.destinations),
      imageTagMutability: n.imageTagMutability ?? defaults.imageTagMutability ?? 'IMMUTABLE',
      ...(lifecycle ? { lifecycle } : {}),
    };
  });
  return {
    source,
    destinations,
    repositories,
    namespaces,
    pipeline: { ...file.pipeline },
    keyAlias: file.keyAlias,
    removal: file.removal,
    tags: { ...file.tags },
    ...alertsModel(file),
  };
}

/** A lifecycle that sets something, or `undefined`. */
function lifecycleOf(lifecycle: LifecycleModel | undefined): LifecycleModel | undefined {
  return lifecycle !== undefined && (lifecycle.maxImageCount !== undefined || lifecycle.untaggedExpiryDays !== undefined)
    ? { ...lifecycle }
    : undefined;
}

/** Alerts are on unless the file says `alerts: false`. */
function alertsModel(file: TopologyFile): Pick<TopologyModel, 'alerts'> {
  if (file.alerts === false) return {};
  const alerts = file.alerts ?? { emails: [], verifySchedule: DEFAULT_VERIFY_SCHEDULE, gitProvider: 'GitHub' as const };
  return {
    alerts: {
      emails: [...alerts.emails],
      ...(alerts.verifySchedule === VERIFY_SCHEDULE_OFF ? {} : { verifySchedule: alerts.verifySchedule }),
      gitProvider: alerts.gitProvider,
    },
  };
}

/** `existing` as written (true, everywhere, a list of environments) → where the repository is adopted. */
function existingOf(existing: NonNullable<TopologyFile['repositories']>[number]['existing'], sourceId: string, destinationIds: readonly string[]) {
  if (existing === EXISTING_EVERYWHERE) return { existing: true, existingDestinations: [...destinationIds] };
  if (typeof existing === 'boolean') return { existing, existingDestinations: [] };
  const ids = new Set(existing);
  return {
    existing: ids.has(EXISTING_SOURCE) || ids.has(sourceId),
    existingDestinations: destinationIds.filter((id) => ids.has(id)),
  };
}
