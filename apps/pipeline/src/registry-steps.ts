import { CDK_BOOTSTRAP_QUALIFIER, Environment, TopologyModel } from '@ecr-kms-replication/stacks';
import { Aws, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipelines from 'aws-cdk-lib/pipelines';

/** The CDK bootstrap qualifier whose look-up roles the registry checks assume. */
export const BOOTSTRAP_QUALIFIER = CDK_BOOTSTRAP_QUALIFIER;

/** The read-only CDK look-up role of an environment (`cdk bootstrap --trust` opens it to the pipeline account). */
export function lookupRoleArn(env: Environment): string {
  return `arn:${Aws.PARTITION}:iam::${env.account}:role/cdk-${BOOTSTRAP_QUALIFIER}-lookup-role-${env.account}-${env.region}`;
}

/**
 * The source's backfill role, which its registry stack deploys (the
 * `BackfillRole` construct): it may start and follow replication backfills there.
 */
export function backfillRoleArn(env: Environment): string {
  return `arn:${Aws.PARTITION}:iam::${env.account}:role/ecr-replication-backfill-${env.region}`;
}

/** Every registry of the topology: the source, then the destinations. */
export function topologyEnvironments(topology: TopologyModel): Environment[] {
  return [topology.source, ...topology.destinations];
}

export interface RegistryCommandStepProps {
  readonly input: pipelines.IFileSetProducer;
  /** Environment variables of the step (the topology file's path among them). */
  readonly env: Record<string, string>;
  /**
   * The `ecr-kms-replication` subcommand and its own options, e.g. `verify`.
   * The step adds `--topology` and `--assume-role always`.
   */
  readonly command: string;
  /** The roles the step may assume, one per environment it reads. */
  readonly roleArns: readonly string[];
  /**
   * How long the step may run.
   * @default - CodeBuild's default (60 minutes)
   */
  readonly timeout?: Duration;
}

/**
 * A CodeBuild step that runs one `ecr-kms-replication` command against the
 * live registries. The step's own role has no ECR or KMS rights: every
 * registry, the pipeline account's own included, is read through a role of
 * its account (`--assume-role always`), so the step may only assume those.
 */
export class RegistryCommandStep extends pipelines.CodeBuildStep {
  constructor(id: string, props: RegistryCommandStepProps) {
    super(id, {
      input: props.input,
      env: props.env,
      timeout: props.timeout,
      commands: [
        'npm ci',
        `npx ecr-kms-replication ${props.command} --topology "$ECR_REPLICATION_TOPOLOGY" --assume-role always`,
      ],
      rolePolicyStatements: [
        new iam.PolicyStatement({
          sid: `${id.replace(/[^A-Za-z0-9]/g, '')}AssumesRegistryRoles`,
          actions: ['sts:AssumeRole'],
          resources: [...props.roleArns],
        }),
      ],
    });
  }
}
