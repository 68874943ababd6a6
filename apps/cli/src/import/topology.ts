/**
 * A source registry, as read, turned into a topology file: the replication
 * configuration's destinations, the repositories it replicates (marked
 * `existing: true`, since they are in the source already) with their settings,
 * and placeholders for what a registry cannot tell (the pipeline, the key
 * principals). Pure: the command reads, this decides, the stacks package writes.
 */
import {
  EXISTING_EVERYWHERE,
  EXISTING_SOURCE,
  FieldComment,
  formatTopologyFile,
  LifecycleModel,
  TopologyError,
  validateTopology,
} from '@ecr-kms-replication/stacks';
import { lifecycleFromPolicy } from './lifecycle';
import { count, importReplication, listNames, ProposedNamespace } from './replication';
import { partitionOf, ReplicationRuleData, RepositoryData } from '../registry/data';

/** What the import reads from the source registry. */
export interface SourceRegistry {
  readonly account: string;
  readonly region: string;
  readonly rules: readonly ReplicationRuleData[];
  /** Every repository of the registry. */
  readonly repositories: readonly RepositoryData[];
  /** Lifecycle policy texts of the replicated repositories, by name (a repository without a policy is absent). */
  readonly lifecyclePolicies: ReadonlyMap<string, string>;
  /**
   * What each destination (by `<account>-<region>`) holds of the replicated
   * repositories, or why it could not be read.
   * @default - the destinations were not read
   */
  readonly destinations?: ReadonlyMap<string, ReadonlyMap<string, RepositoryData> | { readonly error: string }>;
}

/** The topology file made from a registry, before it is written. */
export interface ImportedTopology {
  /** The file's fields, in the documented order, with {@link PLACEHOLDERS} where nothing could be read. */
  readonly data: Record<string, unknown>;
  /** Comment lines for the top of the file. */
  readonly header: readonly string[];
  readonly comments: readonly FieldComment[];
  /** What was not imported, or imported differently, each in a sentence. */
  readonly problems: readonly string[];
  /** What the destinations already hold and what `preflight` will say about it, each in a sentence. */
  readonly notes: readonly string[];
  /** Counts, for the command's summary. */
  readonly summary: { readonly destinations: number; readonly repositories: number; readonly namespaces?: number };
}

/** Values that stand for what the registry cannot tell; `validate` refuses them until they are replaced. */
export const PLACEHOLDERS = {
  connectionArn: '<connection ARN>',
  repository: '<owner>/<name>',
} as const;

/** The product's defaults for a repository (the repository construct's and the topology's). */
const DEFAULT_TAG_MUTABILITY = 'IMMUTABLE';
const DEFAULT_SCAN_ON_PUSH = true;

/** Partitions without repository creation templates (the topology refuses `creationTemplate: true` there). */
const PARTITIONS_WITHOUT_CREATION_TEMPLATES = ['aws-cn', 'aws-us-gov'];

/** Comment lines are wrapped at this width. */
const COMMENT_WIDTH = 100;

/** The repositories the import reads lifecycle policies of: those the rules replicate. */
export function replicatedRepositories(rules: readonly ReplicationRuleData[], repositories: readonly RepositoryData[]): string[] {
  return [...importReplication(rules, repositories.map((r) => r.name)).repositories];
}

