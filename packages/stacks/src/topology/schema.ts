/**
 * The topology file format, as one zod schema: it validates the file and
 * generates the JSON Schema editors use (`schema/topology.schema.json`).
 *
 * Field-level rules live here; rules that compare fields with each other
 * (duplicates, destination = source, quotas) live in `cross-checks.ts`, so that
 * they still run when some fields are wrong and every problem is reported at once.
 */
import { EMAIL_PATTERN, GIT_PROVIDERS, GitProvider, scheduleExpressionProblems } from '@ecr-kms-replication/constructs';
import { z } from 'zod';
import { didYouMean } from './did-you-mean';
import {
  ECR_QUOTAS,
  MAX_REPOSITORIES,
  REPOSITORY_NAME_MAX_LENGTH,
  REPOSITORY_NAME_MIN_LENGTH,
  REPOSITORY_NAME_PATTERN,
  isKnownRegion,
  knownRegions,
  principalArnProblems,
  repositoryNameProblems,
} from './rules';

export const DEFAULT_KEY_ALIAS = 'alias/ecr-kms-replication';
export const DEFAULT_BRANCH = 'main';

const ACCOUNT_EXAMPLE = 'account: "012345678901"';

/** A 12-digit account ID. A YAML number gets told to be quoted: YAML drops its leading zeros. */
const accountId = z
  .string({
    error: (issue) => {
      if (typeof issue.input === 'number') {
        return `must be a quoted string of 12 digits, e.g. ${ACCOUNT_EXAMPLE} (got the number ${issue.input}; `
          + 'YAML reads unquoted numbers as numbers and drops leading zeros)';
      }
      return issue.input === undefined ? undefined : `must be a quoted string of 12 digits, e.g. ${ACCOUNT_EXAMPLE}`;
    },
  })
  .regex(/^\d{12}$/, {
    error: (issue) => `must be a quoted string of 12 digits, e.g. ${ACCOUNT_EXAMPLE} `
      + `(it has ${String(issue.input).length} character${String(issue.input).length === 1 ? '' : 's'})`,
  })
  .meta({ description: '12-digit AWS account ID, quoted (YAML drops the leading zeros of a number).', examples: ['111111111111'] });

const region = z
  .string()
  .superRefine((value, ctx) => {
    if (!isKnownRegion(value)) {
      const hint = didYouMean(value, knownRegions());
      ctx.addIssue({
        code: 'custom',
        message: `is not a known AWS Region code${hint ? `; did you mean '${hint}'?` : ', e.g. us-east-1'}`,
      });
    }
  })
  .meta({ description: 'AWS Region code.', pattern: '^[a-z]{2,4}(-[a-z]+)+-\\d+$', examples: ['us-east-1'] });

const principalArn = z
  .string()
  .superRefine((value, ctx) => {
    const problems = principalArnProblems(value);
    if (problems.length > 0) {
      ctx.addIssue({ code: 'custom', message: `is not a valid principal ARN: it ${problems.join('; it ')}` });
    }
  })
  .meta({
    description: 'IAM principal ARN: an account root, a role or a user.',
    pattern: '^arn:aws[a-z-]*:iam::\\d{12}:(root|role/.+|user/.+)$',
    examples: ['arn:aws:iam::111111111111:role/KeyAdmin'],
  });

const keyAdmins = z
  .array(principalArn)
  .meta({ description: 'Principals that administer the KMS key (no encrypt/decrypt).' });
const keyUsers = z
  .array(principalArn)
  .meta({ description: 'Principals that may use the KMS key, only through ECR in its Region.' });

const sourceSchema = z
  .strictObject({
    account: accountId,
    region,
    keyAdmins: keyAdmins.optional(),
    keyUsers: keyUsers.optional(),
  })
  .meta({ description: 'The registry images are pushed to. keyAdmins/keyUsers here override the top-level ones.' });

const destinationSchema = z
  .strictObject({
    account: accountId,
    region,
    keyAdmins: keyAdmins.optional(),
    keyUsers: keyUsers.optional(),
    creationTemplate: z.boolean().default(true).meta({
      description: 'Deploy repository creation templates here, so that any repository replication creates here is encrypted with this registry\'s key: '
        + 'the ROOT safety net in the source\'s account (in another account replication may create repositories only under routed namespaces), '
        + 'and one per namespace routed here. false: none, and no namespace may be routed here.',
    }),
  })
  .meta({ description: 'A registry images are replicated to, created beforehand with a KMS key. keyAdmins/keyUsers here override the top-level ones.' });

