/**
 * The validated topology: what the topology file says, with every default
 * applied and every derived fact (environment ids, cross-account flags)
 * computed once. Everything downstream (stages, plan, pipeline, verify)
 * reads this model, never the file.
 */

/** An AWS environment: one registry is one account in one Region. */
export interface Environment {
  /** 12-digit AWS account ID. */
  readonly account: string;
  /** AWS Region code, e.g. `eu-west-1`. */
  readonly region: string;
}

/** Whether image tags can be overwritten. */
export type TagMutability = 'IMMUTABLE' | 'MUTABLE';

/** Lifecycle settings applied to every copy of a repository. */
export interface LifecycleModel {
  /** Keep at most this many images. `undefined`: no count limit. */
  readonly maxImageCount?: number;
  /** Expire untagged images after this many days. `undefined`: never. */
  readonly untaggedExpiryDays?: number;
}

/** A repository, created with the same name in the source and every destination. */
export interface RepositoryModel {
  /** The repository name, identical in every registry. */
  readonly name: string;
  /**
   * The repository already exists in the source registry: the source stage
   * adopts it instead of creating it.
   */
  readonly existing: boolean;
  /**
   * The ids of the destinations where the repository already exists (KMS-encrypted):
   * their stages adopt it instead of creating it. It stays covered by the
   * registry policy and the replication configuration. Empty: created everywhere.
   */
  readonly existingDestinations: readonly string[];
  readonly imageTagMutability: TagMutability;
  readonly scanOnPush: boolean;
  readonly lifecycle?: LifecycleModel;
  /**
   * The ids of the destinations the repository is replicated to, in the
   * topology's destination order. Every destination unless the file routes it.
   */
  readonly destinations: readonly string[];
}

/**
 * A namespace: every repository whose name starts with `<prefix>/`, listed or
 * not. It never covers a repository named `<prefix>` itself, nor
 * `<prefix>ab/...` (see {@link namespaceFilter}).
 */
export interface NamespaceModel {
  /** The namespace without its trailing `/`, e.g. `team-a` or `org/team-a`. */
  readonly prefix: string;
  /**
   * The ids of the destinations the namespace is replicated to, in the
   * topology's destination order. Every destination unless the file routes it.
   */
  readonly destinations: readonly string[];
  /** Tag mutability of every repository created under the namespace. */
  readonly imageTagMutability: TagMutability;
  /** Lifecycle of every repository created under the namespace. */
  readonly lifecycle?: LifecycleModel;
}

/** Who administers and who uses a KMS key, as IAM principal ARNs. */
export interface KeyPrincipals {
  /** Administrative actions only (no encrypt/decrypt). */
  readonly keyAdmins: readonly string[];
  /** Use actions only, through ECR in the key's Region. */
  readonly keyUsers: readonly string[];
}

/** The registry images are pushed to (the original templates' *primary* Region). */
export interface SourceModel extends Environment, KeyPrincipals {
  /** `<account>-<region>`: unique among the topology's environments. */
  readonly id: string;
}

/** A registry images are replicated to (the original templates' *secondary* Region). */
export interface DestinationModel extends Environment, KeyPrincipals {
  /** `<account>-<region>`: unique among the topology's environments. */
  readonly id: string;
  /** The destination is in another account than the source: it needs a registry policy. */
  readonly crossAccount: boolean;
  /**
   * The topology allows repository creation templates here: the `ROOT`
   * safety net (same-account destinations only, see
   * {@link deploysCreationTemplate}) and the templates of the namespaces
   * routed here. A namespace may not be routed to a destination without them.
   */
  readonly creationTemplate: boolean;
}

/**
 * Whether a destination gets the `ROOT` creation template safety net (for
 * repositories outside every namespace). Replication creates a missing
 * repository only where the source may call `ecr:CreateRepository`: always
 * in its own account, and in another account only where the registry policy
 * grants it. This product's registry policy grants it only on the prefixes of
 * the namespaces routed there (`repository/<prefix>/*`), never on the whole
 * registry, so a cross-account `ROOT` template would never act and is not
 * deployed. Namespace templates are another matter: every registry a
 * namespace is routed to gets one, cross-account too (see `creationTemplatesIn`).
 */
export function deploysCreationTemplate(destination: DestinationModel): boolean {
  return destination.creationTemplate && !destination.crossAccount;
}

/** Where the pipeline lives and what starts it. */
export interface PipelineModel extends Environment {
  /** ARN of the CodeConnections (or CodeStar Connections) connection to the Git host. */
  readonly connectionArn: string;
  /** `owner/name` of the Git repository holding this project. */
  readonly repository: string;
  /** The branch whose pushes start the pipeline. */
  readonly branch: string;
  /** Ask for a manual approval before the destinations are deployed too (the source always has one). */
  readonly approveDestinations: boolean;
  /**
   * After the source is deployed, start replication backfills for the
   * destinations that miss images pushed before replication (the pipeline's
   * `Backfill` step, before `Verify`).
   */
  readonly backfill: boolean;
}

/** Alerts and continuous assurance, in the pipeline account and Region. */
export interface AlertsModel {
  /** E-mail addresses subscribed to the alerts topic. */
  readonly emails: readonly string[];
  /** EventBridge Scheduler expression of the scheduled verification; `undefined`: no scheduled verification. */
  readonly verifySchedule?: string;
  /** The Git host of the pipeline's connection, where the scheduled verification checks the repository out. */
  readonly gitProvider: 'GitHub' | 'GitLab' | 'Bitbucket';
}

/** What happens to keys and repositories when their stack is deleted. */
export type RemovalMode = 'retain' | 'destroy';

/** The whole validated topology. */
export interface TopologyModel {
  readonly source: SourceModel;
  /** In file order. */
  readonly destinations: readonly DestinationModel[];
  /** In file order. */
  readonly repositories: readonly RepositoryModel[];
  /** In file order; empty when the file has none. */
  readonly namespaces: readonly NamespaceModel[];
  readonly pipeline: PipelineModel;
  /** Alias of the KMS key in every environment, e.g. `alias/ecr-kms-replication`. */
  readonly keyAlias: string;
  /**
   * `retain` (default): keys and repositories outlive their stacks.
   * `destroy`: an explicit opt-in that deletes repositories with their images
   * and schedules the keys for deletion.
   */
  readonly removal: RemovalMode;
  /** Tags applied to every stack and resource. */
  readonly tags: Readonly<Record<string, string>>;
  /** Alerts and continuous assurance; `undefined` when the file says `alerts: false`. */
  readonly alerts?: AlertsModel;
}

/** `<account>-<region>`, the id of an environment in stack names and reports. */
export function environmentId(env: Environment): string {
  return `${env.account}-${env.region}`;
}

/** Whether `repository` already exists in the environment `envId` (adopted, not created there). */
export function isAdopted(repository: RepositoryModel, envId: string, sourceId: string): boolean {
  return envId === sourceId ? repository.existing : repository.existingDestinations.includes(envId);
}
