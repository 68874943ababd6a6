/**
 * What `repair` would do to one destination repository, decided from what
 * was read (no SDK here). A repository's encryption can never be changed:
 * one that is not KMS-encrypted with its registry's key is rebuilt (deleted,
 * recreated with the key, refilled from the source by a backfill). Its tag
 * mutability is corrected in place. The one rule IAM cannot enforce is
 * enforced here: a repository is rebuilt only if the source holds every one
 * of its images (by digest, active) with every one of its tags.
 */
import { designatesKey, ImageSummary, KeyData, RepositoryData } from '../registry/data';
import { RoutedRepository } from '../registry/routed';

/**
 * What repair does to a repository:
 * - `none`: on the registry's key (or adopted with its own KMS key) with the right tag mutability;
 * - `fix-tag-mutability`: on its key, wrong tag mutability: `PutImageTagMutability` in place;
 * - `rebuild`: not on the key and every image is in the source: delete, recreate with the key, backfill;
 * - `refused`: not on the key and the source lacks an image or tag: never deleted;
 * - `absent`: a listed repository that does not exist here (the destination stage creates it).
 */
export type RepairAction = 'none' | 'fix-tag-mutability' | 'rebuild' | 'refused' | 'absent';

/** An image of the destination repository the source lacks, or holds without some of its tags. */
export interface MissingFromSource {
  readonly digest: string;
  readonly tags: readonly string[];
  /** The image is not in the source at all (`image`), archived there (`archived`), or some tags point elsewhere (`tags`). */
  readonly what: 'image' | 'archived' | 'tags';
  /** With `tags`: the tags the source does not give this image. */
  readonly missingTags: readonly string[];
}

export interface RepositoryAssessment {
  readonly name: string;
  readonly origin: RoutedRepository['origin'];
  readonly action: RepairAction;
  /** `AES256`, `KMS`, `KMS_DSSE`; absent when the repository does not exist. */
  readonly encryptionType?: string;
  readonly kmsKey?: string;
  readonly imageTagMutability?: string;
  readonly expectedTagMutability: string;
  /** Every image of the repository here (every status). */
  readonly images: readonly ImageSummary[];
  readonly missingFromSource: readonly MissingFromSource[];
  /** One line for a human. */
  readonly detail: string;
}

export interface AssessInput {
  readonly expected: RoutedRepository;
  /** `undefined`: the repository does not exist in the destination. */
  readonly repository?: RepositoryData;
  /** The registry's key (behind the topology's alias) and that alias. */
  readonly key: KeyData;
  readonly alias: string;
  /** The repository is adopted here (`existing`): any KMS key is accepted. */
  readonly adopted: boolean;
  /** Images of the repository here, every status (read only when it is to be rebuilt). */
  readonly images: readonly ImageSummary[];
  /** Images of the same repository in the source, every status; `undefined` when the source has no such repository. */
  readonly sourceImages?: readonly ImageSummary[];
}

/** Whether the repository must be rebuilt (its encryption is not the one it must have). */
export function needsRebuild(repository: RepositoryData, key: KeyData, alias: string, adopted: boolean): boolean {
  const kms = repository.encryptionType === 'KMS' || repository.encryptionType === 'KMS_DSSE';
  if (!kms) return true;
  return !adopted && !designatesKey(repository.kmsKey, key, alias);
}

/** The images of `images` the source does not hold as they are here (digest active there, every tag on it). */
export function missingFromSource(images: readonly ImageSummary[], sourceImages: readonly ImageSummary[] | undefined): MissingFromSource[] {
  const source = new Map((sourceImages ?? []).map((i) => [i.digest, i]));
  return images.flatMap((image): MissingFromSource[] => {
    const there = source.get(image.digest);
    if (!there) return [{ digest: image.digest, tags: image.tags, what: 'image', missingTags: image.tags }];
    // A backfill replicates active images only: an archived one (or one being restored) would not come back.
    if ((there.status ?? 'ACTIVE') !== 'ACTIVE') return [{ digest: image.digest, tags: image.tags, what: 'archived', missingTags: [] }];
    const missingTags = image.tags.filter((t) => !there.tags.includes(t));
    return missingTags.length > 0 ? [{ digest: image.digest, tags: image.tags, what: 'tags', missingTags }] : [];
  });
}

export function assessRepository(input: AssessInput): RepositoryAssessment {
  const { expected, repository } = input;
  const base = { name: expected.name, origin: expected.origin, expectedTagMutability: expected.imageTagMutability };
  if (!repository) {
    return { ...base, action: 'absent', images: [], missingFromSource: [], detail: 'does not exist here: the destination stage creates it' };
  }
  const state = {
    ...base,
    encryptionType: repository.encryptionType,
    kmsKey: repository.kmsKey,
    imageTagMutability: repository.imageTagMutability,
    images: input.images,
  };
  const encryption = repository.encryptionType === 'KMS' || repository.encryptionType === 'KMS_DSSE'
    ? `${repository.encryptionType} with ${repository.kmsKey ?? 'an unnamed key'}`
    : (repository.encryptionType ?? 'AES256');
  if (!needsRebuild(repository, input.key, input.alias, input.adopted)) {
    if (repository.imageTagMutability !== expected.imageTagMutability) {
      return {
        ...state,
        action: 'fix-tag-mutability',
        missingFromSource: [],
        detail: `tag mutability ${repository.imageTagMutability ?? '(unknown)'}, not ${expected.imageTagMutability}: set in place (PutImageTagMutability)`,
      };
    }
    return { ...state, action: 'none', missingFromSource: [], detail: `${encryption}: nothing to repair` };
  }
  const missing = missingFromSource(input.images, input.sourceImages);
  if (missing.length > 0) {
    return {
      ...state,
      action: 'refused',
      missingFromSource: missing,
      detail: `${encryption}, not ${input.alias}; never deleted: ${missing.length} of its ${input.images.length} image(s) are not in the source as they are here`,
    };
  }
  return {
    ...state,
    action: 'rebuild',
    missingFromSource: [],
    detail: `${encryption}, not ${input.alias}; every one of its ${input.images.length} image(s) is in the source: delete, recreate with ${input.alias}, backfill`,
  };
}
