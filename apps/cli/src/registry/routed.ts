/**
 * Which repositories the topology replicates to a destination, as they are
 * in its registry: the listed repositories routed there, plus every
 * repository that exists there under a namespace routed there (found by
 * listing the registry: a namespace's repositories are not listed in the
 * topology). Shared by `repair` and `wait`.
 */
import {
  coveringNamespace,
  namespaceCovers,
  namespacesRoutedTo,
  repositoriesRoutedTo,
  TagMutability,
  TopologyModel,
} from '@ecr-kms-replication/stacks';
import { RegistryReader } from './reader';

/** A repository the topology routes to a destination, with the settings it should have there. */
export interface RoutedRepository {
  readonly name: string;
  /** Listed in the topology, or found under a namespace (`prefix`). */
  readonly origin: { readonly kind: 'listed' } | { readonly kind: 'namespace'; readonly prefix: string };
  readonly imageTagMutability: TagMutability;
  readonly scanOnPush: boolean;
}

/**
 * The destination's repositories of the topology: the listed ones routed
 * there (whether they exist or not) and the existing ones under its namespaces.
 */
export async function routedRepositories(topology: TopologyModel, destinationId: string, reader: Pick<RegistryReader, 'allRepositories'>): Promise<RoutedRepository[]> {
  const listed: RoutedRepository[] = repositoriesRoutedTo(topology, destinationId).map((r) => ({
    name: r.name,
    origin: { kind: 'listed' },
    imageTagMutability: r.imageTagMutability,
    scanOnPush: r.scanOnPush,
  }));
  const namespaces = namespacesRoutedTo(topology, destinationId);
  if (namespaces.length === 0) return listed;
  const names = new Set(listed.map((r) => r.name));
  const found = (await reader.allRepositories())
    .map((r) => r.name)
    .filter((name) => !names.has(name))
    .sort()
    .flatMap((name): RoutedRepository[] => {
      const ns = namespaces.find((n) => namespaceCovers(n, name));
      // Creation templates and replication create namespace repositories without scanning.
      return ns ? [{ name, origin: { kind: 'namespace', prefix: ns.prefix }, imageTagMutability: ns.imageTagMutability, scanOnPush: false }] : [];
    });
  return [...listed, ...found];
}

/**
 * The destinations (ids, topology order) the topology replicates a repository
 * to: a listed repository's own routing, else the routing of the namespace
 * that covers it; empty when the topology does not replicate it.
 */
export function destinationsOfRepository(topology: TopologyModel, repositoryName: string): string[] {
  const listed = topology.repositories.find((r) => r.name === repositoryName);
  if (listed) return [...listed.destinations];
  return [...(coveringNamespace(topology, repositoryName)?.destinations ?? [])];
}

