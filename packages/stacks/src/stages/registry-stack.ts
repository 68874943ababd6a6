import {
  BackfillRole,
  CreationTemplateSafetyNet,
  RegistryReplication,
  ReplicationAccess,
  AlertsDeadLetterQueue,
  ReplicationFailureForwarding,
  ReplicationKey,
  ResourceScope,
} from '@ecr-kms-replication/constructs';
import { Aws, CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { cdkDeploymentRoleArn, creationTemplateRoleName, FORWARDING_DEAD_LETTER_QUEUE_NAME } from './naming';
import { removalPolicyOf } from './removal';
import { Environment, KeyPrincipals, RemovalMode } from '../topology/model';

/** Source registries replicate these repositories to these destinations. */
export interface ReplicationSettings {
  readonly destinations: readonly Environment[];
  readonly repositoryNames: readonly string[];
}

/** Cross-account destinations let the source account replicate into these repositories. */
export interface ReplicationAccessSettings {
  readonly sourceAccount: string;
  readonly repositoryNames: readonly string[];
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
   * Deploy the repository creation template safety net (same-account
   * destinations only), with its role named by {@link creationTemplateRoleName}.
   * @default false
   */
  readonly creationTemplate?: boolean;
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
      // The deployment policy has no right on an existing key: the key's own policy gives them.
      deploymentRoleArn: cdkDeploymentRoleArn(this.account, this.region),
    });
    this.key = replicationKey.key;

    if (props.replication) {
      new RegistryReplication(this, 'Replication', {
        destinations: props.replication.destinations.map(({ account, region }) => ({ account, region })),
        repositoryFilters: [...props.replication.repositoryNames],
      });
    }
    if (props.replicationAccess) {
      new ReplicationAccess(this, 'ReplicationAccess', {
        sourceAccounts: [props.replicationAccess.sourceAccount],
        repositoryNames: [...props.replicationAccess.repositoryNames],
        // Past about 150 names ECR's 10,240-character policy limit forces
        // namespace wildcards (`team/*`); without CreateRepository the source
        // still only replicates into repositories that exist here.
        resourceScope: ResourceScope.WIDEN_TO_FIT,
      });
    }
    if (props.creationTemplate) {
      new CreationTemplateSafetyNet(this, 'CreationTemplate', {
        encryptionKey: this.key,
        roleName: creationTemplateRoleName({ account: this.account, region: this.region }),
      });
    }

    if (props.backfillRole) {
      const backfill = new BackfillRole(this, 'Backfill', { trustedAccounts: props.backfillRole.trustedAccounts });
      new CfnOutput(this, 'BackfillRoleArn', { description: 'Role of ecr-kms-replication backfill in this registry', value: backfill.role.roleArn });
    }

    if (props.alerts) {
      // What cannot reach the bus (its policy, the bus gone) is kept here,
      // encrypted with the registry key; the scheduled verification reads its depth.
      const deadLetterQueue = new AlertsDeadLetterQueue(this, 'UndeliveredFailures', {
        queueName: FORWARDING_DEAD_LETTER_QUEUE_NAME,
        encryptionKey: replicationKey.key,
      });
      new ReplicationFailureForwarding(this, 'FailedReplications', { eventBusArn: props.alerts.eventBusArn, deadLetterQueue });
    }

    new CfnOutput(this, 'KeyArn', { description: 'ARN of the KMS key of this registry', value: this.key.keyArn });
    new CfnOutput(this, 'KeyAlias', { description: 'Alias of the KMS key of this registry', value: replicationKey.aliasName });
    new CfnOutput(this, 'RegistryUri', {
      description: 'Registry URI: a repository is <RegistryUri>/<name>',
      value: `${this.account}.dkr.ecr.${this.region}.${this.urlSuffix}`,
    });
  }
}
