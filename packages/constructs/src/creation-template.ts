import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { throwIfInvalid } from './validation';

/**
 * Properties of a {@link CreationTemplateSafetyNet}.
 */
export interface CreationTemplateSafetyNetProps {
  /**
   * KMS key that encrypts the repositories replication creates. It must be in
   * the template's Region; usually the environment's shared replication key.
   */
  readonly encryptionKey: kms.IKey;

  /**
   * Repositories the template applies to: `ROOT` for every repository, or a
   * namespace such as `prod` (matching `prod/...`).
   *
   * @default 'ROOT'
   */
  readonly prefix?: string;

  /**
   * Tag mutability of the repositories replication creates.
   *
   * @default ecr.TagMutability.IMMUTABLE
   */
  readonly imageTagMutability?: ecr.TagMutability;

  /**
   * Description of the template, up to 256 characters.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * Name of the role ECR assumes to create repositories. Role names are
   * global to an account: give each template of an account its own name
   * (for example one per Region). At most 64 characters.
   *
   * @default - a name CloudFormation generates from the stack name
   */
  readonly roleName?: string;
}

/**
 * A repository creation template for replication: when replication creates a
 * repository that was not created beforehand, it is encrypted with the given
 * key and gets immutable tags, instead of AES-256 and mutable tags.
 *
 * Repositories should still be created before replication starts; this is the
 * safety net for the ones that were not. Not available in the China and
 * GovCloud partitions.
 */
export class CreationTemplateSafetyNet extends Construct {
  /** The role ECR assumes to create repositories with the template's settings. */
  public readonly role: iam.IRole;

  /** The CloudFormation repository creation template. */
  public readonly template: ecr.CfnRepositoryCreationTemplate;

  constructor(scope: Construct, id: string, props: CreationTemplateSafetyNetProps) {
    super(scope, id);

    const stack = Stack.of(this);
    const prefix = props.prefix ?? 'ROOT';
    throwIfInvalid('CreationTemplateSafetyNet', [
      ...prefixProblems(prefix),
      ...descriptionProblems(props.description),
      ...roleNameProblems(props.roleName),
      ...regionProblems(stack.region),
    ]);

    // Repositories the template may create: all of this registry, or the prefix's namespace.
    const repositories = stack.formatArn({
      service: 'ecr',
      resource: 'repository',
      resourceName: prefix === 'ROOT' ? '*' : `${prefix.replace(/\/$/, '')}/*`,
    });
    const role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      assumedBy: new iam.ServicePrincipal('ecr.amazonaws.com'),
      description: 'Lets ECR create replicated repositories with the settings of a repository creation template',
      inlinePolicies: {
        CreateReplicatedRepositories: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'CreateRepositories',
              actions: ['ecr:CreateRepository', 'ecr:ReplicateImage', 'ecr:TagResource'],
              resources: [repositories],
            }),
            new iam.PolicyStatement({
              sid: 'DescribeKey',
              actions: ['kms:DescribeKey', 'kms:RetireGrant'],
              resources: [props.encryptionKey.keyArn],
            }),
            new iam.PolicyStatement({
              sid: 'GrantKeyToEcr',
              actions: ['kms:CreateGrant'],
              resources: [props.encryptionKey.keyArn],
              conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
            }),
          ],
        }),
      },
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${findingText(stack.resolve(repositories))}]`,
      reason: 'Replication may create any repository under the template prefix, and names are not known in advance; '
        + 'the wildcard is limited to repositories of this account and Region (under the prefix) and to three ECR actions.',
    });
    this.role = role;

    this.template = new ecr.CfnRepositoryCreationTemplate(this, 'Resource', {
      prefix,
      appliedFor: ['REPLICATION'],
      description: props.description,
      encryptionConfiguration: { encryptionType: 'KMS', kmsKey: props.encryptionKey.keyArn },
      imageTagMutability: props.imageTagMutability ?? ecr.TagMutability.IMMUTABLE,
      customRoleArn: role.roleArn,
    });
  }
}

/** A resolved ARN written the way cdk-nag names it in a finding ID: `{ Ref: X }` becomes `<X>`. @internal */
export function findingText(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  const node = value as { 'Ref'?: string; 'Fn::Join'?: [string, unknown[]] };
  if (node.Ref !== undefined) {
    return `<${node.Ref}>`;
  }
  if (node['Fn::Join'] !== undefined) {
    const [delimiter, parts] = node['Fn::Join'];
    return parts.map(findingText).join(delimiter);
  }
  return JSON.stringify(value);
}

function prefixProblems(prefix: string): string[] {
  if (Token.isUnresolved(prefix) || prefix === 'ROOT') {
    return [];
  }
  const namespace = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*\/?$/;
  return prefix.length <= 256 && namespace.test(prefix)
    ? []
    : [`prefix must be ROOT or a repository namespace of lowercase letters, digits and . _ - / (value: "${prefix}")`];
}

function descriptionProblems(description: string | undefined): string[] {
  return description !== undefined && !Token.isUnresolved(description) && description.length > 256
    ? [`description must be at most 256 characters (value: ${description.length} characters)`]
    : [];
}

function roleNameProblems(roleName: string | undefined): string[] {
  if (roleName === undefined || Token.isUnresolved(roleName)) {
    return [];
  }
  return /^[\w+=,.@-]{1,64}$/.test(roleName)
    ? []
    : [`roleName must be 1 to 64 letters, digits or + = , . @ _ - (value: "${roleName}", ${roleName.length} characters)`];
}

function regionProblems(region: string): string[] {
  return !Token.isUnresolved(region) && (region.startsWith('cn-') || region.startsWith('us-gov-'))
    ? [`repository creation templates are not available in the China and GovCloud partitions (region: "${region}")`]
    : [];
}