const repositoryName = z
  .string()
  .superRefine((value, ctx) => {
    const problems = repositoryNameProblems(value);
    if (problems.length > 0) {
      ctx.addIssue({ code: 'custom', message: `is not a valid ECR repository name: it ${problems.join('; it ')}` });
    }
  })
  .meta({
    description: 'Repository name, the same in every registry.',
    pattern: REPOSITORY_NAME_PATTERN.source.replace(/\\\//g, '/'), // JSON Schema needs no escaped '/'
    minLength: REPOSITORY_NAME_MIN_LENGTH,
    maxLength: REPOSITORY_NAME_MAX_LENGTH,
    examples: ['team-a/service'],
  });

const tagMutability = z.enum(['IMMUTABLE', 'MUTABLE']).meta({ description: 'Whether image tags can be overwritten. Default: IMMUTABLE.' });
const scanOnPush = z.boolean().meta({ description: 'Scan images for vulnerabilities when pushed. Default: true.' });
const lifecycle = z
  .strictObject({
    maxImageCount: z.int().min(1).optional().meta({ description: 'Keep at most this many images. Default: no limit.' }),
    untaggedExpiryDays: z.int().min(1).optional().meta({ description: 'Expire untagged images after this many days. Default: never.' }),
  })
  .meta({ description: 'Lifecycle rules for every copy of the repository.' });

/** Where a repository already exists: `source` or the `<account>-<region>` id of an environment. */
export const EXISTING_SOURCE = 'source';
export const EXISTING_EVERYWHERE = 'everywhere';

const existingSchema = z
  .union([
    z.boolean(),
    z.literal(EXISTING_EVERYWHERE),
    z.array(z.string().min(1, { error: 'must be source or an environment id <account>-<region>' }))
      .min(1, { error: 'must list at least one environment (source, or <account>-<region>), or be false' }),
  ], {
    error: (issue) => issue.input === undefined ? undefined
      : `must be true (the source), ${EXISTING_EVERYWHERE}, or a list of environments (source, <account>-<region>)`,
  })
  .default(false)
  .meta({
    description: 'Where the repository already exists and is adopted, not created. true: in the source registry; '
      + `${EXISTING_EVERYWHERE}: in the source and every destination; or a list of environments: ${EXISTING_SOURCE} and/or `
      + 'destination ids <account>-<region>. An adopted destination repository must be KMS-encrypted (with any key).',
    examples: [true, EXISTING_EVERYWHERE, [EXISTING_SOURCE, '222222222222-eu-west-1']],
  });

/** Routing: the destination ids (`<account>-<region>`) a namespace or listed repository is replicated to. */
const routing = z
  .array(z.string().min(1, { error: 'must be a destination id <account>-<region>' }))
  .min(1, { error: 'must list at least one destination id <account>-<region>; leave destinations out to route to every destination' })
  .meta({
    description: 'The destinations (ids <account>-<region>) this is replicated to. Default: every destination.',
    examples: [['222222222222-eu-west-1']],
  });

const repositorySchema = z
  .strictObject({
    name: repositoryName,
    existing: existingSchema,
    imageTagMutability: tagMutability.optional(),
    scanOnPush: scanOnPush.optional(),
    lifecycle: lifecycle.optional(),
    destinations: routing.optional(),
  }, {
    error: (issue) => issue.code === 'invalid_type' && typeof issue.input === 'string'
      ? `must be a mapping with a name, e.g. - name: ${issue.input}`
      : undefined,
  })
  .meta({ description: 'A repository, KMS-encrypted in the source and every destination it is routed to.' });

/** Why a namespace has no scanOnPush (README, "Namespaces"). */
export const NAMESPACE_SCAN_ON_PUSH_MESSAGE = 'is not allowed on a namespace: a repository creation template cannot carry scan-on-push. '
  + 'Turn on scanning for the namespace in the registry\'s scanning configuration (ECR "registry scanning", filter <prefix>/*), '
  + 'or list the repository under repositories with its own scanOnPush';

const namespaceSchema = z
  .strictObject({
    prefix: repositoryName.meta({
      description: 'The namespace, without a trailing /: team-a covers every repository team-a/... (never team-a itself, nor team-ab/...).',
      examples: ['team-a', 'org/team-a'],
    }),
    destinations: routing.optional(),
    imageTagMutability: tagMutability.optional(),
    lifecycle: lifecycle.optional(),
    scanOnPush: z.never({ error: NAMESPACE_SCAN_ON_PUSH_MESSAGE }).optional().meta({
      description: 'Not allowed: a repository creation template cannot carry scan-on-push (use registry scanning, or list the repository).',
    }),
  }, {
    error: (issue) => issue.code === 'invalid_type' && typeof issue.input === 'string'
      ? `must be a mapping with a prefix, e.g. - prefix: ${issue.input}`
      : undefined,
  })
  .meta({
    description: 'Every repository under <prefix>/, listed or not: a repository creation template in the source (create on push) and in '
      + 'every destination it is routed to (replication) encrypts each one with that registry\'s key.',
  });

const defaultsSchema = z
  .strictObject({
    imageTagMutability: tagMutability.optional(),
    scanOnPush: scanOnPush.optional(),
    lifecycle: lifecycle.optional(),
  })
  .meta({ description: 'Settings for every repository that does not set its own.' });

const connectionArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[A-Za-z0-9-]+$/, {
    error: 'must be the ARN of a CodeConnections connection, e.g. '
      + 'arn:aws:codeconnections:us-east-1:111111111111:connection/00000000-0000-0000-0000-000000000000',
  })
  .meta({ description: 'ARN of the CodeConnections (or CodeStar Connections) connection to the Git host.' });

