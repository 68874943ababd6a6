import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { findingText } from './creation-template';
import { throwIfInvalid } from './validation';

/** The name of the repair role of a destination registry; `{region}` is the registry's Region. */
export const REPAIR_ROLE_NAME = 'ecr-replication-repair-{region}';

/** IAM role names are at most 64 characters. */
const ROLE_NAME_MAX_LENGTH = 64;

/**
 * IAM allows 10,240 characters of inline policy per role (IAM and STS
 * quotas, "Role policy size"); past this budget for the repository ARNs, the
 * names are covered by their first namespace (`team/*`) instead.
 */
const RESOURCE_BUDGET_CHARS = 8_000;

/**
 * What the `repair` command does to a repository of the topology: read it
 * and its images, delete it, create it again (with the registry's key, its
 * tag mutability and tags) and set its tag mutability in place.
 */
export const REPAIR_ACTIONS = [
  'ecr:DescribeRepositories',
  'ecr:DescribeImages',
  'ecr:DeleteRepository',
  'ecr:CreateRepository',
  'ecr:PutImageTagMutability',
  'ecr:TagResource',
] as const;

/**
 * Properties of a {@link RepairRole}.
 */
export interface RepairRoleProps {
  /**
   * Accounts whose principals may assume the role (their own IAM policies
   * must still allow `sts:AssumeRole` on it): usually the pipeline account.
   */
  readonly trustedAccounts: readonly string[];

  /** The topology's repositories replicated to this registry, by name. */
  readonly repositoryNames: readonly string[];

  /**
   * The namespaces replicated to this registry, without their trailing `/`:
   * the role covers `repository/<prefix>/*`.
   *
   * @default - no namespace
   */
  readonly namespacePrefixes?: readonly string[];

  /** The registry's key: repositories are recreated with it. */
  readonly encryptionKey: kms.IKey;

  /**
   * Name of the role. `{region}` is replaced by the stack's Region.
   *
   * @default 'ecr-replication-repair-{region}'
   */
  readonly roleName?: string;
}

/**
 * A least-privilege role for the `repair` command in a destination registry:
 * it may read, delete and recreate the topology's repositories there (listed
 * ones by name, namespaces by `<prefix>/*`), set their tag mutability, and
 * let ECR use the registry's key for a recreated repository. Nothing else:
 * no image write, no registry setting, no other repository.
 *
 * IAM cannot tell a repository whose images are all in the source from one
 * that holds the only copy of an image: the `repair` command checks that
 * before it deletes anything.
 */
export class RepairRole extends Construct {
  /** The role. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: RepairRoleProps) {
    super(scope, id);

    const stack = Stack.of(this);
    const roleName = (props.roleName ?? REPAIR_ROLE_NAME).replace(/\{region\}/g, stack.region);
    const prefixes = props.namespacePrefixes ?? [];
    throwIfInvalid('RepairRole', [
      ...(props.trustedAccounts.length === 0 ? ['trustedAccounts must name at least one account'] : []),
      ...props.trustedAccounts
        .filter((account) => !Token.isUnresolved(account) && !/^\d{12}$/.test(account))
        .map((account) => `trustedAccounts must be 12-digit account IDs (value: "${account}")`),
      ...(props.repositoryNames.length === 0 && prefixes.length === 0 ? ['repositoryNames or namespacePrefixes must name at least one repository'] : []),
      ...(!Token.isUnresolved(roleName) && (roleName.length > ROLE_NAME_MAX_LENGTH || !/^[\w+=,.@-]+$/.test(roleName))
        ? [`roleName must be at most ${ROLE_NAME_MAX_LENGTH} characters of letters, digits and +=,.@_- (value: "${roleName}")`]
        : []),
    ]);

    const repository = (name: string) => stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: name });
    const wildcards = prefixes.map((prefix) => repository(`${prefix}/*`));
    const names = fitNames(props.repositoryNames, prefixes);
    const allRepositories = repository('*');
    const ecrInRegion = `ecr.${stack.region}.amazonaws.com`;
    this.role = new iam.Role(this, 'Role', {
      roleName,
      assumedBy: new iam.CompositePrincipal(...props.trustedAccounts.map((account) => new iam.AccountPrincipal(account))),
      description: 'Rebuilds the replicated repositories of this registry that are not on its key (ecr-kms-replication repair)',
      inlinePolicies: {
        Repair: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'RebuildTopologyRepositories',
              actions: [...REPAIR_ACTIONS],
              resources: [...names.map(repository), ...wildcards],
            }),
            // Namespace repositories are found by listing the registry (read-only).
            new iam.PolicyStatement({
              sid: 'ListRepositories',
              actions: ['ecr:DescribeRepositories'],
              resources: [allRepositories],
            }),
            // The command resolves the key behind the alias.
            new iam.PolicyStatement({
              sid: 'ResolveKey',
              actions: ['kms:DescribeKey'],
              resources: [props.encryptionKey.keyArn],
            }),
            // CreateRepository with KMS: ECR describes the key and grants itself its use, on the caller's behalf.
            new iam.PolicyStatement({
              sid: 'KeyForRecreatedRepositories',
              actions: ['kms:CreateGrant', 'kms:DescribeKey'],
              resources: [props.encryptionKey.keyArn],
              conditions: { StringEquals: { 'kms:ViaService': ecrInRegion }, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
            }),
          ],
        }),
      },
    });
    Validations.of(this.role).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::${findingText(stack.resolve(allRepositories))}]`,
        reason: 'DescribeRepositories (read-only metadata) on this registry: the repositories under a namespace are found by listing it.',
      },
      ...[...wildcards, ...names.filter((n) => n.endsWith('/*')).map(repository)].map((arn) => ({
        id: `AwsSolutions-IAM5[Resource::${findingText(stack.resolve(arn))}]`,
        reason: 'A namespace of the topology: its repositories are created by replication, their names are not known in advance.',
      })),
    );
  }
}

/**
 * The listed names, or (past the policy size budget) the names with their
 * first namespace (`team/*`) instead, largest namespaces first. Names under
 * a namespace of the topology are covered by its wildcard already.
 */
function fitNames(names: readonly string[], prefixes: readonly string[]): string[] {
  let result = names.filter((n) => !prefixes.some((p) => n.startsWith(`${p}/`)));
  const size = () => result.reduce((n, name) => n + name.length + 60, 0);
  if (size() <= RESOURCE_BUDGET_CHARS) return result;
  const bySegment = new Map<string, string[]>();
  for (const n of result.filter((x) => x.includes('/'))) {
    const segment = n.split('/')[0];
    bySegment.set(segment, [...(bySegment.get(segment) ?? []), n]);
  }
  for (const [segment, members] of [...bySegment].sort((a, b) => b[1].length - a[1].length)) {
    result = [...result.filter((n) => !members.includes(n)), `${segment}/*`];
    if (size() <= RESOURCE_BUDGET_CHARS) return result;
  }
  return result;
}
