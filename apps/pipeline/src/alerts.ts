import { AlertsStage, TopologyModel, VerificationSettings } from '@ecr-kms-replication/stacks';
import { Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { lookupRoleArn, topologyEnvironments } from './registry-steps';

/** What the scheduled verification runs: the Verify step's check, with the replication status of the latest images. */
export const SCHEDULED_VERIFY_COMMAND = 'npx ecr-kms-replication verify --images 5 --assume-role always --topology "$ECR_REPLICATION_TOPOLOGY"';

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
  return {
    commands: ['npm ci', SCHEDULED_VERIFY_COMMAND],
    environmentVariables: { ECR_REPLICATION_TOPOLOGY: options.topologyFile },
    buildImage: codeBuildDefaults.buildEnvironment?.buildImage ?? codebuild.LinuxBuildImage.STANDARD_8_0,
    partialBuildSpec: codeBuildDefaults.partialBuildSpec,
    // Every registry through its look-up role, the pipeline account's own
    // included (--assume-role always), exactly as the pipeline's Verify step.
    rolePolicyStatements: [new iam.PolicyStatement({
      sid: 'AssumeLookupRoles',
      actions: ['sts:AssumeRole'],
      resources: topologyEnvironments(topology).map(lookupRoleArn),
    })],
  };
}
