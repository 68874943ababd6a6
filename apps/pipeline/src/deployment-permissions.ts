/**
 * What CloudFormation calls, with the targets' execution role, for each
 * resource type the stages deploy: the `handlers.<create|read|update|delete>.permissions`
 * of the resource types' published schemas. `cfn-execution-policy.json` must
 * allow every one of them (tested with an IAM policy evaluator in
 * `test/deployment-policy.test.ts`), except the few listed in `notGranted`,
 * each with the reason.
 *
 * Sources, read on 2026-11-29:
 * - the resource provider repositories of AWS
 *   (github.com/aws-cloudformation/aws-cloudformation-resource-providers-<service>), and
 * - the schemas as CloudFormation publishes them (its registry's `DescribeType`),
 *   in the copy kept by github.com/pulumi/pulumi-aws-native under `aws-cloudformation-schema/`.
 * Where the two differ, the list is their union.
 */

/** The four handlers CloudFormation calls during stack operations. */
export type Handler = 'create' | 'read' | 'update' | 'delete';

export interface ResourceTypePermissions {
  /** The CloudFormation resource type. */
  readonly type: string;
  /** What the stages deploy of this type. */
  readonly deployedAs: string;
  /** The actions each handler calls. */
  readonly handlers: Readonly<Record<Handler, readonly string[]>>;
  /** Where the lists come from: `owner/repository@commit path`. */
  readonly sources: readonly string[];
  /**
   * Handler actions the policy does not grant on purpose, with the reason.
   * @default - every handler action is granted
   */
  readonly notGranted?: Readonly<Record<string, string>>;
}

const ECR_PROVIDERS = 'aws-cloudformation/aws-cloudformation-resource-providers-ecr@6f18348c737eedc3770fd5a17ac1f7d0b58aef54';
const KMS_PROVIDERS = 'aws-cloudformation/aws-cloudformation-resource-providers-kms@f2d7168529b8c4a3e83e1df5d8f3fc35ff807024';
const EVENTS_PROVIDERS = 'aws-cloudformation/aws-cloudformation-resource-providers-events@5f8850a31f2cbecfcdaf19cf1168bda9225fc75e';
const PUBLISHED = 'pulumi/pulumi-aws-native@43eed3b017fff3b41e0ceeae37ee943afce53275';

