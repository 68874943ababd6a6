/**
 * `verify` without the command line: reads every registry of a topology
 * (through the shared access layer) and runs the checks.
 */
import { DestinationModel, repositoriesRoutedTo, SourceModel, TopologyModel } from '@ecr-kms-replication/stacks';
import {
  checkCreationTemplate,
  checkDeadLetterQueue,
  checkDestinationRepositories,
  checkImagePresence,
  checkImageReplication,
  checkRegistryPolicy,
  checkReplication,
  checkSourceRepositories,
  CREATION_TEMPLATE_PREFIX,
  deploysCreationTemplate,
  KeyData,
} from './checks';
import { checkNamespaceReplication, checkNamespaceRepositories, checkNamespaceTemplates, checkUnmanaged } from './namespaces';
import { staleAlertsStack, staleStacks } from './stale';
import { CallerIdentityError, ForEachOptions, forEachRegistry } from '../registry/access';
import { ImageSummary, isArchived, QueueLocation } from '../registry/data';
import { describeAwsError } from '../registry/errors';
import { namespacesIn } from '../registry/namespaces';
import { mapLimit } from '../registry/pool';
import { RegistryReader } from '../registry/reader';
import { buildReport, CheckResult, EnvironmentReport, failedReport, VerifyReport } from '../report/result';

export interface VerifyOptions extends ForEachOptions {
  /** Check the replication status of this many recent images per source repository. */
  readonly images?: number;
  /**
   * Dead-letter queues of the alerts whose depth to check, each read in its
   * own account and Region (a queue outside the topology's registries, e.g.
   * the pipeline's, adds an environment of kind `alerts`).
   */
  readonly deadLetterQueues?: readonly QueueLocation[];
  readonly now?: () => Date;
}

type Target = (SourceModel & { kind: 'source' }) | (DestinationModel & { kind: 'destination' })
  | { id: string; account: string; region: string; kind: 'alerts' };

/** Reads every registry of the topology and checks it against the topology. */
export async function verifyTopology(topology: TopologyModel, options: VerifyOptions): Promise<VerifyReport> {
  const targets: Target[] = [
    { ...topology.source, kind: 'source' },
    ...topology.destinations.map((dest) => ({ ...dest, kind: 'destination' as const })),
  ];
  const queues = options.deadLetterQueues ?? [];
  for (const queue of queues) {
    const id = `${queue.account}-${queue.region}`;
    if (!targets.some((t) => t.account === queue.account && t.region === queue.region)) {
      targets.push({ id, account: queue.account, region: queue.region, kind: 'alerts' });
    }
  }
  const queuesIn = (env: Target) => queues.filter((q) => q.account === env.account && q.region === env.region);
  // With --images, the source's most recent images by repository, for the
  // destinations to compare with. The source comes first in `targets`, so it
  // is always read before (or while) the destinations wait for it.
  const sourceImages = deferred<ReadonlyMap<string, readonly ImageSummary[]>>();
  try {
    const reports = await forEachRegistry(targets, { sessionName: 'ecr-kms-replication-verify', ...options }, async (registry): Promise<EnvironmentReport> => {
      const { env } = registry;
      const base = { id: env.id, kind: env.kind, account: env.account, region: env.region, role: registry.role };
      if ('error' in registry.identity) {
        if (env.kind === 'source') sourceImages.resolve(new Map());
        return { ...base, checks: [{ check: 'access', status: 'error', detail: registry.identity.error }] };
      }
      const access: CheckResult = { check: 'access', status: 'pass', detail: `read as ${registry.identity.arn}` };
      const deadLetters = checkDeadLetterQueues(queuesIn(env), registry.reader);
      if (env.kind === 'alerts') return { ...base, checks: [access, ...await deadLetters] };
      const dest = env.kind === 'destination' ? topology.destinations.find((d) => d.id === env.id) : undefined;
      try {
        const checks = await checkEnvironment(topology, env, dest, registry.reader, options, sourceImages);
        return { ...base, checks: [access, ...checks, ...await deadLetters] };
      } finally {
        if (!dest) sourceImages.resolve(new Map());
      }
    });
    // With alerts: false, the alerts stack left in the pipeline account, reported with the source.
    const leftover = await staleAlertsStack(topology, { sessionName: 'ecr-kms-replication-verify', ...options });
    if (leftover.length > 0 && reports[0]) reports[0] = { ...reports[0], checks: [...reports[0].checks, ...leftover] };
    return buildReport(reports);
  } catch (e) {
    if (e instanceof CallerIdentityError) return failedReport(e.detail);
    throw e;
  }
}

