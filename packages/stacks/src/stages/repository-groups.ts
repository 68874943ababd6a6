import { RepositoryModel } from '../topology/model';

/**
 * How many repositories stacks an environment may have. Repositories are
 * spread over them by a hash of their name, so a repository's stack never
 * depends on which other repositories exist: adding or removing one never
 * moves another (a retained repository could not be re-created elsewhere).
 *
 * Four groups keep 1,000 repositories (the most one replication
 * configuration can name) at about 250 resources a stack, half of
 * CloudFormation's limit of 500.
 */
export const REPOSITORY_GROUP_COUNT = 4;

/** The group (1-based) a repository belongs to, from its name alone. */
export function repositoryGroup(name: string): number {
  // FNV-1a, 32 bits: stable across Node.js versions and platforms. A hash
  // is bit arithmetic by nature, hence the lint exceptions.
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    // eslint-disable-next-line no-bitwise
    hash ^= name.charCodeAt(i);
    // eslint-disable-next-line no-bitwise
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash % REPOSITORY_GROUP_COUNT) + 1;
}

/** The non-empty groups, in group order, each with its repositories in input order. */
export function groupRepositories<T extends Pick<RepositoryModel, 'name'>>(repositories: readonly T[]): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const repository of repositories) {
    const group = repositoryGroup(repository.name);
    const members = groups.get(group);
    if (members) {
      members.push(repository);
    } else {
      groups.set(group, [repository]);
    }
  }
  return new Map([...groups.entries()].sort(([a], [b]) => a - b));
}