export function importTopology(registry: SourceRegistry): ImportedTopology {
  const byName = new Map(registry.repositories.map((r) => [r.name, r]));
  const replication = importReplication(registry.rules, registry.repositories.map((r) => r.name), (name) => byName.get(name)?.imageTagMutability);
  const problems = [...replication.problems];

  const settings = replication.repositories.map((name) => repositorySettings(byName.get(name)!, registry.lifecyclePolicies.get(name), problems));
  const { defaults, perRepository } = factorDefaults(settings);
  const namespaces = replication.namespaces.map((n) => proposedNamespace(n, replication.destinations, byName));
  // A listed repository under a proposed namespace is routed like it (a topology refuses one that contradicts its namespace).
  const routing = (name: string) => {
    const i = replication.namespaces.findIndex((n) => n.repositories.includes(name));
    const destinations = i >= 0 ? namespaces[i].destinations : undefined;
    return destinations ? { destinations } : {};
  };
  const held = destinationCopies(registry, replication.repositories, replication.destinations.map((d) => `${d.account}-${d.region}`));
  const repositories = replication.repositories.map((name, i) => ({ name, existing: held.existing(name), ...perRepository[i], ...routing(name) }));

  const destinations = replication.destinations.map((d) => PARTITIONS_WITHOUT_CREATION_TEMPLATES.includes(partitionOf(d.region))
    ? { account: d.account, region: d.region, creationTemplate: false }
    : { account: d.account, region: d.region });

  const data: Record<string, unknown> = {
    source: { account: registry.account, region: registry.region },
    destinations,
    ...(namespaces.length > 0 ? { namespaces } : {}),
    repositories,
    ...(Object.keys(defaults).length > 0 ? { defaults } : {}),
    pipeline: {
      account: registry.account,
      region: registry.region,
      connectionArn: PLACEHOLDERS.connectionArn,
      repository: PLACEHOLDERS.repository,
      branch: 'main',
    },
  };
  problems.push(...remainingValidationProblems(data));

  const comments: FieldComment[] = [
    ...destinations.flatMap((d, i) => ('creationTemplate' in d
      ? [{ path: ['destinations', i, 'creationTemplate'], inline: `repository creation templates are not available in ${partitionOf(d.region)}` }]
      : [])),
    ...(namespaces.length > 0
      ? [
        {
          path: ['namespaces'],
          above: wrap('Proposed by the import, to review: each live filter below is a prefix of several repositories. A namespace replicates '
            + 'every repository under <prefix>/, also those created later, and gives the source and each destination it is routed to a creation '
            + 'template (KMS with that registry\'s key). Keep an entry, narrow its destinations, or delete it to replicate only the listed repositories.'),
        },
        ...replication.namespaces.map((n, i) => ({
          path: ['namespaces', i, 'prefix'],
          inline: `review: from rule ${n.rule} filter '${n.filter}', covers ${count(n.repositories.length, 'repository')} today`,
        })),
      ]
      : []),
    ...(repositories.length > 0
      ? [{ path: ['repositories'], above: wrap('existing: true: in the source registry already; the source stage adopts them as they are (not created, encryption unchanged).') }]
      : []),
    ...held.repositoryComments.map(([name, lines]) => ({ path: ['repositories', replication.repositories.indexOf(name)], above: lines })),
    ...held.destinationComments.map(([id, lines]) => ({
      path: ['destinations', replication.destinations.findIndex((d) => `${d.account}-${d.region}` === id)], above: lines,
    })),
    {
      path: ['pipeline'],
      above: [
        ...wrap('Key principals cannot be read from a registry. Name yours (the roles must exist), or leave them out: '
          + 'each key is then administered and used through the IAM policies of its account.'),
        `keyAdmins: ["arn:aws:iam::${registry.account}:role/KeyAdmin"]`,
        `keyUsers: ["arn:aws:iam::${registry.account}:role/CiPush"]`,
        '',
        ...wrap('Where the pipeline lives and the Git repository it builds from cannot be read from a registry either: '
          + 'fill in the placeholders (validate refuses the file until then). The account and Region are the source\'s; '
          + 'change them when the pipeline lives in another (tools) account.'),
      ],
    },
    { path: ['pipeline', 'connectionArn'], inline: 'placeholder: the ARN of your CodeConnections connection' },
    { path: ['pipeline', 'repository'], inline: 'placeholder: owner/name of the Git repository holding this project' },
  ];

  const header = [
    ...wrap(`Imported by \`ecr-kms-replication import\` from the registry of account ${registry.account} in ${registry.region}: `
      + `its replication configuration (${count(registry.rules.length, 'rule')}, ${count(destinations.length, 'destination')}) `
      + `and the ${count(repositories.length, 'repository')} it replicates, with their settings. `
      + 'Fill in the placeholders, then check the file with `ecr-kms-replication validate`.'),
    ...(held.notes.length > 0 ? ['', 'In the destinations:', ...held.notes.flatMap((n) => wrap(n, '  - ', '    '))] : []),
    ...(problems.length > 0
      ? ['', `Not imported as it is (${count(problems.length, 'note')}, also printed by the import):`, ...problems.flatMap((p) => wrap(p, '  - ', '    '))]
      : []),
  ];
  return {
    data,
    header,
    comments,
    problems,
    notes: held.notes,
    summary: {
      destinations: destinations.length,
      repositories: repositories.length,
      ...(namespaces.length > 0 ? { namespaces: namespaces.length } : {}),
    },
  };
}