export const HANDLER_PERMISSIONS: readonly ResourceTypePermissions[] = [
  {
    type: 'AWS::ECR::Repository',
    deployedAs: 'every repository of the topology (repositories stacks), tagged ManagedBy',
    handlers: {
      create: ['ecr:CreateRepository', 'ecr:PutLifecyclePolicy', 'ecr:SetRepositoryPolicy', 'ecr:TagResource', 'kms:DescribeKey', 'kms:CreateGrant', 'kms:RetireGrant'],
      read: ['ecr:DescribeRepositories', 'ecr:GetLifecyclePolicy', 'ecr:GetRepositoryPolicy', 'ecr:ListTagsForResource'],
      update: [
        'ecr:DescribeRepositories', 'ecr:PutLifecyclePolicy', 'ecr:SetRepositoryPolicy', 'ecr:TagResource', 'ecr:UntagResource',
        'ecr:DeleteLifecyclePolicy', 'ecr:DeleteRepositoryPolicy', 'ecr:PutImageScanningConfiguration', 'ecr:PutImageTagMutability',
        'ecr:ListTagsForResource', 'kms:DescribeKey', 'kms:CreateGrant', 'kms:RetireGrant',
      ],
      delete: ['ecr:DeleteRepository', 'kms:RetireGrant'],
    },
    sources: [
      `${ECR_PROVIDERS} aws-ecr-repository/aws-ecr-repository.json`,
      `${PUBLISHED} aws-cloudformation-schema/aws-ecr-repository.json`,
    ],
  },
  {
    type: 'AWS::ECR::ReplicationConfiguration',
    deployedAs: 'the source registry\'s replication configuration (source registry stack)',
    handlers: {
      create: ['ecr:DescribeRegistry', 'ecr:PutReplicationConfiguration', 'iam:CreateServiceLinkedRole'],
      read: ['ecr:DescribeRegistry'],
      update: ['ecr:DescribeRegistry', 'ecr:PutReplicationConfiguration', 'iam:CreateServiceLinkedRole'],
      delete: ['ecr:DescribeRegistry', 'ecr:PutReplicationConfiguration', 'iam:CreateServiceLinkedRole'],
    },
    sources: [
      `${ECR_PROVIDERS} aws-ecr-replicationconfiguration/aws-ecr-replicationconfiguration.json`,
      `${PUBLISHED} aws-cloudformation-schema/aws-ecr-replicationconfiguration.json`,
    ],
  },
  {
    type: 'AWS::ECR::RegistryPolicy',
    deployedAs: 'the registry policy of a cross-account destination (destination registry stack)',
    handlers: {
      create: ['ecr:GetRegistryPolicy', 'ecr:PutRegistryPolicy'],
      read: ['ecr:GetRegistryPolicy'],
      update: ['ecr:GetRegistryPolicy', 'ecr:PutRegistryPolicy'],
      delete: ['ecr:DeleteRegistryPolicy'],
    },
    sources: [
      `${ECR_PROVIDERS} aws-ecr-registrypolicy/aws-ecr-registrypolicy.json`,
      `${PUBLISHED} aws-cloudformation-schema/aws-ecr-registrypolicy.json`,
    ],
  },
  {
    type: 'AWS::ECR::RepositoryCreationTemplate',
    deployedAs: 'the ROOT safety net of a same-account destination, and a template per namespace in the source and in every destination it is routed to (registry stacks)',
    handlers: {
      create: [
        'ecr:CreateRepositoryCreationTemplate', 'ecr:PutLifecyclePolicy', 'ecr:SetRepositoryPolicy', 'ecr:CreateRepository',
        'iam:CreateServiceLinkedRole', 'iam:PassRole',
      ],
      read: ['ecr:DescribeRepositoryCreationTemplates'],
      update: [
        'ecr:DescribeRepositoryCreationTemplates', 'ecr:UpdateRepositoryCreationTemplate', 'ecr:PutLifecyclePolicy',
        'ecr:SetRepositoryPolicy', 'ecr:CreateRepository', 'iam:CreateServiceLinkedRole', 'iam:PassRole',
      ],
      delete: ['ecr:DeleteRepositoryCreationTemplate'],
    },
    // The ECR provider repository's snapshot predates this type: the published schema is the only source.
    sources: [`${PUBLISHED} aws-cloudformation-schema/aws-ecr-repositorycreationtemplate.json`],
    notGranted: {
      'ecr:PutLifecyclePolicy': 'Needed only for a template with a lifecycle policy (ECR User Guide, "IAM permissions for creating repository '
        + 'creation templates"): a namespace with a lifecycle. The guide names no resource for the check, so it is not granted '
        + 'beyond ManagedBy repositories; a namespace template with a lifecycle is the case to watch on a first deployment.',
      'ecr:SetRepositoryPolicy': 'Needed only for a template with a repository policy (same page); the product\'s templates have none. '
        + 'Granted only on ManagedBy repositories.',
    },
  },
  {
    type: 'AWS::KMS::Key',
    deployedAs: 'the registry key of every environment (registry stacks), tagged ManagedBy',
    handlers: {
      create: ['kms:CreateKey', 'kms:EnableKeyRotation', 'kms:DisableKey', 'kms:TagResource', 'kms:PutKeyPolicy'],
      read: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags'],
      update: [
        'kms:DescribeKey', 'kms:DisableKey', 'kms:DisableKeyRotation', 'kms:EnableKey', 'kms:EnableKeyRotation', 'kms:PutKeyPolicy',
        'kms:TagResource', 'kms:UntagResource', 'kms:UpdateKeyDescription', 'kms:ListResourceTags',
      ],
      delete: ['kms:DescribeKey', 'kms:ScheduleKeyDeletion'],
    },
    sources: [`${KMS_PROVIDERS} key/aws-kms-key.json`, `${PUBLISHED} aws-cloudformation-schema/aws-kms-key.json`],
  },
  {
    type: 'AWS::KMS::Alias',
    deployedAs: 'the alias of every registry key (registry stacks)',
    handlers: {
      create: ['kms:CreateAlias'],
      read: ['kms:ListAliases'],
      update: ['kms:UpdateAlias'],
      delete: ['kms:DeleteAlias'],
    },
    sources: [`${KMS_PROVIDERS} alias/aws-kms-alias.json`, `${PUBLISHED} aws-cloudformation-schema/aws-kms-alias.json`],
  },
  {
    type: 'AWS::IAM::Role',
    deployedAs: 'the creation-template role, and any role added to a stage (all named ecr-replication-*, all with the permissions boundary)',
    handlers: {
      create: ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:GetRolePolicy', 'iam:TagRole', 'iam:UntagRole', 'iam:GetRole'],
      read: ['iam:GetRole', 'iam:ListAttachedRolePolicies', 'iam:ListRolePolicies', 'iam:GetRolePolicy'],
      update: [
        'iam:UpdateRole', 'iam:UpdateRoleDescription', 'iam:UpdateAssumeRolePolicy', 'iam:DetachRolePolicy', 'iam:AttachRolePolicy',
        'iam:DeleteRolePermissionsBoundary', 'iam:PutRolePermissionsBoundary', 'iam:DeleteRolePolicy', 'iam:PutRolePolicy',
        'iam:TagRole', 'iam:UntagRole',
      ],
      delete: [
        'iam:DeleteRole', 'iam:DetachRolePolicy', 'iam:DeleteRolePolicy', 'iam:GetRole', 'iam:ListAttachedRolePolicies',
        'iam:ListRolePolicies', 'iam:TagRole', 'iam:UntagRole',
      ],
    },
    // The IAM provider repository is not available as a snapshot here: the published schema is the only source.
    sources: [`${PUBLISHED} aws-cloudformation-schema/aws-iam-role.json`],
    notGranted: {
      'iam:DeleteRolePermissionsBoundary': 'Denied on purpose: a role the stages create never loses the boundary. The handler calls it '
        + 'only when a template drops PermissionsBoundary, which the stages never do.',
    },
  },
  {
    type: 'AWS::IAM::Policy',
    deployedAs: 'the default policy CDK adds when a role of a stage is granted more (Role.addToPolicy), on roles only',
    handlers: {
      create: ['iam:GetUserPolicy', 'iam:GetRolePolicy', 'iam:GetGroupPolicy', 'iam:PutUserPolicy', 'iam:PutRolePolicy', 'iam:PutGroupPolicy'],
      read: [],
      update: ['iam:PutUserPolicy', 'iam:PutRolePolicy', 'iam:PutGroupPolicy', 'iam:DeleteRolePolicy', 'iam:DeleteUserPolicy', 'iam:DeleteGroupPolicy'],
      delete: ['iam:DeleteRolePolicy', 'iam:DeleteUserPolicy', 'iam:DeleteGroupPolicy'],
    },
    sources: [`${PUBLISHED} aws-cloudformation-schema/aws-iam-policy.json`],
    notGranted: Object.fromEntries(
      ['iam:GetUserPolicy', 'iam:GetGroupPolicy', 'iam:PutUserPolicy', 'iam:PutGroupPolicy', 'iam:DeleteUserPolicy', 'iam:DeleteGroupPolicy']
        .map((action) => [action, 'The stages attach policies to roles only, never to users or groups.']),
    ),
  },
  {
    type: 'AWS::Events::Rule',
    deployedAs: 'rules that forward ECR events from a registry (named ecr-replication-*, or named by CloudFormation after the stack)',
    handlers: {
      create: ['iam:PassRole', 'events:DescribeRule', 'events:PutRule', 'events:PutTargets', 'events:TagResource'],
      read: ['iam:PassRole', 'events:DescribeRule', 'events:ListTargetsByRule', 'events:ListTagsForResource'],
      update: ['iam:PassRole', 'events:DescribeRule', 'events:PutRule', 'events:RemoveTargets', 'events:PutTargets', 'events:UntagResource', 'events:TagResource'],
      delete: ['iam:PassRole', 'events:DescribeRule', 'events:DeleteRule', 'events:RemoveTargets', 'events:ListTargetsByRule'],
    },
    sources: [`${EVENTS_PROVIDERS} aws-events-rule/aws-events-rule.json`, `${PUBLISHED} aws-cloudformation-schema/aws-events-rule.json`],
  },
];

/** Resource types in the stages' templates that CloudFormation handles without calling any service. */
export const TYPES_WITHOUT_PERMISSIONS: Readonly<Record<string, string>> = {
  'AWS::CDK::Metadata': 'CDK\'s version reporting: CloudFormation stores it and calls no service.',
};

/**
 * Every stage template has the `BootstrapVersion` parameter of type
 * `AWS::SSM::Parameter::Value<String>`, which CloudFormation resolves with
 * `ssm:GetParameters` on `/cdk-bootstrap/<qualifier>/version`.
 */
export const TEMPLATE_PARAMETER_PERMISSIONS: readonly string[] = ['ssm:GetParameters'];
