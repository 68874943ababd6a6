/**
 * What the topology replicates where: namespaces and listed repositories,
 * their routing to destinations, and the prefix filters ECR matches them by.
 *
 * ECR's only replication filter is `PREFIX_MATCH`: a filter `shop/api` also
 * matches `shop/api-old` and `shop/api/v2`. A namespace is therefore always
 * filtered with its trailing slash (`team-a/`), so that it never matches
 * `team-ab/...`; a listed repository is filtered by its full name.
 */
import { NamespaceModel, RepositoryModel, TopologyModel } from './model';

/** The replication filter (and repository-ARN prefix) of a namespace: `<prefix>/`. */
export function namespaceFilter(prefix: string): string {
  return `${prefix}/`;
}

/** Whether `repositoryName` is under the namespace (`team-a/x` is; `team-a` and `team-ab/x` are not). */
export function namespaceCovers(namespace: Pick<NamespaceModel, 'prefix'>, repositoryName: string): boolean {
  return repositoryName.startsWith(namespaceFilter(namespace.prefix));
}

/** The namespace that covers `repositoryName`, if any (namespaces never overlap in a valid topology). */
export function coveringNamespace(topology: Pick<TopologyModel, 'namespaces'>, repositoryName: string): NamespaceModel | undefined {
  return topology.namespaces.find((namespace) => namespaceCovers(namespace, repositoryName));
}

/** The namespaces replicated to the destination `destinationId`, in file order. */
export function namespacesRoutedTo(topology: Pick<TopologyModel, 'namespaces'>, destinationId: string): NamespaceModel[] {
  return topology.namespaces.filter((namespace) => namespace.destinations.includes(destinationId));
}

/** The listed repositories replicated to the destination `destinationId`, in file order. */
export function repositoriesRoutedTo(topology: Pick<TopologyModel, 'repositories'>, destinationId: string): RepositoryModel[] {
  return topology.repositories.filter((repository) => repository.destinations.includes(destinationId));
}

/** Whether an ECR `PREFIX_MATCH` filter matches a repository name. */
export function filterMatches(filter: string, repositoryName: string): boolean {
  return repositoryName.startsWith(filter);
}
