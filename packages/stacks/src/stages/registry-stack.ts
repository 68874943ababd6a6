import {
  BackfillRole,
  RegistryCreationTemplates,
  RegistryReplication,
  ReplicationAccess,
  ReplicationFailureForwarding,
  ReplicationKey,
  ResourceScope,
} from '@ecr-kms-replication/constructs';
import { Aws, CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { creationTemplateRoleName } from './naming';
import { removalPolicyOf } from './removal';
import { Environment, KeyPrincipals, RemovalMode } from '../topology/model';
import { CreationTemplateModel } from '../topology/routing';

/** One replication rule: repositories matching these `PREFIX_MATCH` filters go to these destinations. */
export interface ReplicationRuleSettings {
  readonly destinations: readonly Environment[];
  readonly filters: readonly string[];
}

/** Source registries replicate by these rules (see `replicationRules`). */
export interface ReplicationSettings {
  readonly rules: readonly ReplicationRuleSettings[];
}

/**
 * Cross-account destinations let the source account replicate into these
 * repositories and namespaces, and create repositories under the namespaces.
 */
export interface ReplicationAccessSettings {
  readonly sourceAccount: string;
  /** Listed repositories outside every namespace routed here. */
  readonly repositoryNames: readonly string[];
  /** Namespaces routed here: `repository/<prefix>/*`, creation included, once their template exists. */
  readonly namespaces: readonly string[];
}

export interface RegistryStackProps extends StackProps {
  /** Alias of the environment's key. */
  readonly keyAlias: string;
  /** Who administers and who uses the key. */
  readonly keyPrincipals: KeyPrincipals;
  /** What happens to the key when the stack is deleted. */
  readonly removal: RemovalMode;
  /**
   * The registry's replication configuration (source only).
   * @default - no replication configuration
   */
  readonly replication?: ReplicationSettings;
  /**
   * The registry policy that lets the source account replicate in
   * (cross-account destinations only).
   * @default - no registry policy
   */
  readonly replicationAccess?: ReplicationAccessSettings;
  /**
   * The registry's repository creation templates (see `creationTemplatesIn`),
   * sharing one role named by {@link creationTemplateRoleName}.
   * @default - no creation template
   */
  readonly creationTemplates?: readonly CreationTemplateModel[];
  /**
   * Deploy the role of the `backfill` command, trusted by these accounts
   * (source only).
   * @default - no backfill role
   */
  readonly backfillRole?: { readonly trustedAccounts: readonly string[] };
  /**
   * Forward failed replications into this registry to the alerts bus (destinations, alerts on).
   * @default - no forwarding
   */
  readonly alerts?: { readonly eventBusArn: string };
}

/**
 * What an environment has once per registry: its KMS key and the
 * registry-wide settings that exactly one stack may own (replication
 * configuration, registry policy, creation template).
 */
export class RegistryStack extends Stack {
  /** The environment's key, shared by all its repositories. */
  public readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    super(scope, id, props);

    const replicationKey = new ReplicationKey(this, 'Key', {
      alias: props.keyAlias,
      keyAdmins: [...props.keyPrincipals.keyAdmins],
      keyUsers: [...props.keyPrincipals.keyUsers],
      description: `Encrypts the ECR repositories replicated by ecr-kms-replication in ${Aws.ACCOUNT_ID}/${Aws.REGION}`,
      removalPolicy: removalPolicyOf(props.removal),
    });
    this.key = replicationKey.key;

    if (props.replication) {
      new RegistryReplication(this, 'Replication', {
        rules: props.replication.rules.map((rule) => ({
          destinations: rule.destinations.map(({ account, region }) => ({ account, region })),
          repositoryFilters: [...rule.filters],
        })),
      });
    }
    const templates = props.creationTemplates && props.creationTemplates.length > 0
      ? new RegistryCreationTemplates(this, 'CreationTemplate', {
        encryptionKey: this.key,
        roleName: creationTemplateRoleName({ account: this.account, region: this.region }),
        templates: props.creationTemplates.map((template) => ({
          prefix: template.prefix,
          appliedFor: [...template.appliedFor],
          imageTagMutability: template.namespace?.imageTagMutability === 'MUTABLE' ? ecr.TagMutability.MUTABLE : ecr.TagMutability.IMMUTABLE,
          lifecycle: template.namespace?.lifecycle,
          description: template.namespace ? namespaceDescription(template.namespace.prefix) : undefined,
        })),
      })
      : undefined;
    if (props.replicationAccess) {
      const access = new ReplicationAccess(this, 'ReplicationAccess', {
        sourceAccounts: [props.replicationAccess.sourceAccount],
        repositoryNames: [...props.replicationAccess.repositoryNames],
        namespaces: [...props.replicationAccess.namespaces],
        // Past about 150 names ECR's 10,240-character policy limit forces
        // namespace wildcards (`team/*`); without CreateRepository the source
        // still only replicates into repositories that exist here. The
        // namespaces' CreateRepository grant is never widened.
        resourceScope: ResourceScope.WIDEN_TO_FIT,
      });
      if (props.replicationAccess.namespaces.length > 0 && templates) {
        // Replication may create repositories here only once the template
        // that encrypts them with this registry's key exists.
        access.node.addDependency(templates);
      }
    }

    if (props.backfillRole) {
      const backfill = new BackfillRole(this, 'Backfill', { trustedAccounts: props.backfillRole.trustedAccounts });
      new CfnOutput(this, 'BackfillRoleArn', { description: 'Role of ecr-kms-replication backfill in this registry', value: backfill.role.roleArn });
    }

    if (props.alerts) {
      new ReplicationFailureForwarding(this, 'FailedReplications', { eventBusArn: props.alerts.eventBusArn });
    }

    new CfnOutput(this, 'KeyArn', { description: 'ARN of the KMS key of this registry', value: this.key.keyArn });
    new CfnOutput(this, 'KeyAlias', { description: 'Alias of the KMS key of this registry', value: replicationKey.aliasName });
    new CfnOutput(this, 'RegistryUri', {
      description: 'Registry URI: a repository is <RegistryUri>/<name>',
      value: `${this.account}.dkr.ecr.${this.region}.${this.urlSuffix}`,
    });
  }
}

/** The description of a namespace's template; none when the prefix makes it longer than ECR's 256 characters. */
function namespaceDescription(prefix: string): string | undefined {
  const description = `ecr-kms-replication namespace ${prefix}/: repositories created with this registry's key`;
  return description.length <= 256 ? description : undefined;
}
