import { CfnOutput, PermissionsBoundary, Stack, Stage, StageProps, Tags, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EnvironmentRole, PERMISSIONS_BOUNDARY_POLICY_NAME, registryStackName, repositoriesStackName, SOURCE_OUTPUT, sourceOwnerValue } from './naming';
import { RegistryStack, RegistryStackProps } from './registry-stack';
import { RepositoriesStack } from './repositories-stack';
import { groupRepositories } from './repository-groups';
import { EcrReplicationChecks } from './security-checks';
import { Environment, KeyPrincipals, RepositoryModel, TopologyModel } from '../topology/model';

export interface RegistryStageProps extends StageProps {
  readonly topology: TopologyModel;
  readonly role: EnvironmentRole;
  /** The environment and its key principals. */
  readonly environment: Environment & KeyPrincipals;
  /** The repositories this stage creates (adopted ones excluded). */
  readonly repositories: readonly RepositoryModel[];
  /** Role-specific registry settings (replication, access, creation template). */
  readonly registry: Pick<RegistryStackProps, 'replication' | 'replicationAccess' | 'creationTemplates' | 'backfillRole' | 'alerts'>;
}

/**
 * One environment (account + Region): its registry stack and, after it, the
 * stacks of its repository groups. Security checks (cdk-nag AwsSolutions)
 * run on every stack of the stage: plugins added to the App would not
 * reach into a Stage.
 *
 * Every IAM role in the stage, whoever adds it, carries the permissions
 * boundary {@link PERMISSIONS_BOUNDARY_POLICY_NAME} of its account: the
 * deployment policy refuses to create a role without it.
 */
export class RegistryStage extends Stage {
  /** The registry stack (key and registry-wide settings). */
  public readonly registryStack: RegistryStack;
  /** The repositories stacks, in group order. */
  public readonly repositoriesStacks: RepositoriesStack[] = [];

  constructor(scope: Construct, id: string, props: RegistryStageProps) {
    const env = { account: props.environment.account, region: props.environment.region };
    super(scope, id, { permissionsBoundary: PermissionsBoundary.fromName(PERMISSIONS_BOUNDARY_POLICY_NAME), ...props, env });
    const { topology, role } = props;

    this.registryStack = new RegistryStack(this, 'Registry', {
      env,
      stackName: registryStackName(role, env),
      description: `ecr-kms-replication ${role} registry ${env.account}/${env.region}: KMS key and registry settings`,
      keyAlias: topology.keyAlias,
      keyPrincipals: props.environment,
      removal: topology.removal,
      ...props.registry,
    });

    for (const [group, repositories] of groupRepositories(props.repositories)) {
      const stack = new RepositoriesStack(this, `Repositories${group}`, {
        env,
        stackName: repositoriesStackName(role, env, group),
        description: `ecr-kms-replication ${role} registry ${env.account}/${env.region}: KMS-encrypted repositories, group ${group}`,
        repositories,
        encryptionKey: this.registryStack.key,
        removal: topology.removal,
      });
      stack.addStackDependency(this.registryStack, 'repositories are encrypted with the registry key');
      this.repositoriesStacks.push(stack);
    }

    for (const stack of [this.registryStack, ...this.repositoriesStacks]) addSourceOutput(stack, topology);
    Tags.of(this).add('ManagedBy', 'ecr-kms-replication');
    for (const [key, value] of Object.entries(topology.tags)) {
      Tags.of(this).add(key, value);
    }
    Validations.of(this).addPlugins(new EcrReplicationChecks(this));
  }
}

/** Records on `stack` which topology (by its source registry) owns it: see {@link SOURCE_OUTPUT}. */
export function addSourceOutput(stack: Stack, topology: TopologyModel): void {
  new CfnOutput(stack, SOURCE_OUTPUT, {
    description: 'The source registry of the ecr-kms-replication topology that owns this stack',
    value: sourceOwnerValue(topology.source),
  });
}
