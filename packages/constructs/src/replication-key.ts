import { Duration, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { accountOfPrincipalArn, principalArnProblems, throwIfInvalid } from './validation';

/**
 * Properties of a {@link ReplicationKey}.
 */
export interface ReplicationKeyProps {
  /**
   * Alias of the key. An alias is unique per account and Region, which is one
   * more reason to create a single key per environment and share it.
   *
   * @default 'alias/ecr-kms-replication'
   */
  readonly alias?: string;

  /**
   * ARNs of the IAM principals (`arn:aws:iam::ACCOUNT:role/NAME`, `:user/NAME`
   * or `:root`) that administer the key: they can describe, tag, rotate,
   * disable and schedule deletion of the key and change its policy, but they
   * cannot encrypt, decrypt or create grants with it. A role or user named
   * here must exist when the key is created: KMS rejects unknown principals.
   *
   * @default - no statement: the key is administered through IAM policies of the key's account
   */
  readonly keyAdmins?: string[];

  /**
   * ARNs of the IAM principals that use the key through Amazon ECR: push,
   * pull and repository creation. Their rights apply only to calls made by
   * ECR in the key's Region (`kms:ViaService`) from the principals' own
   * accounts (`kms:CallerAccount`); they create grants only for ECR's own use
   * (`kms:GrantIsForAWSResource`). ECR's own use of the key after repository
   * creation goes through those grants and needs nothing here.
   *
   * @default - no statement: principals of the key's account use the key through their IAM policies
   */
  readonly keyUsers?: string[];

  /**
   * ARN of the role that deploys the key's stack (the CloudFormation
   * execution role): it gets a key-policy statement with what CloudFormation's
   * `AWS::KMS::Key` and `AWS::KMS::Alias` handlers, and the `AWS::ECR::Repository`
   * handler's grants, call on the key. The statement, not an IAM policy,
   * carries these rights, so that they hold from the key's creation (no tag
   * to wait for) and cannot be borrowed for another key. The role must exist
   * when the key is created.
   *
   * @default - no statement: the key is managed through IAM policies of the key's account
   */
  readonly deploymentRoleArn?: string;

  /**
   * Description of the key, shown in the KMS console.
   *
   * @default 'Encrypts the Amazon ECR repositories of this account and Region (ecr-kms-replication)'
   */
  readonly description?: string;

  /**
   * What happens to the key when it leaves the stack. Deleting the key makes
   * every image encrypted with it unreadable, forever.
   *
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE (CloudFormation `RetainExceptOnCreate`:
   * retained once created, removed by the rollback of a failed first create)
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Waiting period, 7 to 30 days, between scheduling the key's deletion and
   * its deletion. It applies whatever the removal policy, so a mistaken
   * `RemovalPolicy.DESTROY` can still be cancelled in that window.
   *
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;
}

/**
 * The customer managed KMS key that encrypts the ECR repositories of one
 * account and Region. Create one per environment and pass it to every
 * {@link EncryptedRepository} there: a key costs money per month, grants do not.
 *
 * The key policy is written out in full (no CDK defaults) so that every right
 * is visible in the template: the account root (keeps the key manageable),
 * key administrators (management only), key users (use through ECR only) and
 * a deny of every grant that is not an AWS service's own.
 */
export class ReplicationKey extends Construct {
  /** Alias used when none is given. */
  public static readonly DEFAULT_ALIAS = 'alias/ecr-kms-replication';

  /** Actions of key administrators: managing the key, never using it. */
  public static readonly ADMIN_ACTIONS: readonly string[] = [
    'kms:CancelKeyDeletion',
    'kms:CreateAlias',
    'kms:DeleteAlias',
    'kms:DescribeKey',
    'kms:DisableKey',
    'kms:DisableKeyRotation',
    'kms:EnableKey',
    'kms:EnableKeyRotation',
    'kms:GetKeyPolicy',
    'kms:GetKeyRotationStatus',
    'kms:ListGrants',
    'kms:ListKeyPolicies',
    'kms:ListKeyRotations',
    'kms:ListResourceTags',
    'kms:PutKeyPolicy',
    'kms:RevokeGrant',
    'kms:RotateKeyOnDemand',
    'kms:ScheduleKeyDeletion',
    'kms:TagResource',
    'kms:UntagResource',
    'kms:UpdateAlias',
    'kms:UpdateKeyDescription',
  ];

  /**
   * What the deployment role calls on the key, besides creating it: the
   * `handlers.<create|read|update|delete>.permissions` on a key of the
   * resource schemas `key/aws-kms-key.json` and `alias/aws-kms-alias.json`
   * (github.com/aws-cloudformation/aws-cloudformation-resource-providers-kms
   * at f2d7168), and `kms:DescribeKey` and `kms:RetireGrant` of
   * `AWS::ECR::Repository`. `kms:CreateGrant` has its own statement, for AWS
   * resources only. `kms:ListAliases` and `kms:CreateKey` take no key.
   */
  public static readonly DEPLOYMENT_ACTIONS: readonly string[] = [
    'kms:CreateAlias',
    'kms:DeleteAlias',
    'kms:DescribeKey',
    'kms:DisableKey',
    'kms:DisableKeyRotation',
    'kms:EnableKey',
    'kms:EnableKeyRotation',
    'kms:GetKeyPolicy',
    'kms:GetKeyRotationStatus',
    'kms:ListResourceTags',
    'kms:PutKeyPolicy',
    'kms:RetireGrant',
    'kms:ScheduleKeyDeletion',
    'kms:TagResource',
    'kms:UntagResource',
    'kms:UpdateAlias',
    'kms:UpdateKeyDescription',
  ];

  /** Actions of key users: what ECR calls on their behalf. */
  public static readonly USER_ACTIONS: readonly string[] = [
    'kms:CreateGrant',
    'kms:Decrypt',
    'kms:DescribeKey',
    'kms:Encrypt',
    'kms:GenerateDataKey',
    'kms:GenerateDataKeyWithoutPlaintext',
    'kms:ListGrants',
    'kms:ReEncryptFrom',
    'kms:ReEncryptTo',
    'kms:RetireGrant',
  ];

  /**
   * The key policy statement that denies every grant an AWS service does not
   * create for itself (AWS Control Tower control CT.KMS.PR.3). Nobody creates
   * grants on this key by hand: ECR creates the ones it uses.
   */
  public static grantsOnlyForAwsResources(): iam.PolicyStatement {
    return new iam.PolicyStatement({
      sid: 'GrantsOnlyForAwsResources',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: {
        BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
      },
    });
  }

  /** The KMS key. */
  public readonly key: kms.Key;

  /** The alias of the key. */
  public readonly alias: kms.Alias;

  /** The alias name, `alias/...`. */
  public readonly aliasName: string;

  constructor(scope: Construct, id: string, props: ReplicationKeyProps = {}) {
    super(scope, id);

    const aliasName = props.alias ?? ReplicationKey.DEFAULT_ALIAS;
    const keyAdmins = props.keyAdmins ?? [];
    const keyUsers = props.keyUsers ?? [];
    const pendingWindow = props.pendingWindow ?? Duration.days(30);
    throwIfInvalid('ReplicationKey', [
      ...aliasProblems(aliasName),
      ...principalListProblems('keyAdmins', keyAdmins),
      ...principalListProblems('keyUsers', keyUsers),
      ...pendingWindowProblems(pendingWindow),
    ]);

    const stack = Stack.of(this);
    const statements = [
      new iam.PolicyStatement({
        sid: 'AccountRoot',
        principals: [new iam.AccountRootPrincipal()],
        actions: ['kms:*'],
        resources: ['*'],
      }),
    ];
    if (props.deploymentRoleArn) {
      const deployer = [new iam.ArnPrincipal(props.deploymentRoleArn)];
      statements.push(new iam.PolicyStatement({
        sid: 'DeploymentRoleManagesTheKey',
        principals: deployer,
        actions: [...ReplicationKey.DEPLOYMENT_ACTIONS],
        resources: ['*'],
      }));
      // Repositories are created by the deployment role: ECR creates its grants on the role's behalf.
      statements.push(new iam.PolicyStatement({
        sid: 'DeploymentRoleGrantsForAwsResources',
        principals: deployer,
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }));
    }
    if (keyAdmins.length > 0) {
      statements.push(new iam.PolicyStatement({
        sid: 'KeyAdministrators',
        principals: keyAdmins.map((arn) => new iam.ArnPrincipal(arn)),
        actions: [...ReplicationKey.ADMIN_ACTIONS],
        resources: ['*'],
      }));
    }
    if (keyUsers.length > 0) {
      const throughEcr = {
        StringEquals: {
          'kms:ViaService': `ecr.${stack.region}.amazonaws.com`,
          'kms:CallerAccount': unique(keyUsers.map(accountOf)),
        },
      };
      statements.push(new iam.PolicyStatement({
        sid: 'KeyUsersThroughEcr',
        principals: keyUsers.map((arn) => new iam.ArnPrincipal(arn)),
        actions: ReplicationKey.USER_ACTIONS.filter((action) => action !== 'kms:CreateGrant'),
        resources: ['*'],
        conditions: throughEcr,
      }));
      // ECR creates the grants it needs for itself, on the user's behalf.
      statements.push(new iam.PolicyStatement({
        sid: 'KeyUsersGrantsForEcr',
        principals: keyUsers.map((arn) => new iam.ArnPrincipal(arn)),
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: { ...throughEcr, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }));
    }
    statements.push(ReplicationKey.grantsOnlyForAwsResources());

    this.key = new kms.Key(this, 'Key', {
      description: props.description
        ?? 'Encrypts the Amazon ECR repositories of this account and Region (ecr-kms-replication)',
      enableKeyRotation: true,
      policy: new iam.PolicyDocument({ statements }),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      pendingWindow,
    });
    // The alias is not retained: a retained alias would block redeploying the stack.
    this.alias = new kms.Alias(this, 'Alias', { aliasName, targetKey: this.key });
    this.aliasName = aliasName;
  }
}

function aliasProblems(alias: string): string[] {
  if (Token.isUnresolved(alias)) {
    return [];
  }
  const problems: string[] = [];
  if (!/^alias\/[a-zA-Z0-9/_-]+$/.test(alias) || alias.length > 256) {
    problems.push(`alias must be "alias/" followed by up to 250 letters, digits, / _ or - (value: "${alias}")`);
  }
  if (alias.startsWith('alias/aws/')) {
    problems.push(`alias must not start with "alias/aws/", which AWS reserves (value: "${alias}")`);
  }
  return problems;
}

function principalListProblems(field: string, arns: string[]): string[] {
  const problems: string[] = [];
  arns.forEach((arn, index) => {
    if (Token.isUnresolved(arn)) {
      return;
    }
    for (const problem of principalArnProblems(arn)) {
      problems.push(`${field}[${index}] ${problem} (value: "${arn}")`);
    }
    if (arns.indexOf(arn) !== index) {
      problems.push(`${field}[${index}] repeats ${field}[${arns.indexOf(arn)}] (value: "${arn}")`);
    }
  });
  return problems;
}

function pendingWindowProblems(pendingWindow: Duration): string[] {
  if (pendingWindow.isUnresolved()) {
    return [];
  }
  const days = pendingWindow.toDays({ integral: false });
  return days >= 7 && days <= 30
    ? []
    : [`pendingWindow must be 7 to 30 days (value: ${days} days)`];
}

// A token ARN (for example a role created in the same stack) yields its account at deploy time.
function accountOf(arn: string): string {
  return Token.isUnresolved(arn) ? Fn.select(4, Fn.split(':', arn)) : accountOfPrincipalArn(arn);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
