/**
 * The only part of the command that talks to AWS: one reader per registry,
 * returning plain data for the checks of every command (verify, preflight,
 * import, backfill). Calls are batched (100 repositories a
 * `DescribeRepositories` call) and retried by the SDK's standard retry mode.
 */
import {
  CloudFormationClient,
  DescribeStacksCommand,
  paginateListStackResources,
  paginateListStacks,
  StackResourceSummary,
  StackStatus,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeImageReplicationStatusCommand,
  DescribeRepositoryCreationTemplatesCommand,
  DescribeRegistryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetLifecyclePolicyCommand,
  GetRegistryPolicyCommand,
  ImageDetail,
  ImageStatusFilter,
  Repository,
  RepositoryCreationTemplate,
  paginateDescribeImages,
  paginateDescribeRepositories,
  paginateDescribeRepositoryCreationTemplates,
} from '@aws-sdk/client-ecr';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import {
  CreationTemplateData,
  ImageData,
  ImageSummary,
  KeyData,
  RepositoryData,
  ReplicationRuleData,
  StackData,
  StackResourceData,
} from './data';
import { mapLimit } from './pool';

/** What the checks need to read from one registry. Faked in unit tests. */
export interface RegistryReader {
  /** The ARN of the identity the registry is read as. */
  callerArn(): Promise<{ account: string; arn: string }>;
  replicationRules(): Promise<ReplicationRuleData[]>;
  /** `undefined` when the registry has no policy. */
  registryPolicy(): Promise<string | undefined>;
  /** The repositories among `names` that exist, by name. */
  repositories(names: readonly string[]): Promise<Map<string, RepositoryData>>;
  key(alias: string): Promise<KeyData>;
  /** Every image of a repository (paginated), most recently pushed first, whatever its status (active, archived, being restored). */
  images(repository: string): Promise<ImageSummary[]>;
  /** The `count` most recently pushed images with their replication status. */
  recentImages(repository: string, count: number): Promise<ImageData[]>;
  /** The repository creation templates of the registry with these prefixes (`ROOT` for every repository). */
  creationTemplates(prefixes: readonly string[]): Promise<CreationTemplateData[]>;
  /** Every repository creation template of the registry (paginated). */
  allCreationTemplates(): Promise<CreationTemplateData[]>;

  // Reading a whole registry (import).
  /** Every repository of the registry (paginated), in no particular order. */
  allRepositories(): Promise<RepositoryData[]>;
  /** The repository's lifecycle policy text (JSON), `undefined` when it has none. */
  lifecyclePolicy(repository: string): Promise<string | undefined>;

  // Preflight: who owns what is already there.
  /** A stack and its resources; `undefined` when no stack of that name exists (deleted ones included). */
  stackResources(stackName: string): Promise<StackData | undefined>;
  /** The key an alias points at; `undefined` when the alias does not exist. */
  keyAliasTarget(alias: string): Promise<KeyData | undefined>;

  // Verify: stacks the topology no longer produces.
  /** The names and statuses of the stacks (deleted ones excluded) whose name starts with `prefix` (paginated `ListStacks`). */
  stackNames(prefix: string): Promise<{ readonly name: string; readonly status: string }[]>;
  // Verify: alerts that could not be delivered.
  /** The number of messages waiting in an SQS queue of this registry's account and Region (`ApproximateNumberOfMessages`). */
  queueDepth(queueUrl: string): Promise<number>;
}

/** `DescribeRepositories` takes at most 100 names. */
export const DESCRIBE_BATCH = 100;

/** Retries with backoff: ECR's read APIs throttle at a few calls a second per account. */
const CLIENT_DEFAULTS = {
  maxAttempts: 8,
  retryMode: 'standard',
  requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
} as const;

type Credentials = ReturnType<typeof fromTemporaryCredentials> | undefined;

export interface ReaderOptions {
  readonly account: string;
  readonly region: string;
  /** Assume this role (from the current credentials); `undefined`: use the current credentials. */
  readonly roleArn?: string;
  /** The Region of the STS endpoint used to assume the role. */
  readonly stsRegion: string;
  /** The assumed role's session name (CloudTrail shows it). @default ecr-kms-replication */
  readonly sessionName?: string;
}

/** The SDK client settings of one registry: its Region, the role's credentials, retries and timeouts. */
export function clientConfig(options: ReaderOptions) {
  const credentials: Credentials = options.roleArn
    ? fromTemporaryCredentials({
      params: { RoleArn: options.roleArn, RoleSessionName: options.sessionName ?? 'ecr-kms-replication', DurationSeconds: 3600 },
      clientConfig: { region: options.stsRegion, ...CLIENT_DEFAULTS },
    })
    : undefined;
  return { region: options.region, credentials, ...CLIENT_DEFAULTS };
}

export class SdkRegistryReader implements RegistryReader {
  private readonly ecr: ECRClient;
  private readonly kms: KMSClient;
  private readonly sts: STSClient;
  private readonly cloudformation: CloudFormationClient;
  private readonly config: ReturnType<typeof clientConfig>;
  private sqs?: SQSClient;
  private repositoryListing?: Promise<Map<string, RepositoryData>>;

