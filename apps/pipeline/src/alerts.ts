import { AlertsStage, alertsDeadLetterQueues, TopologyModel, VerificationSettings } from '@ecr-kms-replication/stacks';
import { Aws, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { lookupRoleArn, topologyEnvironments } from './registry-steps';

/** The scheduled build's variable that lists the URLs of the alerts' dead-letter queues, separated by spaces. */
export const DEAD_LETTER_QUEUES_VARIABLE = 'ECR_REPLICATION_DEAD_LETTER_QUEUES';

/**
 * What the scheduled verification runs: the Verify step's check, with the
 * replication status of the latest images, and the depth of every dead-letter
 * queue of the alerts (the variable is split into one URL per argument).
 */
export const SCHEDULED_VERIFY_COMMAND = 'npx ecr-kms-replication verify --images 5 --assume-role always --topology "$ECR_REPLICATION_TOPOLOGY"'
  + ` --dead-letter-queue $${DEAD_LETTER_QUEUES_VARIABLE}`;

export interface PipelineAlertsOptions {
  readonly topology: TopologyModel;
  /** Path of the topology file relative to the repository root. */
  readonly topologyFile: string;
  readonly pipelineName: string;
  /** The pipeline's CodeBuild defaults: the scheduled verification runs on the same image and runtime (its own log group). */
  readonly codeBuildDefaults: pipelines.CodeBuildOptions;
}

/**
 * The alerts stage of a topology with alerts on, deployed by the pipeline
 * before the registries; `undefined` when the file says `alerts: false`.
 */
export function alertsStage(stack: Stack, options: PipelineAlertsOptions): AlertsStage | undefined {
  const { topology } = options;
  if (!topology.alerts) return undefined;
  return new AlertsStage(stack, 'Alerts', {
    topology,
    pipelineName: options.pipelineName,
    verification: verificationSettings(options),
  });
}

function verificationSettings(options: PipelineAlertsOptions): VerificationSettings {
  const { topology, codeBuildDefaults } = options;
  const queues = alertsDeadLetterQueues(topology);
  return {
    commands: ['npm ci', SCHEDULED_VERIFY_COMMAND],
    environmentVariables: {
      ECR_REPLICATION_TOPOLOGY: options.topologyFile,
      // The URL domain of the pipeline's partition: every queue is in it.
      [DEAD_LETTER_QUEUES_VARIABLE]: queues.map((q) => `https://sqs.${q.region}.${Aws.URL_SUFFIX}/${q.account}/${q.queueName}`).join(' '),
    },
    buildImage: codeBuildDefaults.buildEnvironment?.buildImage ?? codebuild.LinuxBuildImage.STANDARD_8_0,
    partialBuildSpec: codeBuildDefaults.partialBuildSpec,
    // Every registry through its look-up role, the pipeline account's own
    // included (--assume-role always), exactly as the pipeline's Verify step;
    // and the pipeline environment's, for the alerts' dead-letter queue.
    rolePolicyStatements: [new iam.PolicyStatement({
      sid: 'AssumeLookupRoles',
      actions: ['sts:AssumeRole'],
      resources: uniqueEnvironments([...topologyEnvironments(topology), ...queues]).map(lookupRoleArn),
    })],
  };
}

function uniqueEnvironments<E extends { account: string; region: string }>(environments: readonly E[]): E[] {
  const seen = new Set<string>();
  return environments.filter((env) => {
    const id = `${env.account}-${env.region}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
