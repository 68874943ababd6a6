/**
 * Rules that compare fields with each other. They read the raw file data
 * defensively (skipping entries whose own fields are wrong), so that they run
 * even when the schema found problems, and the user gets every problem at once.
 */
import { didYouMean } from './did-you-mean';
import { TopologyProblem } from './errors';
import {
  ECR_QUOTAS,
  MAX_REPOSITORIES,
  PARTITIONS_WITHOUT_CREATION_TEMPLATES,
  isAccountId,
  isKnownRegion,
  partitionOf,
} from './rules';

type Data = Record<string, unknown>;

function isRecord(value: unknown): value is Data {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** `account region` of an entry whose account and Region are both valid. */
function environmentKey(value: unknown): { account: string; region: string } | undefined {
  if (isRecord(value) && isAccountId(value.account) && isKnownRegion(value.region)) {
    return { account: value.account, region: value.region };
  }
  return undefined;
}

export function crossCheckProblems(data: unknown): TopologyProblem[] {
  if (!isRecord(data)) return [];
  return [...destinationProblems(data), ...repositoryProblems(data)];
}

function destinationProblems(data: Data): TopologyProblem[] {
  const problems: TopologyProblem[] = [];
  const source = environmentKey(data.source);
  const sourcePartition = source && partitionOf(source.region);
  const firstIndex = new Map<string, number>();

  list(data.destinations).forEach((entry, i) => {
    const env = environmentKey(entry);
    if (!env) return;
    const path = `destinations[${i}]`;
    const key = `${env.account} ${env.region}`;
    const first = firstIndex.get(key);
    if (first !== undefined) {
      problems.push({ path, message: `repeats destinations[${first}] (account ${env.account}, Region ${env.region}); list each destination once` });
      return;
    }
    firstIndex.set(key, i);

    if (source && source.account === env.account && source.region === env.region) {
      problems.push({ path, message: `is the source registry itself (account ${env.account}, Region ${env.region}); a registry cannot replicate to itself` });
    }
    const partition = partitionOf(env.region);
    if (sourcePartition && partition !== sourcePartition) {
      problems.push({
        path: `${path}.region`,
        message: `is in partition ${partition} but the source is in ${sourcePartition}; ECR cannot replicate across partitions`,
        value: env.region,
      });
    }
    const creationTemplate = isRecord(entry) && entry.creationTemplate !== false;
    if (creationTemplate && partition && PARTITIONS_WITHOUT_CREATION_TEMPLATES.includes(partition)) {
      problems.push({
        path: `${path}.creationTemplate`,
        message: `repository creation templates (on by default) are not available in ${env.region} (partition ${partition}); set creationTemplate: false`,
      });
    }
  });

  if (firstIndex.size > ECR_QUOTAS.maxUniqueDestinations) {
    problems.push({
      path: 'destinations',
      message: `lists ${firstIndex.size} destinations; ECR replicates a registry to at most `
        + `${ECR_QUOTAS.maxUniqueDestinations} unique destinations (service quota "unique destinations per replication configuration")`,
    });
  }
  return problems;
}

function repositoryProblems(data: Data): TopologyProblem[] {
  const problems: TopologyProblem[] = [];
  const repositories = list(data.repositories);
  const firstIndex = new Map<string, number>();

  repositories.forEach((entry, i) => {
    if (!isRecord(entry) || typeof entry.name !== 'string') return;
    const first = firstIndex.get(entry.name);
    if (first !== undefined) {
      problems.push({ path: `repositories[${i}].name`, message: `repeats repositories[${first}]; list each repository once`, value: entry.name });
    } else {
      firstIndex.set(entry.name, i);
    }
  });

  problems.push(...existingProblems(data, repositories));

  if (repositories.length > MAX_REPOSITORIES) {
    problems.push({
      path: 'repositories',
      message: `lists ${repositories.length.toLocaleString('en-US')} repositories; one replication configuration holds at most `
        + `${MAX_REPOSITORIES.toLocaleString('en-US')} (ECR quotas: ${ECR_QUOTAS.maxRulesPerConfiguration} rules `
        + `× ${ECR_QUOTAS.maxFiltersPerRule} repository filters per rule)`,
    });
  }
  return problems;
}

/** `existing` lists environments of this topology, each once. */
function existingProblems(data: Data, repositories: unknown[]): TopologyProblem[] {
  const source = environmentKey(data.source);
  const sourceId = source ? `${source.account}-${source.region}` : undefined;
  const known = [
    'source',
    ...(sourceId ? [sourceId] : []),
    ...list(data.destinations).flatMap((d) => {
      const env = environmentKey(d);
      return env ? [`${env.account}-${env.region}`] : [];
    }),
  ];
  const problems: TopologyProblem[] = [];
  repositories.forEach((entry, i) => {
    if (!isRecord(entry) || !Array.isArray(entry.existing)) return;
    const seen = new Set<string>();
    entry.existing.forEach((id, j) => {
      if (typeof id !== 'string') return;
      const path = `repositories[${i}].existing[${j}]`;
      if (!known.includes(id)) {
        const hint = didYouMean(id, known);
        problems.push({
          path,
          message: `is not an environment of this topology${hint ? `; did you mean '${hint}'?` : ` (known: ${known.join(', ')})`}`,
          value: id,
        });
        return;
      }
      // `source` and the source's own id name the same registry.
      const canonical = id === 'source' && sourceId ? sourceId : id;
      if (seen.has(canonical)) {
        problems.push({ path, message: 'names an environment already listed; list each environment once', value: id });
      }
      seen.add(canonical);
    });
  });
  return problems;
}
