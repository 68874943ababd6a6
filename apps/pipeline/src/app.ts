import { EcrReplicationChecks, TopologyModel } from '@ecr-kms-replication/stacks';
import { App, Validations } from 'aws-cdk-lib';
import { PipelineStack } from './pipeline-stack';

/** The name of the pipeline stack, deployed once by hand into the pipeline account. */
export const PIPELINE_STACK_NAME = 'ecr-kms-replication-pipeline';

/**
 * Feature flags the app always runs with, in code rather than in cdk.json so
 * that tests synthesize exactly what the CLI does.
 */
export const FEATURE_FLAGS: Record<string, boolean | string> = {
  // Many targets: keep the pipeline's IAM policies small.
  '@aws-cdk/aws-iam:minimizePolicies': true,
  // Trust only what is needed between the pipeline and the target accounts.
  '@aws-cdk/pipelines:reduceAssetRoleTrustScope': true,
  '@aws-cdk/pipelines:reduceStageRoleTrustScope': true,
  '@aws-cdk/pipelines:reduceCrossAccountActionRoleTrustScope': true,
  // Repositories stacks import their environment's key ARN. A strong
  // reference (an export) keeps the key's stack from dropping it while a
  // repository still depends on it.
  '@aws-cdk/core:defaultCrossStackReferences': 'strong',
  // No creation stack trace on every resource: at 25,000 repositories they
  // cost seconds of every synth. `cdk synth --debug` still records them.
  'aws:cdk:disable-creation-stack-traces': true,
};

/** A CDK app with the project's feature flags. */
export function createApp(outdir?: string): App {
  // CloudFormation schema validation is left to cfn-lint in CI: at 25 x 1,000
  // it was most of the synth time, and the topology validation already
  // refuses what the schemas would catch (see the README, "What is checked where").
  // No tree.json: only construct-tree viewers read it, and at 25,000
  // repositories writing it took seconds of every synth.
  return new App({ outdir, context: FEATURE_FLAGS, builtinCloudFormationValidation: false, treeMetadata: false });
}

export interface AddPipelineOptions {
  readonly topology: TopologyModel;
  /** Path of the topology file relative to the repository root. */
  readonly topologyFile: string;
}

/** Adds the pipeline stack, with cdk-nag over it (the stages add their own). */
export function addPipeline(app: App, options: AddPipelineOptions): PipelineStack {
  const { account, region } = options.topology.pipeline;
  const pipelineStack = new PipelineStack(app, 'Pipeline', {
    env: { account, region },
    stackName: PIPELINE_STACK_NAME,
    description: 'ecr-kms-replication: the pipeline that deploys every destination registry before the source',
    topology: options.topology,
    topologyFile: options.topologyFile,
  });
  // Each stage checks itself; these check the pipeline stack and its cross-Region support stacks.
  Validations.of(app).addPlugins(new EcrReplicationChecks(app));
  return pipelineStack;
}
