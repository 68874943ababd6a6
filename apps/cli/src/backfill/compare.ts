/**
 * Which source images a destination lacks: image digests compared per
 * repository. Pure: the images are read elsewhere (`RegistryReader.images`).
 */
import { Environment, TopologyModel } from '@ecr-kms-replication/stacks';
import { ImageSummary, isArchived, ReplicationRuleData } from '../registry/data';
import { replicatedBy } from '../registry/namespaces';

export interface MissingImages {
  readonly repository: string;
  /** The repository does not exist in the destination at all. */
  readonly repositoryMissing: boolean;
  /** Source images (most recent first) whose digest the destination repository does not have. */
  readonly images: readonly ImageSummary[];
}

/**
 * For each repository with source images, those the destination lacks.
 * `destination` maps a repository to its images there, or `undefined` when
 * the repository does not exist there. Repositories lacking nothing are left out.
 * A destination image counts whatever its status (an archived one is there);
 * an archived source image is not asked for: it cannot be pulled, and ECR does
 * not document that a backfill copies it (it would be "missing" on every run).
 */
export function missingImages(
  source: ReadonlyMap<string, readonly ImageSummary[]>,
  destination: ReadonlyMap<string, readonly ImageSummary[] | undefined>,
): MissingImages[] {
  const result: MissingImages[] = [];
  for (const [repository, images] of source) {
    if (images.length === 0) continue;
    const there = destination.get(repository);
    const digests = new Set((there ?? []).map((i) => i.digest));
    const missing = images.filter((i) => !isArchived(i) && !digests.has(i.digest));
    if (missing.length > 0) result.push({ repository, repositoryMissing: there === undefined, images: missing });
  }
  return result;
}

/** How an image is named to a person: its first tag and short digest. */
export function imageName(image: { digest?: string; tag?: string; tags?: readonly string[] }): string {
  const tag = image.tag ?? image.tags?.[0];
  const digest = image.digest ? image.digest.replace(/^sha256:/, '').slice(0, 12) : undefined;
  if (tag && digest) return `${tag} (${digest})`;
  return tag ?? digest ?? 'an image';
}

/**
 * A backfill includes the images that match the current replication rules for
 * its destination (Amazon ECR User Guide, "Replication backfill":
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/replication-backfill.html).
 * The source repositories a backfill to `destination` copies: every one that
 * a rule sending to it matches (the rules are prefixes: listed or not, under a
 * namespace or not), and the listed ones routed there. In the order of the
 * topology's list, then by name.
 */
export function repositoriesCopiedTo(
  topology: Pick<TopologyModel, 'repositories'>,
  rules: readonly ReplicationRuleData[],
  sourceRepositories: readonly string[],
  destination: Environment & { readonly id: string },
): string[] {
  const toHere = rules.filter((rule) => rule.destinations.some((d) => d.registryId === destination.account && d.region === destination.region));
  const listed = topology.repositories.filter((r) => r.destinations.includes(destination.id)).map((r) => r.name);
  const matched = replicatedBy(toHere, [...sourceRepositories].sort());
  return [...new Set([...listed, ...matched])];
}