/**
 * A proposed namespace as the topology file writes it: its destinations when
 * the filter's rules send it to some destinations only, and the tag
 * mutability its repositories share when that is not the default.
 */
function proposedNamespace(
  namespace: ProposedNamespace,
  destinations: readonly { account: string; region: string }[],
  byName: ReadonlyMap<string, RepositoryData>,
): { prefix: string; destinations?: string[]; imageTagMutability?: string } {
  const routed = destinations.filter((d) => namespace.destinations.some((x) => x.account === d.account && x.region === d.region));
  const mutabilities = new Set(namespace.repositories.map((name) => byName.get(name)?.imageTagMutability?.replace(/_WITH_EXCLUSION$/, '')));
  const [mutability] = mutabilities;
  return {
    prefix: namespace.prefix,
    ...(routed.length < destinations.length ? { destinations: routed.map((d) => `${d.account}-${d.region}`) } : {}),
    ...(mutabilities.size === 1 && (mutability === 'MUTABLE' || mutability === 'IMMUTABLE') && mutability !== DEFAULT_TAG_MUTABILITY
      ? { imageTagMutability: mutability } : {}),
  };
}

function isKms(repo: RepositoryData): boolean {
  return repo.encryptionType === 'KMS' || repo.encryptionType === 'KMS_DSSE';
}

/**
 * The replicated repositories the destinations already hold: replication
 * created every one that was missing, with AES-256 unless a repository creation
 * template said otherwise (ECR user guide: a template defines "the settings to use
 * for repositories created by Amazon ECR on your behalf during pull through cache
 * or replication actions", repository-creation-templates-create.html). A
 * KMS-encrypted copy is adopted as it is (`existing` names the destination);
 * an AES-256 one can never be, and `preflight` fails it with the commands that replace it.
 */
function destinationCopies(registry: SourceRegistry, names: readonly string[], destinationIds: readonly string[]) {
  const kmsIn = new Map<string, string[]>();
  const aesIn = new Map<string, string[]>();
  const keys = new Map<string, string[]>();
  const destinationComments: [string, string[]][] = [];
  const notes: string[] = [];
  for (const id of destinationIds) {
    const read = registry.destinations?.get(id);
    if (read === undefined) continue;
    if ('error' in read) {
      destinationComments.push([id, wrap(`Not read (${read.error}): replication may already have created the replicated repositories here, `
        + 'AES-256-encrypted unless a creation template said otherwise; preflight will say which exist.')]);
      notes.push(`${id} could not be read (${read.error}): preflight will say which replicated repositories exist there.`);
      continue;
    }
    const kms: string[] = [];
    const aes: string[] = [];
    for (const name of names) {
      const repo = (read as ReadonlyMap<string, RepositoryData>).get(name);
      if (!repo) continue;
      if (isKms(repo)) {
        kms.push(name);
        kmsIn.set(name, [...kmsIn.get(name) ?? [], id]);
        keys.set(name, [...keys.get(name) ?? [], `${id}: ${repo.encryptionType} with ${repo.kmsKey ?? 'an unnamed key'}`]);
      } else {
        aes.push(name);
        aesIn.set(name, [...aesIn.get(name) ?? [], id]);
      }
    }
    if (kms.length > 0) {
      notes.push(`${id} holds ${count(kms.length, 'replicated repository')} encrypted with KMS (${listNames(kms)}): marked existing there, `
        + 'so preflight reports them adopted (they keep their key).');
    }
    if (aes.length > 0) {
      notes.push(`${id} holds ${count(aes.length, 'replicated repository')} encrypted with AES-256, as replication creates them (${listNames(aes)}): `
        + 'encryption cannot be changed, so preflight fails each with the commands that replace it (their images come back by backfill).');
    }
  }
  const repositoryComments: [string, string[]][] = names.flatMap((name): [string, string[]][] => {
    const lines = [
      ...(keys.get(name) ?? []).map((k) => `already in ${k} (adopted as it is)`),
      ...(aesIn.get(name) ?? []).map((id) => `already in ${id} with AES-256 (made by replication): preflight fails it, to be replaced`),
    ];
    return lines.length > 0 ? [[name, lines]] : [];
  });
  const existing = (name: string): true | string | string[] => {
    const there = kmsIn.get(name) ?? [];
    if (there.length === 0) return true;
    return there.length === destinationIds.length ? EXISTING_EVERYWHERE : [EXISTING_SOURCE, ...there];
  };
  return { existing, repositoryComments, destinationComments, notes };
}


