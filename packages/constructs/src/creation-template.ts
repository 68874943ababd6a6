import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { RepositoryLifecycle, lifecyclePolicyText } from './encrypted-repository';
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

    this.role = templateRole(this, 'Role', { encryptionKey: props.encryptionKey, roleName: props.roleName, prefixes: [prefix], replication: true });
    this.template = new ecr.CfnRepositoryCreationTemplate(this, 'Resource', {
      prefix,
      appliedFor: ['REPLICATION'],
      description: props.description,
      encryptionConfiguration: { encryptionType: 'KMS', kmsKey: props.encryptionKey.keyArn },
      imageTagMutability: props.imageTagMutability ?? ecr.TagMutability.IMMUTABLE,
      customRoleArn: this.role.roleArn,
    });
  }
}

/** Where ECR applies a repository creation template (`RCTAppliedFor` in the ECR API). */
export type CreationTemplateAppliedFor = 'REPLICATION' | 'CREATE_ON_PUSH' | 'PULL_THROUGH_CACHE';

/** One repository creation template of a {@link RegistryCreationTemplates}. */
export interface RegistryCreationTemplate {
  /** `ROOT` for every repository no other template matches, or a namespace such as `team-a` (matching `team-a/...`). */
  readonly prefix: string;
  /**
   * When ECR applies the template: repositories created by replication into
   * this registry, by a push to a repository that does not exist yet, or by
   * a pull through cache rule.
   *
   * @default ['REPLICATION']
   */
  readonly appliedFor?: CreationTemplateAppliedFor[];
  /**
   * Tag mutability of the repositories ECR creates.
   *
   * @default ecr.TagMutability.IMMUTABLE
   */
  readonly imageTagMutability?: ecr.TagMutability;
  /**
   * Lifecycle of the repositories ECR creates.
   *
   * @default - no lifecycle policy
   */
  readonly lifecycle?: RepositoryLifecycle;
  /**
   * Description of the template, up to 256 characters.
   *
   * @default - no description
   */
  readonly description?: string;
}

/**
 * Properties of a {@link RegistryCreationTemplates}.
 */
export interface RegistryCreationTemplatesProps {
  /** KMS key that encrypts every repository the templates create; in the registry's Region. */
  readonly encryptionKey: kms.IKey;
  /** The templates, each with its own prefix. At least one. */
  readonly templates: RegistryCreationTemplate[];
  /**
   * Name of the one role ECR assumes for every template of the registry. Role
   * names are global to an account: one per Region. At most 64 characters.
   *
   * @default - a name CloudFormation generates from the stack name
   */
  readonly roleName?: string;
}

/**
 * Every repository creation template of one registry, sharing one role: each
 * repository ECR creates under a template's prefix (by replication, on push
 * or through a pull through cache rule) is encrypted with the registry's key
 * and gets the template's settings.
 *
 * The role may create repositories only under the templates' prefixes (the
 * whole registry only with a `ROOT` template). Not available in the China and
 * GovCloud partitions.
 */
export class RegistryCreationTemplates extends Construct {
  /** The role ECR assumes for every template. */
  public readonly role: iam.IRole;

  /** The CloudFormation templates, by prefix. */
  public readonly templates: ReadonlyMap<string, ecr.CfnRepositoryCreationTemplate>;

