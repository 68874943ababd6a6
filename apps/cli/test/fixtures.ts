import * as fs from 'fs';
import * as path from 'path';
import {
  DestinationModel,
  Environment,
  groupRepositories,
  isAdopted,
  registryStackName,
  repositoriesStackName,
  SourceModel,
  TopologyModel,
  validateTopology,
} from '@ecr-kms-replication/stacks';
import { temporaryDirectory } from '@ecr-kms-replication/testing';
import { CreationTemplateData, ImageSummary, KeyData, RepositoryData, StackData } from '../src/registry/data';
import { RegistryReader } from '../src/registry/reader';

/** A topology as a user writes it: what `validateTopology` and the topology file take. */
export type TopologyInput = Record<string, unknown>;

export function repo(name: string, imageTagMutability: 'IMMUTABLE' | 'MUTABLE' = 'IMMUTABLE') {
  return { name, imageTagMutability };
}

/** The tests' topology: a source, a same-account and a cross-account destination, two repositories. */
export function topologyInput(overrides: TopologyInput = {}): TopologyInput {
  return {
    source: { account: '111111111111', region: 'us-east-1' },
    destinations: [
      { account: '111111111111', region: 'eu-west-1' },
      { account: '222222222222', region: 'eu-central-1' },
    ],
    repositories: [repo('app'), repo('team/api', 'MUTABLE')],
    pipeline: {
      account: '333333333333',
      region: 'us-east-1',
      connectionArn: 'arn:aws:codeconnections:us-east-1:333333333333:connection/00000000-0000-0000-0000-000000000000',
      repository: 'my-org/ecr-kms-replication',
    },
    ...overrides,
  };
}

/** The model of `topologyInput(overrides)`, through the stacks package's validation. */
export function topology(overrides: TopologyInput = {}): TopologyModel {
  return validateTopology(topologyInput(overrides), 'the test topology');
}

const DEFAULT = topology();
export const SOURCE = DEFAULT.source;
/** Same account, another Region. */
export const SAME_ACCOUNT = DEFAULT.destinations[0];
/** Another account. */
export const CROSS_ACCOUNT = DEFAULT.destinations[1];

/**
 * Writes `content` (a topology as data, or YAML text) to a new folder under
 * this test file's temporary folder, removed after its tests; returns the file's path.
 */
export function topologyFile(content: TopologyInput | string, name = 'topology.yaml'): string {
  const file = path.join(temporaryDirectory('ecr-kms-replication-cli-'), name);
  // JSON is YAML too.
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, undefined, 2));
  return file;
}

export function keyIn(env: Environment): KeyData {
  const keyId = `key-${env.account}-${env.region}`;
  return { keyId, keyArn: `arn:aws:kms:${env.region}:${env.account}:key/${keyId}` };
}

/** The repositories of `topology` as a correct deployment creates them in `env`. */
export function goodRepositories(t: TopologyModel, env: Environment): Map<string, RepositoryData> {
  return new Map(t.repositories.map((r) => [r.name, {
    name: r.name,
    encryptionType: 'KMS',
    kmsKey: keyIn(env).keyArn,
    imageTagMutability: r.imageTagMutability,
  }]));
}

export function policyAllowing(account: string, resource: string | string[], action: string | string[] = ['ecr:ReplicateImage']): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'Replication', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: action, Resource: resource }],
  });
}

/** The creation template the destination stage deploys in a same-account destination. */
export function goodTemplate(env: Environment): CreationTemplateData {
  return {
    prefix: 'ROOT',
    appliedFor: ['REPLICATION'],
    encryptionType: 'KMS',
    kmsKey: keyIn(env).keyArn,
    imageTagMutability: 'IMMUTABLE',
    customRoleArn: `arn:aws:iam::${env.account}:role/ecr-replication-template-${env.region}`,
  };
}

/** A registry in memory, for the orchestrator and CLI tests. */
export interface FakeRegistry {
  account: string;
  rules?: { destinations: { region: string; registryId: string }[]; repositoryFilters?: { filter: string; filterType: string }[] }[];
  policy?: string;
  repositories?: Map<string, RepositoryData>;
  key?: KeyData;
  templates?: CreationTemplateData[];
  /** What reading every creation template throws (e.g. an endpoint without them). */
  templatesFail?: Error;
  /** Images by repository name, most recent first. */
  images?: Map<string, ImageSummary[]>;
  /** Lifecycle policy texts by repository name. */
  lifecyclePolicies?: Map<string, string>;
  /** The CloudFormation stacks of the registry's account and Region. */
  stacks?: StackData[];
  /** Messages waiting in the SQS queues of the account and Region, by queue URL (absent: the queue does not exist). */
  queues?: Map<string, number>;
  fail?: Error;
}

