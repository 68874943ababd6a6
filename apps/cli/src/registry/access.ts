/**
 * Who reads which registry: the caller's identity is asked once, each
 * environment gets a role (or the current credentials) by one rule, and the
 * environments are read a bounded number at a time. Every command that reads
 * live registries (verify, preflight, import, backfill) goes through here.
 */
import { Environment } from '@ecr-kms-replication/stacks';
import { partitionOf } from './data';
import { describeAwsError } from './errors';
import { mapLimit } from './pool';
import { ReaderOptions, RegistryReader, SdkRegistryReader } from './reader';

/** The CDK bootstrap's read-only look-up role, which `cdk bootstrap --trust` opens to the pipeline account. */
export const LOOKUP_ROLE_NAME = 'cdk-hnb659fds-lookup-role-{account}-{region}';

/**
 * When to assume a role:
 * - `other-accounts`: in every account other than the current credentials' one (a person at a terminal);
 * - `always`: in every account, the credentials' own included (the pipeline's CodeBuild role can
 *   assume roles but has no ECR or KMS rights of its own);
 * - `never`: use the current credentials everywhere.
 */
export type AssumeRoleMode = 'other-accounts' | 'always' | 'never';
export const ASSUME_ROLE_MODES: readonly AssumeRoleMode[] = ['other-accounts', 'always', 'never'];

export interface AccessOptions {
  readonly assumeRole: AssumeRoleMode;
  /** Role name (or ARN) template; `{account}` and `{region}` are replaced. */
  readonly roleName: string;
  /** Region of the STS endpoint for the caller identity and AssumeRole. */
  readonly stsRegion: string;
  /** Creates the reader of one registry. Default: the AWS SDK. */
  readonly readerFor?: (options: ReaderOptions) => RegistryReader;
  /** The session name of assumed roles, which CloudTrail shows: say which command read. */
  readonly sessionName?: string;
  /** The environment variables messages may name (e.g. AWS_ENDPOINT_URL). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** The role ARN the template gives for an environment. */
export function roleArnFor(template: string, env: Environment): string {
  const name = template.replace(/\{account\}/g, env.account).replace(/\{region\}/g, env.region);
  return name.startsWith('arn:') ? name : `arn:${partitionOf(env.region)}:iam::${env.account}:role/${name}`;
}

/** The role to assume to read `env`, or `undefined` for the current credentials. */
export function roleFor(env: Environment, callerAccount: string, options: Pick<AccessOptions, 'assumeRole' | 'roleName'>): string | undefined {
  switch (options.assumeRole) {
    case 'never': return undefined;
    case 'always': return roleArnFor(options.roleName, env);
    case 'other-accounts': return env.account === callerAccount ? undefined : roleArnFor(options.roleName, env);
  }
}

/** The current credentials could not be used at all: said once, for every environment. */
export class CallerIdentityError extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'CallerIdentityError';
  }
}

/** One environment opened for reading. */
export interface OpenedRegistry<E extends Environment> {
  readonly env: E;
  /** The assumed role's ARN; `null` for the current credentials. */
  readonly role: string | null;
  readonly reader: RegistryReader;
  /** Who the registry is read as, or why it cannot be read (wrong account, role not assumable, ...). */
  readonly identity: { readonly arn: string } | { readonly error: string };
}

export interface ForEachOptions extends AccessOptions {
  /** Environments read at the same time. */
  readonly concurrency: number;
  /** Called each time an environment is done. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Opens every environment (role choice, identity check) and runs `fn` on it,
 * at most `concurrency` at a time; results keep the input order. Throws
 * {@link CallerIdentityError} when the current credentials cannot be used.
 */
export async function forEachRegistry<E extends Environment, R>(
  environments: readonly E[],
  options: ForEachOptions,
  fn: (registry: OpenedRegistry<E>) => Promise<R>,
): Promise<R[]> {
  const callerAccount = await callerAccountOf(options);
  let done = 0;
  return mapLimit(environments, options.concurrency, async (env) => {
    const result = await fn(await openRegistry(env, callerAccount, options));
    options.onProgress?.(++done, environments.length);
    return result;
  });
}

/** The account of the current credentials; {@link CallerIdentityError} when there are none that work. */
export async function callerAccountOf(options: AccessOptions): Promise<string> {
  const readerFor = options.readerFor ?? defaultReader;
  try {
    const caller = await readerFor({ account: '', region: options.stsRegion, stsRegion: options.stsRegion }).callerArn();
    return caller.account;
  } catch (e) {
    throw new CallerIdentityError(describeAwsError(e, options.stsRegion, options.env));
  }
}

/** A reader for `env` with the role the options choose, and who it reads as. */
export async function openRegistry<E extends Environment>(env: E, callerAccount: string, options: AccessOptions): Promise<OpenedRegistry<E>> {
  const readerFor = options.readerFor ?? defaultReader;
  const roleArn = roleFor(env, callerAccount, options);
  const reader = readerFor({ account: env.account, region: env.region, roleArn, stsRegion: options.stsRegion, sessionName: options.sessionName });
  let identity: OpenedRegistry<E>['identity'];
  try {
    const who = await reader.callerArn();
    identity = who.account === env.account
      ? { arn: who.arn }
      : {
        error: `the credentials are for account ${who.account}, not ${env.account}: `
          + (options.assumeRole === 'never' ? 'use --assume-role other-accounts (the default)' : 'check --role-name'),
      };
  } catch (e) {
    const reason = describeAwsError(e, env.region, options.env);
    identity = { error: roleArn ? `cannot assume ${roleArn}: ${reason}` : reason };
  }
  return { env, role: roleArn ?? null, reader, identity };
}

function defaultReader(options: ReaderOptions): RegistryReader {
  return new SdkRegistryReader(options);
}