const pipelineSchema = z
  .strictObject({
    account: accountId,
    region,
    connectionArn,
    repository: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { error: "must be 'owner/name' of the Git repository, e.g. my-org/ecr-kms-replication" })
      .meta({ description: 'owner/name of the Git repository holding this project.', examples: ['my-org/ecr-kms-replication'] }),
    branch: z.string().min(1).default(DEFAULT_BRANCH).meta({ description: 'The branch whose pushes start the pipeline.' }),
    approveDestinations: z.boolean().default(false).meta({
      description: 'Ask for a manual approval before the destinations are deployed too (the source always has one).',
    }),
    backfill: z.boolean().default(true).meta({
      description: 'After the source is deployed, replicate the images that existed before replication (a `backfill --only-missing` step before Verify).',
    }),
  })
  .meta({ description: 'Where the CDK pipeline lives and what starts it.' });

const keyAlias = z
  .string()
  .regex(/^alias\/[a-zA-Z0-9/_-]+$/, { error: "must be 'alias/' followed by letters, digits, '/', '_' or '-', e.g. alias/ecr-kms-replication" })
  .max(256, { error: 'must be at most 256 characters long' })
  .refine((value) => !value.startsWith('alias/aws/'), { error: "may not start with 'alias/aws/' (reserved for AWS managed keys)" })
  .default(DEFAULT_KEY_ALIAS)
  .meta({ description: 'Alias of the KMS key in every registry.' });

const tags = z
  .record(
    z.string().min(1, { error: 'tag keys may not be empty' }).max(128, { error: 'tag keys must be at most 128 characters long' })
      .refine((key) => !key.toLowerCase().startsWith('aws:'), { error: "tag keys may not start with 'aws:' (reserved)" }),
    z.string({ error: (issue) => issue.input === undefined ? undefined : 'must be a string (quote numbers and true/false)' })
      .max(256, { error: 'must be at most 256 characters long' }),
  )
  .default({})
  .meta({ description: 'Tags applied to every stack and resource.' });

// Alerts and continuous assurance: on unless `alerts: false`.
const GIT_PROVIDER_NAMES: string[] = Object.keys(GIT_PROVIDERS);
export const DEFAULT_VERIFY_SCHEDULE = 'rate(1 day)';
export const VERIFY_SCHEDULE_OFF = 'off';

