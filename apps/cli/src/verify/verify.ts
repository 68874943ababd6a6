/**
 * `verify` without the command line: reads every registry of a topology
 * (a bounded number of environments at a time) and runs the checks.
 */
import { DestinationModel, SourceModel, TopologyModel } from '@ecr-kms-replication/stacks';
import {
  checkDestinationRepositories,
  checkImageReplication,
  checkRegistryPolicy,
  checkReplication,
  checkSourceRepositories,
  KeyData,
  partitionOf,
} from './checks';
import { describeAwsError } from './errors';
import { ReaderOptions, RegistryReader, SdkRegistryReader } from './fetch';
import { mapLimit } from './pool';
import { buildReport, CheckResult, EnvironmentReport, VerifyReport } from './result';

/** The CDK bootstrap's read-only look-up role, which `cdk bootstrap --trust` opens to the pipeline account. */
export const DEFAULT_ROLE_NAME = 'cdk-hnb659fds-lookup-role-{account}-{region}';

export interface VerifyOptions {
  /** Assume a role in the accounts other than the current credentials' one. */
  readonly assumeRole: boolean;
  /** Role name (or ARN) template; `{account}` and `{region}` are replaced. */
  readonly roleName: string;
  /** Environments read at the same time. */
  readonly concurrency: number;
  /** Check the replication status of this many recent images per source repository. */
  readonly images?: number;
  /** Region of the STS endpoint for the caller identity and AssumeRole. */
  readonly stsRegion: string;
  /** Creates the reader of one registry. Default: the AWS SDK. */
  readonly readerFor?: (options: ReaderOptions) => RegistryReader;
  readonly now?: () => Date;
  /** Called each time an environment is done. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** The role ARN the template gives for an environment. */
export function roleArnFor(template: string, env: { readonly account: string; readonly region: string }): string {
  const name = template.replace(/\{account\}/g, env.account).replace(/\{region\}/g, env.region);
  return name.startsWith('arn:') ? name : `arn:${partitionOf(env.region)}:iam::${env.account}:role/${name}`;
}

export async function verifyTopology(topology: TopologyModel, options: VerifyOptions): Promise<VerifyReport> {
  const readerFor = options.readerFor ?? ((o: ReaderOptions) => new SdkRegistryReader(o));
  const environments: { env: SourceModel | DestinationModel; kind: 'source' | 'destination'; dest?: DestinationModel }[] = [
    { env: topology.source, kind: 'source' },
    ...topology.destinations.map((dest) => ({ env: dest, kind: 'destination' as const, dest })),
  ];

  // Who the current credentials are decides which accounts need a role.
  let callerAccount: string | undefined;
  let callerError: string | undefined;
  try {
    const caller = await readerFor({ account: '', region: options.stsRegion, stsRegion: options.stsRegion }).callerArn();
    callerAccount = caller.account;
  } catch (e) {
    callerError = describeAwsError(e, options.stsRegion);
  }

  let done = 0;
  const reports = await mapLimit(environments, options.concurrency, async ({ env, kind, dest }): Promise<EnvironmentReport> => {
    const roleArn = options.assumeRole && callerAccount !== undefined && env.account !== callerAccount
      ? roleArnFor(options.roleName, env)
      : undefined;
    const base = { id: env.id, kind, account: env.account, region: env.region, role: roleArn ?? null };
    let checks: CheckResult[];
    if (callerError !== undefined) {
      checks = [{ check: 'access', status: 'error', detail: callerError }];
    } else {
      const reader = readerFor({ account: env.account, region: env.region, roleArn, stsRegion: options.stsRegion });
      checks = await checkEnvironment(topology, env, dest, reader, options);
    }
    options.onProgress?.(++done, environments.length);
    return { ...base, checks };
  });
  return buildReport(reports);
}

async function checkEnvironment(
  topology: TopologyModel,
  env: SourceModel | DestinationModel,
  dest: DestinationModel | undefined,
  reader: RegistryReader,
  options: VerifyOptions,
): Promise<CheckResult[]> {
  let access: CheckResult;
  try {
    const identity = await reader.callerArn();
    if (identity.account !== env.account) {
      return [{
        check: 'access',
        status: 'error',
        detail: `the credentials are for account ${identity.account}, not ${env.account}: ${options.assumeRole ? 'check --role-name' : 'drop --no-assume-role'}`,
      }];
    }
    access = { check: 'access', status: 'pass', detail: `read as ${identity.arn}` };
  } catch (e) {
    return [{ check: 'access', status: 'error', detail: describeAwsError(e, env.region) }];
  }

  const names = topology.repositories.map((r) => r.name);
  const guard = async (check: CheckResult['check'], fn: () => Promise<CheckResult[]>): Promise<CheckResult[]> => {
    try {
      return await fn();
    } catch (e) {
      return [{ check, status: 'error', detail: describeAwsError(e, env.region) }];
    }
  };

  if (!dest) {
    const [replication, repositories] = await Promise.all([
      guard('replication', async () => checkReplication(topology, await reader.replicationRules())),
      guard('repository', async () => {
        const found = await reader.repositories(names);
        const results = checkSourceRepositories(topology, found);
        if (options.images && options.images > 0) {
          const now = options.now?.() ?? new Date();
          const existing = names.filter((n) => found.has(n));
          results.push(...await mapLimit(existing, 4, async (name): Promise<CheckResult> => {
            try {
              return checkImageReplication(name, await reader.recentImages(name, options.images!), now);
            } catch (e) {
              return { check: 'image-replication', repository: name, status: 'error', detail: describeAwsError(e, env.region) };
            }
          }));
        }
        return results;
      }),
    ]);
    return [access, ...replication, ...repositories];
  }

  const [repositories, policy] = await Promise.all([
    guard('repository', async () => {
      const [found, key] = await Promise.all([
        reader.repositories(names),
        reader.key(topology.keyAlias).catch((e): { error: string } => ({ error: describeAwsError(e, env.region) })),
      ]);
      return checkDestinationRepositories(topology, dest, found, key as KeyData | { error: string });
    }),
    dest.crossAccount
      ? guard('registry-policy', async () => checkRegistryPolicy(topology, dest, await reader.registryPolicy()))
      : Promise.resolve([]),
  ]);
  return [access, ...repositories, ...policy];
}