  constructor(options: ReaderOptions) {
    const config = clientConfig(options);
    this.config = config;
    this.ecr = new ECRClient(config);
    this.kms = new KMSClient(config);
    this.sts = new STSClient(config);
    this.cloudformation = new CloudFormationClient(config);
  }

  async queueDepth(queueUrl: string): Promise<number> {
    // Only verify --dead-letter-queue reads SQS: the client is made on first use.
    // The reader's Region and endpoint (AWS_ENDPOINT_URL included) decide where
    // the call goes, not the URL's host, which the SDK would use by default.
    this.sqs ??= new SQSClient({ ...this.config, useQueueUrlAsEndpoint: false });
    const out = await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    return Number(out.Attributes?.ApproximateNumberOfMessages ?? '0');
  }

  async callerArn() {
    const out = await this.sts.send(new GetCallerIdentityCommand({}));
    return { account: out.Account ?? '', arn: out.Arn ?? '' };
  }

  async replicationRules(): Promise<ReplicationRuleData[]> {
    const out = await this.ecr.send(new DescribeRegistryCommand({}));
    return (out.replicationConfiguration?.rules ?? []).map((rule) => ({
      destinations: (rule.destinations ?? []).map((d) => ({ region: d.region ?? '', registryId: d.registryId ?? '' })),
      repositoryFilters: (rule.repositoryFilters ?? []).map((f) => ({ filter: f.filter ?? '', filterType: f.filterType ?? '' })),
    }));
  }

  async registryPolicy(): Promise<string | undefined> {
    try {
      const out = await this.ecr.send(new GetRegistryPolicyCommand({}));
      return out.policyText;
    } catch (e) {
      if ((e as Error).name === 'RegistryPolicyNotFoundException') return undefined;
      throw e;
    }
  }

  async repositories(names: readonly string[]): Promise<Map<string, RepositoryData>> {
    const batches: string[][] = [];
    for (let i = 0; i < names.length; i += DESCRIBE_BATCH) batches.push(names.slice(i, i + DESCRIBE_BATCH));
    const found = new Map<string, RepositoryData>();
    await mapLimit(batches, 4, async (batch) => {
      for (const repo of await this.describeBatch(batch)) found.set(repo.name, repo);
    });
    return found;
  }