  constructor(scope: Construct, id: string, props: RegistryCreationTemplatesProps) {
    super(scope, id);

    const stack = Stack.of(this);
    const prefixes = props.templates.map((template) => template.prefix);
    throwIfInvalid('RegistryCreationTemplates', [
      ...(props.templates.length === 0 ? ['templates must list at least one template'] : []),
      ...props.templates.flatMap((template, index) => [
        ...prefixProblems(template.prefix).map((problem) => `templates[${index}].${problem}`),
        ...descriptionProblems(template.description).map((problem) => `templates[${index}].${problem}`),
        ...(template.appliedFor !== undefined && template.appliedFor.length === 0
          ? [`templates[${index}].appliedFor must list at least one of REPLICATION, CREATE_ON_PUSH, PULL_THROUGH_CACHE`] : []),
        ...(prefixes.indexOf(template.prefix) !== index
          ? [`templates[${index}] repeats the prefix of templates[${prefixes.indexOf(template.prefix)}] (value: "${template.prefix}")`] : []),
      ]),
      ...roleNameProblems(props.roleName),
      ...regionProblems(stack.region),
    ]);

    this.role = templateRole(this, 'Role', {
      encryptionKey: props.encryptionKey,
      roleName: props.roleName,
      prefixes,
      replication: props.templates.some((template) => (template.appliedFor ?? ['REPLICATION']).includes('REPLICATION')),
    });
    const templates = new Map<string, ecr.CfnRepositoryCreationTemplate>();
    for (const template of props.templates) {
      const lifecyclePolicy = lifecyclePolicyText(template.lifecycle);
      // Ids follow the prefix, never the position: a template with a fixed
      // prefix cannot be replaced in place (ECR refuses a second one for the
      // same prefix). ROOT keeps the id of the single safety net.
      templates.set(template.prefix, new ecr.CfnRepositoryCreationTemplate(this, templateId(template.prefix), {
        prefix: template.prefix,
        appliedFor: [...(template.appliedFor ?? ['REPLICATION'])],
        description: template.description,
        encryptionConfiguration: { encryptionType: 'KMS', kmsKey: props.encryptionKey.keyArn },
        imageTagMutability: template.imageTagMutability ?? ecr.TagMutability.IMMUTABLE,
        ...(lifecyclePolicy ? { lifecyclePolicy } : {}),
        customRoleArn: this.role.roleArn,
      }));
    }
    this.templates = templates;
  }
}

/** `Resource` for ROOT (the id of {@link CreationTemplateSafetyNet}'s template), `Template team-a` otherwise ('/' cannot be in an id). */
function templateId(prefix: string): string {
  return prefix === 'ROOT' ? 'Resource' : `Template ${prefix.split('/').join(' ')}`;
}

interface TemplateRoleProps {
  readonly encryptionKey: kms.IKey;
  readonly roleName?: string;
  /** `ROOT` or namespaces. */
  readonly prefixes: string[];
  /** Some template applies for replication: the role also replicates images. */
  readonly replication: boolean;
}

/**
 * The role ECR assumes to create repositories with a template's key: ECR
 * User Guide, "Create an IAM role for repository creation templates"
 * (ecr:CreateRepository, ecr:ReplicateImage, ecr:TagResource; kms:CreateGrant,
 * kms:RetireGrant, kms:DescribeKey), narrowed to the templates' prefixes and key.
 */
function templateRole(scope: Construct, id: string, props: TemplateRoleProps): iam.Role {
  const stack = Stack.of(scope);
  // Repositories the templates may create: all of this registry, or the prefixes' namespaces.
  const repositories = props.prefixes.includes('ROOT')
    ? [repositoryArn(stack, '*')]
    : props.prefixes.map((prefix) => repositoryArn(stack, `${prefix.replace(/\/$/, '')}/*`));
  const role = new iam.Role(scope, id, {
    roleName: props.roleName,
    assumedBy: new iam.ServicePrincipal('ecr.amazonaws.com'),
    description: props.replication
      ? 'Lets ECR create replicated repositories with the settings of a repository creation template'
      : 'Lets ECR create repositories with the settings of a repository creation template',
    inlinePolicies: {
      CreateReplicatedRepositories: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'CreateRepositories',
            actions: ['ecr:CreateRepository', ...(props.replication ? ['ecr:ReplicateImage'] : []), 'ecr:TagResource'],
            resources: repositories,
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
  for (const resource of repositories) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${findingText(stack.resolve(resource))}]`,
      reason: 'ECR may create any repository under the template prefix, and names are not known in advance; '
        + 'the wildcard is limited to repositories of this account and Region (under the prefix) and to three ECR actions.',
    });
  }
  return role;
}

function repositoryArn(stack: Stack, resourceName: string): string {
  return stack.formatArn({ service: 'ecr', resource: 'repository', resourceName });
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