async function checkEnvironment(
  topology: TopologyModel,
  env: SourceModel | DestinationModel,
  dest: DestinationModel | undefined,
  reader: RegistryReader,
  options: VerifyOptions,
  sourceImages: Deferred<ReadonlyMap<string, readonly ImageSummary[]>>,
): Promise<CheckResult[]> {
  const names = topology.repositories.map((r) => r.name);
  const guard = async (check: CheckResult['check'], fn: () => Promise<CheckResult[]>): Promise<CheckResult[]> => {
    try {
      return await fn();
    } catch (e) {
      return [{ check, status: 'error', detail: describeAwsError(e, env.region) }];
    }
  };

  // Read once, on first use, and shared by the checks that need them.
  const rules = once(() => reader.replicationRules());
  const key = once(() => reader.key(topology.keyAlias).catch((e): { error: string } => ({ error: describeAwsError(e, env.region) })));
  const templates = once(() => reader.allCreationTemplates().catch((e): { error: string } => ({ error: describeAwsError(e, env.region) })));
  const namespaced = namespacesIn(topology, env.id).length > 0;
  const namespaceChecks = namespaced
    ? Promise.all([
      guard('namespace', async () => checkNamespaceRepositories(topology, env, await reader.allRepositories(), await key())),
      guard('creation-template', async () => checkNamespaceTemplates(topology, env, await templates(), await key())),
    ]).then((parts) => parts.flat())
    : Promise.resolve([]);
  // Stacks of ours the topology no longer produces (CDK Pipelines leaves them deployed).
  const stale = guard('stale-stack', () => staleStacks(topology, env, reader));

  if (!dest) {
    const recent = options.images && options.images > 0
      ? readRecentImages(reader, names, options.images).then((images) => { sourceImages.resolve(images); })
      : Promise.resolve(sourceImages.resolve(new Map()));
    const unmanaged = guard('unmanaged', async () => checkUnmanaged(topology, (await reader.allRepositories()).map((r) => r.name), await rules()));
    const [replication, repositories] = await Promise.all([
      guard('replication', async () => [...checkReplication(topology, await rules()), ...checkNamespaceReplication(topology, await rules())]),
      guard('repository', async () => {
        const found = await reader.repositories(names);
        const results = checkSourceRepositories(topology, found);
        if (options.images && options.images > 0) {
          const now = options.now?.() ?? new Date();
          const existing = names.filter((n) => found.has(n));
          results.push(...await mapLimit(existing, 4, async (name): Promise<CheckResult> => {
            try {
              return checkImageReplication(name, await reader.recentImages(name, options.images!), now);
            } catch (e) {
              return { check: 'image-replication', repository: name, status: 'error', detail: describeAwsError(e, env.region) };
            }
          }));
        }
        return results;
      }),
    ]);
    await recent;
    return [...replication, ...repositories, ...await namespaceChecks, ...await unmanaged, ...await stale];
  }

  const [repositories, policy, template] = await Promise.all([
    guard('repository', async () => {
      const found = await reader.repositories(repositoriesRoutedTo(topology, dest.id).map((r) => r.name));
      return checkDestinationRepositories(topology, dest, found, await key() as KeyData | { error: string });
    }),
    dest.crossAccount
      ? guard('registry-policy', async () => checkRegistryPolicy(topology, dest, await reader.registryPolicy(), namespaced ? await templates() : undefined))
      : Promise.resolve([]),
    deploysCreationTemplate(dest)
      ? guard('creation-template', async () => [checkCreationTemplate(
        topology, dest, await reader.creationTemplates([CREATION_TEMPLATE_PREFIX]), await key() as KeyData | { error: string })])
      : Promise.resolve([]),
  ]);
  const presence = options.images && options.images > 0
    ? await checkPresence(dest, reader, await sourceImages.promise)
    : [];
  return [...repositories, ...policy, ...template, ...await namespaceChecks, ...presence, ...await stale];
}

/** `fn`, called at most once: its promise is shared by every caller. */
function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => (promise ??= fn());
}

/** The depth of each dead-letter queue of an environment; a queue that cannot be read is an error. */
function checkDeadLetterQueues(queues: readonly QueueLocation[], reader: RegistryReader): Promise<CheckResult[]> {
  return Promise.all(queues.map(async (queue): Promise<CheckResult> => {
    try {
      return checkDeadLetterQueue(queue, await reader.queueDepth(queue.url));
    } catch (e) {
      return { check: 'dead-letter-queue', status: 'error', detail: `${queue.url}: ${describeAwsError(e, queue.region)}` };
    }
  }));
}

/**
 * The `count` most recent images of each source repository that can be read (absent or unreadable: left out).
 * Archived ones are left out as `backfill --only-missing` leaves them out: they cannot be pulled.
 */
async function readRecentImages(reader: RegistryReader, names: readonly string[], count: number): Promise<Map<string, ImageSummary[]>> {
  const images = await mapLimit(names, 4, (name) => reader.images(name)
    .then((all) => all.filter((i) => !isArchived(i)).slice(0, count), () => undefined));
  return new Map(names.flatMap((name, i) => (images[i] ? [[name, images[i]] as const] : [])));
}

/** Destination, with `--images`: the source's recent images are here (one row per repository with source images). */
async function checkPresence(
  dest: DestinationModel,
  reader: RegistryReader,
  sourceRecent: ReadonlyMap<string, readonly ImageSummary[]>,
): Promise<CheckResult[]> {
  const repositories = [...sourceRecent].filter(([, images]) => images.length > 0);
  const results = await mapLimit(repositories, 4, async ([name, recent]): Promise<CheckResult | undefined> => {
    try {
      return checkImagePresence(dest, name, recent, await reader.images(name));
    } catch (e) {
      // A missing repository is already the repository check's failure.
      if ((e as Error).name === 'RepositoryNotFoundException') return undefined;
      return { check: 'image-presence', repository: name, status: 'error', detail: describeAwsError(e, dest.region) };
    }
  });
  return results.filter((r): r is CheckResult => r !== undefined);
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  /** The first call wins. */
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => { resolve = r; });
  return { promise, resolve };
}