  /**
   * One call for a batch whose repositories all exist. When one is missing the
   * call fails without saying which others exist: the whole registry is then
   * listed once (paginated, shared by every batch) and the batch looked up in it.
   */
  private async describeBatch(batch: readonly string[]): Promise<RepositoryData[]> {
    try {
      const out = await this.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [...batch] }));
      return (out.repositories ?? []).map(toRepositoryData);
    } catch (e) {
      if ((e as Error).name !== 'RepositoryNotFoundException') throw e;
      const all = await this.listAllRepositories();
      return batch.flatMap((name) => all.get(name) ?? []);
    }
  }

  private listAllRepositories(): Promise<Map<string, RepositoryData>> {
    this.repositoryListing ??= (async () => {
      const all = new Map<string, RepositoryData>();
      for await (const page of paginateDescribeRepositories({ client: this.ecr, pageSize: 1000 }, {})) {
        for (const repo of page.repositories ?? []) all.set(repo.repositoryName ?? '', toRepositoryData(repo));
      }
      return all;
    })();
    return this.repositoryListing;
  }

  async key(alias: string): Promise<KeyData> {
    const out = await this.kms.send(new DescribeKeyCommand({ KeyId: alias }));
    return { keyId: out.KeyMetadata?.KeyId ?? '', keyArn: out.KeyMetadata?.Arn ?? '' };
  }

  async images(repository: string): Promise<ImageSummary[]> {
    const details: ImageDetail[] = [];
    // Without imageStatus, DescribeImages returns ACTIVE images only (DescribeImagesFilter in the ECR API model):
    // an archived image would count as absent, and a repository of archived images as empty.
    const filter = { imageStatus: ImageStatusFilter.ANY };
    for await (const page of paginateDescribeImages({ client: this.ecr, pageSize: 1000 }, { repositoryName: repository, filter })) {
      details.push(...(page.imageDetails ?? []));
    }
    return details
      .filter((d) => d.imageDigest)
      .sort((a, b) => (b.imagePushedAt?.getTime() ?? 0) - (a.imagePushedAt?.getTime() ?? 0))
      .map((d) => ({
        digest: d.imageDigest!, tags: d.imageTags ?? [], pushedAt: d.imagePushedAt, ...(d.imageStatus ? { status: d.imageStatus } : {}),
      }));
  }

  async recentImages(repository: string, count: number): Promise<ImageData[]> {
    const recent = (await this.images(repository)).slice(0, count);
    return mapLimit(recent, 4, async (image): Promise<ImageData> => {
      const out = await this.ecr.send(new DescribeImageReplicationStatusCommand({
        repositoryName: repository,
        imageId: { imageDigest: image.digest },
      }));
      return {
        ...image,
        statuses: (out.replicationStatuses ?? []).map((s) => ({
          region: s.region ?? '',
          registryId: s.registryId ?? '',
          status: s.status ?? '',
          failureCode: s.failureCode,
        })),
      };
    });
  }

  async creationTemplates(prefixes: readonly string[]): Promise<CreationTemplateData[]> {
    // A prefix without a template is left out of the answer, not an error.
    const out = await this.ecr.send(new DescribeRepositoryCreationTemplatesCommand({ prefixes: [...prefixes] }));
    return (out.repositoryCreationTemplates ?? []).map(toCreationTemplateData);
  }

  // Without `prefixes` every template is returned, up to 1,000 a page (DescribeRepositoryCreationTemplatesRequest, @aws-sdk/client-ecr models).
  async allCreationTemplates(): Promise<CreationTemplateData[]> {
    const templates: CreationTemplateData[] = [];
    for await (const page of paginateDescribeRepositoryCreationTemplates({ client: this.ecr, pageSize: 1000 }, {})) {
      templates.push(...(page.repositoryCreationTemplates ?? []).map(toCreationTemplateData));
    }
    return templates;
  }

  // Reading a whole registry (import).

  async allRepositories(): Promise<RepositoryData[]> {
    return [...(await this.listAllRepositories()).values()];
  }

  async lifecyclePolicy(repository: string): Promise<string | undefined> {
    try {
      const out = await this.ecr.send(new GetLifecyclePolicyCommand({ repositoryName: repository }));
      return out.lifecyclePolicyText;
    } catch (e) {
      if ((e as Error).name === 'LifecyclePolicyNotFoundException') return undefined;
      throw e;
    }
  }

  // Preflight: who owns what is already there.

  async stackResources(stackName: string): Promise<StackData | undefined> {
    let status: string;
    let outputs: Record<string, string>;
    try {
      const out = await this.cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
      status = out.Stacks?.[0]?.StackStatus ?? '';
      outputs = Object.fromEntries((out.Stacks?.[0]?.Outputs ?? []).flatMap((o) => (o.OutputKey ? [[o.OutputKey, o.OutputValue ?? '']] : [])));
    } catch (e) {
      // CloudFormation answers a stack that does not exist with a ValidationError "Stack with id X does not exist".
      if ((e as Error).name === 'ValidationError' && /does not exist/.test((e as Error).message)) return undefined;
      throw e;
    }
    const resources: StackResourceData[] = [];
    for await (const page of paginateListStackResources({ client: this.cloudformation }, { StackName: stackName })) {
      resources.push(...(page.StackResourceSummaries ?? []).map(toStackResourceData));
    }
    return { name: stackName, status, resources, outputs };
  }

  async stackNames(prefix: string): Promise<{ name: string; status: string }[]> {
    // Without a filter ListStacks also returns the stacks deleted in the last 90 days.
    const live = Object.values(StackStatus).filter((s) => s !== StackStatus.DELETE_COMPLETE);
    const found: { name: string; status: string }[] = [];
    for await (const page of paginateListStacks({ client: this.cloudformation }, { StackStatusFilter: live })) {
      for (const s of page.StackSummaries ?? []) {
        if (s.StackName?.startsWith(prefix)) found.push({ name: s.StackName, status: s.StackStatus ?? '' });
      }
    }
    return found;
  }

  async keyAliasTarget(alias: string): Promise<KeyData | undefined> {
    try {
      return await this.key(alias);
    } catch (e) {
      if ((e as Error).name === 'NotFoundException') return undefined;
      throw e;
    }
  }
}

function toCreationTemplateData(t: RepositoryCreationTemplate): CreationTemplateData {
  return {
    prefix: t.prefix ?? '',
    appliedFor: t.appliedFor ?? [],
    encryptionType: t.encryptionConfiguration?.encryptionType,
    kmsKey: t.encryptionConfiguration?.kmsKey,
    imageTagMutability: t.imageTagMutability,
    customRoleArn: t.customRoleArn,
  };
}

function toStackResourceData(r: StackResourceSummary): StackResourceData {
  return { logicalId: r.LogicalResourceId ?? '', physicalId: r.PhysicalResourceId, type: r.ResourceType ?? '', status: r.ResourceStatus ?? '' };
}

function toRepositoryData(repo: Repository): RepositoryData {
  const exclusions = (repo.imageTagMutabilityExclusionFilters ?? []).map((f) => f.filter ?? '');
  return {
    name: repo.repositoryName ?? '',
    arn: repo.repositoryArn,
    encryptionType: repo.encryptionConfiguration?.encryptionType,
    kmsKey: repo.encryptionConfiguration?.kmsKey,
    imageTagMutability: repo.imageTagMutability,
    scanOnPush: repo.imageScanningConfiguration?.scanOnPush,
    ...(exclusions.length > 0 ? { tagMutabilityExclusions: exclusions } : {}),
  };
}
