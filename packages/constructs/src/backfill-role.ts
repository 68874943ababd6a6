import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { findingText } from './creation-template';
import { throwIfInvalid } from './validation';

/** The name of the backfill role of a source registry; `{region}` is the registry's Region. */
export const BACKFILL_ROLE_NAME = 'ecr-replication-backfill-{region}';

/** IAM role names are at most 64 characters. */
const ROLE_NAME_MAX_LENGTH = 64;

/**
 * The ECR actions of a replication backfill that the role allows. The
 * backfill actions act on the registry (no repository in the request).
 * `ecr:StopReplicationBackfill` is left out on purpose: the `backfill`
 * command never stops a backfill.
 */
export const BACKFILL_ACTIONS = [
  'ecr:StartReplicationBackfill',
  'ecr:ListReplicationBackfills',
  'ecr:DescribeReplicationBackfillResults',
  // Whether each destination is in the replication configuration (a backfill needs it).
  'ecr:DescribeRegistry',
] as const;

/**
 * Properties of a {@link BackfillRole}.
 */
export interface BackfillRoleProps {
  /**
   * Accounts whose principals may assume the role (their own IAM policies
   * must still allow `sts:AssumeRole` on it): usually the pipeline account.
   */
  readonly trustedAccounts: readonly string[];

  /**
   * Name of the role. `{region}` is replaced by the stack's Region.
   *
   * @default 'ecr-replication-backfill-{region}'
   */
  readonly roleName?: string;
}

/**
 * A least-privilege role for the `backfill` command in a source registry: it
 * may start, list and follow replication backfills of this registry (account
 * and Region), read the registry's replication configuration, and list the
 * images of its repositories (to start a backfill only where a destination
 * misses images). Nothing else: no write to any repository, no stop.
 */
export class BackfillRole extends Construct {
  /** The role. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: BackfillRoleProps) {
    super(scope, id);

    const stack = Stack.of(this);
    const roleName = (props.roleName ?? BACKFILL_ROLE_NAME).replace(/\{region\}/g, stack.region);
    throwIfInvalid('BackfillRole', [
      ...(props.trustedAccounts.length === 0 ? ['trustedAccounts must name at least one account'] : []),
      ...props.trustedAccounts
        .filter((account) => !Token.isUnresolved(account) && !/^\d{12}$/.test(account))
        .map((account) => `trustedAccounts must be 12-digit account IDs (value: "${account}")`),
      ...(!Token.isUnresolved(roleName) && (roleName.length > ROLE_NAME_MAX_LENGTH || !/^[\w+=,.@-]+$/.test(roleName))
        ? [`roleName must be at most ${ROLE_NAME_MAX_LENGTH} characters of letters, digits and +=,.@_- (value: "${roleName}")`]
        : []),
    ]);

    // The backfill actions name no resource: the Region condition keeps the
    // role to this registry (the account is the role's own).
    const inThisRegion = { StringEquals: { 'aws:RequestedRegion': stack.region } };
    const repositories = stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: '*' });
    this.role = new iam.Role(this, 'Role', {
      roleName,
      assumedBy: new iam.CompositePrincipal(...props.trustedAccounts.map((account) => new iam.AccountPrincipal(account))),
      description: 'Starts and follows ECR replication backfills of this registry (ecr-kms-replication backfill)',
      inlinePolicies: {
        ReplicationBackfill: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'ReplicationBackfill',
              actions: [...BACKFILL_ACTIONS],
              resources: ['*'],
              conditions: inThisRegion,
            }),
            new iam.PolicyStatement({
              sid: 'CompareImages',
              actions: ['ecr:DescribeImages'],
              resources: [repositories],
            }),
          ],
        }),
      },
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'The replication backfill actions and DescribeRegistry act on the registry and take no resource ARN; '
        + 'the statement is limited to this Region by aws:RequestedRegion and to the account by the role itself.',
    }, {
      id: `AwsSolutions-IAM5[Resource::${findingText(stack.resolve(repositories))}]`,
      reason: 'DescribeImages (read-only) on every repository of this registry: the backfill compares the images of each '
        + 'replicated repository with the destinations, and the repository names are not all known to this stack.',
    });
  }
}