/** The topology file's text; `schema` is the `$schema` reference for editors. */
export function importedTopologyText(imported: ImportedTopology, schema?: string): string {
  return formatTopologyFile(imported.data, { schema, header: imported.header, comments: imported.comments });
}

interface Settings {
  imageTagMutability?: string;
  scanOnPush?: boolean;
  lifecycle?: LifecycleModel;
}

/** A repository's settings that differ from the product's defaults. */
function repositorySettings(repo: RepositoryData, lifecyclePolicy: string | undefined, problems: string[]): Settings {
  const settings: Settings = {};
  const mutability = repo.imageTagMutability;
  if (mutability !== undefined) {
    const base = mutability.replace(/_WITH_EXCLUSION$/, '');
    if (base !== mutability) {
      problems.push(`repository ${repo.name} has ${mutability}${repo.tagMutabilityExclusions ? ` (exceptions: ${repo.tagMutabilityExclusions.join(', ')})` : ''}: `
        + `the topology has no exceptions; imported as ${base}.`);
    }
    if (base === 'MUTABLE' || base === 'IMMUTABLE') {
      if (base !== DEFAULT_TAG_MUTABILITY) settings.imageTagMutability = base;
    } else {
      problems.push(`repository ${repo.name} has tag mutability ${mutability}, which the topology does not know: left at ${DEFAULT_TAG_MUTABILITY}.`);
    }
  }
  if (repo.scanOnPush !== undefined && repo.scanOnPush !== DEFAULT_SCAN_ON_PUSH) settings.scanOnPush = repo.scanOnPush;
  const lifecycle = lifecycleFromPolicy(lifecyclePolicy);
  if ('problem' in lifecycle) {
    problems.push(`repository ${repo.name}: its lifecycle policy ${lifecycle.problem}. Not imported: the destinations get `
      + 'no lifecycle policy, and the source repository keeps its own.');
  } else if (lifecycle.lifecycle) {
    settings.lifecycle = lifecycle.lifecycle;
  }
  return settings;
}

/**
 * A setting that every repository (two or more) shares goes to `defaults`
 * once; the others stay on their repositories.
 */
function factorDefaults(settings: readonly Settings[]): { defaults: Settings; perRepository: Settings[] } {
  const defaults: Settings = {};
  const perRepository = settings.map((s) => ({ ...s }));
  if (settings.length < 2) return { defaults, perRepository };
  for (const key of ['imageTagMutability', 'scanOnPush', 'lifecycle'] as const) {
    const first = JSON.stringify(settings[0][key]);
    if (settings[0][key] !== undefined && settings.every((s) => JSON.stringify(s[key]) === first)) {
      (defaults as Record<string, unknown>)[key] = settings[0][key];
      perRepository.forEach((s) => delete s[key]);
    }
  }
  return { defaults, perRepository };
}

/** What `validate` would still refuse once the placeholders are filled in (e.g. more repositories than one configuration holds). */
function remainingValidationProblems(data: Record<string, unknown>): string[] {
  const source = data.source as { account: string; region: string };
  const filled = {
    ...data,
    pipeline: {
      ...(data.pipeline as Record<string, unknown>),
      connectionArn: `arn:${partitionOf(source.region)}:codeconnections:${source.region}:${source.account}:connection/00000000-0000-0000-0000-000000000000`,
      repository: 'owner/name',
    },
  };
  try {
    validateTopology(filled, 'the imported topology');
    return [];
  } catch (e) {
    if (!(e instanceof TopologyError)) throw e;
    return e.problems
      .filter((p) => !(p.path === 'repositories' && (data.repositories as unknown[]).length === 0))
      .map((p) => `validate will refuse ${p.path || 'the file'}: ${p.message}.`);
  }
}

/** `text` as comment lines of at most {@link COMMENT_WIDTH} characters, the first after `first`, the others after `rest`. */
export function wrap(text: string, first = '', rest = ''): string[] {
  const lines: string[] = [];
  let prefix = first;
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    if (line !== '' && prefix.length + line.length + 1 + word.length > COMMENT_WIDTH) {
      lines.push(prefix + line);
      prefix = rest;
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(prefix + line);
  return lines;
}
