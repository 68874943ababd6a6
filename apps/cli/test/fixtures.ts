import { DestinationView, RepositoryView, TopologyView } from '../src/topology';
import { KeyData, RepositoryData } from '../src/verify/checks';
import { RegistryReader } from '../src/verify/fetch';

export const SOURCE = { id: '111111111111-us-east-1', account: '111111111111', region: 'us-east-1' };
/** Same account, another Region. */
export const SAME_ACCOUNT: DestinationView = { id: '111111111111-eu-west-1', account: '111111111111', region: 'eu-west-1', crossAccount: false };
/** Another account. */
export const CROSS_ACCOUNT: DestinationView = { id: '222222222222-eu-central-1', account: '222222222222', region: 'eu-central-1', crossAccount: true };

export function repo(name: string, imageTagMutability: RepositoryView['imageTagMutability'] = 'IMMUTABLE'): RepositoryView {
  return { name, existing: false, imageTagMutability };
}

export function topology(overrides: Partial<TopologyView> = {}): TopologyView {
  return {
    source: SOURCE,
    destinations: [SAME_ACCOUNT, CROSS_ACCOUNT],
    repositories: [repo('app'), repo('team/api', 'MUTABLE')],
    keyAlias: 'alias/ecr-kms-replication',
    ...overrides,
  };
}

export function keyIn(env: { account: string; region: string }): KeyData {
  const keyId = `key-${env.account}-${env.region}`;
  return { keyId, keyArn: `arn:aws:kms:${env.region}:${env.account}:key/${keyId}` };
}

/** The repositories of `topology` as a correct deployment creates them in `env`. */
export function goodRepositories(t: TopologyView, env: { account: string; region: string }): Map<string, RepositoryData> {
  return new Map(t.repositories.map((r) => [r.name, {
    name: r.name,
    encryptionType: 'KMS',
    kmsKey: keyIn(env).keyArn,
    imageTagMutability: r.imageTagMutability,
  }]));
}

export function policyAllowing(account: string, resource: string | string[], action: string | string[] = ['ecr:ReplicateImage', 'ecr:CreateRepository']): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'Replication', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: action, Resource: resource }],
  });
}

/** A registry in memory, for the orchestrator and CLI tests. */
export interface FakeRegistry {
  account: string;
  rules?: { destinations: { region: string; registryId: string }[]; repositoryFilters?: { filter: string; filterType: string }[] }[];
  policy?: string;
  repositories?: Map<string, RepositoryData>;
  key?: KeyData;
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
      recentImages: () => guard([]),
    };
  };
  return { readerFor, roles };
}

/** A correct deployment of `t` in fake registries. */
export function goodRegistries(t: TopologyView): Record<string, FakeRegistry> {
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