/** A `readerFor` over fake registries keyed by `<account>-<region>`; records the roles asked for. */
export function fakeReaders(registries: Record<string, FakeRegistry>, callerAccount = SOURCE.account) {
  const roles: (string | undefined)[] = [];
  const readerFor = (o: { account: string; region: string; roleArn?: string }): RegistryReader => {
    if (o.account !== '') roles.push(o.roleArn);
    const reg = registries[`${o.account}-${o.region}`];
    const guard = <T>(value: T): Promise<T> => (reg?.fail ? Promise.reject(reg.fail) : Promise.resolve(value));
    return {
      callerArn: () => guard({
        account: o.roleArn ? o.account : callerAccount,
        arn: o.roleArn ?? `arn:aws:iam::${callerAccount}:user/tester`,
      }),
      replicationRules: () => guard(reg?.rules ?? []),
      registryPolicy: () => guard(reg?.policy),
      repositories: (names) => guard(new Map(names.flatMap((n) => (reg?.repositories?.has(n) ? [[n, reg.repositories.get(n)!] as const] : [])))),
      key: () => (reg?.key ? guard(reg.key) : Promise.reject(Object.assign(new Error('Alias not found'), { name: 'NotFoundException' }))),
      images: (name) => guard(reg?.images?.get(name) ?? []),
      recentImages: () => guard([]),
      creationTemplates: (prefixes) => guard((reg?.templates ?? []).filter((t) => prefixes.includes(t.prefix))),
      allCreationTemplates: () => (reg?.templatesFail ? Promise.reject(reg.templatesFail) : guard(reg?.templates ?? [])),
      allRepositories: () => guard([...(reg?.repositories?.values() ?? [])]),
      lifecyclePolicy: (name) => guard(reg?.lifecyclePolicies?.get(name)),
      stackResources: (name) => guard(reg?.stacks?.find((st) => st.name === name)),
      keyAliasTarget: () => guard(reg?.key),
      stackNames: (prefix) => guard((reg?.stacks ?? [])
        .filter((st) => st.name.startsWith(prefix)).map((st) => ({ name: st.name, status: st.status }))),
      queueDepth: (url) => (reg?.queues?.has(url)
        ? guard(reg.queues.get(url)!)
        : Promise.reject(Object.assign(new Error('The specified queue does not exist.'), { name: 'QueueDoesNotExist' }))),
    };
  };
  return { readerFor, roles };
}

/** A correct deployment of `t` in fake registries. */
export function goodRegistries(t: TopologyModel): Record<string, FakeRegistry> {
  const registries: Record<string, FakeRegistry> = {
    [t.source.id]: {
      account: t.source.account,
      rules: [{ destinations: t.destinations.map((d) => ({ region: d.region, registryId: d.account })) }],
      repositories: goodRepositories(t, t.source),
    },
  };
  for (const d of t.destinations) {
    registries[d.id] = {
      account: d.account,
      repositories: goodRepositories(t, d),
      key: keyIn(d),
      policy: d.crossAccount ? policyAllowing(t.source.account, `arn:aws:ecr:${d.region}:${d.account}:repository/*`) : undefined,
      templates: d.crossAccount ? [] : [goodTemplate(d)],
    };
  }
  return registries;
}

/** Collects what a stream receives. */
export class Capture {
  text = '';
  constructor(readonly isTTY = false) {}
  write(s: string) { this.text += s; return true; }
}

/** The stacks a successful deployment of `t` leaves in `env` (what preflight reads through CloudFormation). */
export function deployedStacks(t: TopologyModel, env: SourceModel | DestinationModel, status = 'CREATE_COMPLETE'): StackData[] {
  const role = env.id === t.source.id ? 'source' : 'destination';
  const dest = role === 'destination' ? env as DestinationModel : undefined;
  const resource = (logicalId: string, type: string, physicalId: string) => ({ logicalId, type, physicalId, status: 'CREATE_COMPLETE' });
  const registry: StackData = {
    name: registryStackName(role, env),
    status,
    resources: [
      resource('Key', 'AWS::KMS::Key', keyIn(env).keyId),
      resource('KeyAlias', 'AWS::KMS::Alias', t.keyAlias),
      ...(role === 'source' ? [resource('Replication', 'AWS::ECR::ReplicationConfiguration', env.account)] : []),
      ...(dest?.crossAccount ? [resource('ReplicationAccess', 'AWS::ECR::RegistryPolicy', env.account)] : []),
      ...(dest && !dest.crossAccount && dest.creationTemplate ? [resource('CreationTemplate', 'AWS::ECR::RepositoryCreationTemplate', 'ROOT')] : []),
    ],
  };
  const created = t.repositories.filter((r) => !isAdopted(r, env.id, t.source.id));
  const groups = [...groupRepositories(created)].map(([group, repositories]): StackData => ({
    name: repositoriesStackName(role, env, group),
    status,
    resources: repositories.map((r) => resource(`Repo${r.name.replace(/[^A-Za-z0-9]/g, '')}`, 'AWS::ECR::Repository', r.name)),
  }));
  return [registry, ...groups];
}

/**
 * `t` with namespaces (the topology file's `namespaces:` is read by the
 * stacks package; the read side is tested on the model directly). Each
 * namespace goes to every destination unless `destinations` says otherwise.
 */
export function withNamespaces(
  t: TopologyModel,
  namespaces: readonly { prefix: string; destinations?: readonly string[]; imageTagMutability?: 'IMMUTABLE' | 'MUTABLE' }[],
): TopologyModel {
  return {
    ...t,
    namespaces: namespaces.map((n) => ({
      prefix: n.prefix,
      destinations: n.destinations ?? t.destinations.map((d) => d.id),
      imageTagMutability: n.imageTagMutability ?? 'IMMUTABLE',
    })),
  };
}

/** The creation template the topology deploys for a namespace in `env` (REPLICATION in a destination, CREATE_ON_PUSH in the source). */
export function namespaceTemplate(env: Environment, prefix: string, appliedFor: 'REPLICATION' | 'CREATE_ON_PUSH', imageTagMutability = 'IMMUTABLE'): CreationTemplateData {
  return {
    prefix,
    // The source's templates also apply to pull through cache (the stacks model's creationTemplatesIn).
    appliedFor: appliedFor === 'CREATE_ON_PUSH' ? ['CREATE_ON_PUSH', 'PULL_THROUGH_CACHE'] : [appliedFor],
    encryptionType: 'KMS',
    kmsKey: keyIn(env).keyArn,
    imageTagMutability,
    customRoleArn: `arn:aws:iam::${env.account}:role/ecr-kms-replication-templates-${env.region}`,
  };
}
