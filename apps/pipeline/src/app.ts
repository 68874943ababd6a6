import { EcrReplicationChecks, TopologyModel } from '@ecr-kms-replication/stacks';
import { App, Validations } from 'aws-cdk-lib';
import { FEATURE_FLAGS } from './feature-flags';
import { PipelineStack } from './pipeline-stack';

export { FEATURE_FLAGS } from './feature-flags';

/** The name of the pipeline stack, deployed once by hand into the pipeline account. */
export const PIPELINE_STACK_NAME = 'ecr-kms-replication-pipeline';

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