const alertsSchema = z
  .union([
    z.literal(false),
    z.strictObject({
      emails: z
        .array(z.string().regex(EMAIL_PATTERN, { error: 'must be an e-mail address, e.g. platform-team@example.com' }))
        .default([])
        .meta({ description: 'E-mail addresses subscribed to the alerts topic (each confirms once). Default: none; subscribe later.' }),
      verifySchedule: z
        .string()
        .superRefine((value, ctx) => {
          if (value === VERIFY_SCHEDULE_OFF) return;
          for (const problem of scheduleExpressionProblems(value)) {
            ctx.addIssue({ code: 'custom', message: `${problem}, or '${VERIFY_SCHEDULE_OFF}'` });
          }
        })
        .default(DEFAULT_VERIFY_SCHEDULE)
        .meta({
          description: `EventBridge Scheduler expression (UTC) of the scheduled verification, or '${VERIFY_SCHEDULE_OFF}'. Default: ${DEFAULT_VERIFY_SCHEDULE}.`,
          examples: ['rate(12 hours)', 'cron(0 6 * * ? *)', VERIFY_SCHEDULE_OFF],
        }),
      // A refinement rather than an enum: inside the union, an enum's failure
      // would hide behind the union's message instead of naming this field.
      gitProvider: z
        .string()
        .refine((value): value is GitProvider => GIT_PROVIDER_NAMES.includes(value), {
          error: `must be one of ${GIT_PROVIDER_NAMES.join(', ')}`,
        })
        .default('GitHub')
        .meta({
          description: 'The Git host of pipeline.connectionArn, where the scheduled verification checks the repository out. Default: GitHub.',
          enum: GIT_PROVIDER_NAMES,
        }),
    }),
  ], {
    error: (issue) => {
      if (issue.code !== 'invalid_union') return undefined;
      const input = issue.input;
      const objectIssues = issue.errors[1] ?? [];
      if (typeof input === 'object' && input !== null && !Array.isArray(input) && objectIssues.length > 0) {
        // A mapping with a field of the wrong type: name the field.
        return objectIssues.map((inner) => `${inner.path.map(String).join('.')} ${inner.message}`).join('; ');
      }
      return 'must be false (no alerts) or a mapping with emails, verifySchedule, gitProvider';
    },
  })
  .meta({
    description: 'Alerts to an SNS topic in the pipeline account: failed replications, failed scheduled verifications, failed pipeline runs and approvals waiting. On by default; false turns all of it off.',
  });

/** The topology file, as written (before defaults are resolved into the model). */
export const topologySchema = z
  .strictObject({
    source: sourceSchema,
    destinations: z
      .array(destinationSchema)
      .min(1, { error: 'must list at least one destination' })
      .meta({ description: 'Registries images are replicated to.', maxItems: ECR_QUOTAS.maxUniqueDestinations }),
    repositories: z
      .array(repositorySchema)
      .min(1, { error: 'must list at least one repository' })
      .optional()
      .meta({
        description: 'Repositories created (or adopted) in the source and created in every destination they are routed to. '
          + 'Optional when namespaces are listed.',
        maxItems: MAX_REPOSITORIES,
      }),
    namespaces: z
      .array(namespaceSchema)
      .optional()
      .meta({ description: 'Namespaces: every repository under each prefix, created on push in the source and by replication in its destinations.' }),
    keyAdmins: keyAdmins.default([]).meta({ description: 'Default KMS key administrators for every registry that does not set its own.' }),
    keyUsers: keyUsers.default([]).meta({ description: 'Default KMS key users for every registry that does not set its own.' }),
    keyAlias,
    removal: z.enum(['retain', 'destroy']).default('retain').meta({
      description: 'retain: keys and repositories outlive their stacks. destroy: deleting a stack deletes its repositories with their images and schedules its key for deletion.',
    }),
    tags,
    defaults: defaultsSchema.optional(),
    pipeline: pipelineSchema,
    alerts: alertsSchema.optional(),
  })
  .meta({
    title: 'ecr-kms-replication topology',
    description: 'Source registry, destination registries, repositories, namespaces and pipeline of a KMS-encrypted ECR replication.',
  });

/** The topology file after schema validation, with schema defaults applied. */
export type TopologyFile = z.output<typeof topologySchema>;

/** The JSON Schema of the topology file (what a user writes), for editors. */
export function topologyJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(topologySchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}
