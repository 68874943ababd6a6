import { AlertsStage, DestinationStage, SourceStage, TopologyModel, environmentId } from '@ecr-kms-replication/stacks';
import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { alertsStage } from './alerts';
import { hardenArtifactStores } from './artifact-stores';
import { BuildLogs } from './build-logs';
import { backfillRoleArn, lookupRoleArn, RegistryCommandStep, topologyEnvironments } from './registry-steps';
import { acknowledgeArtifactBuckets, acknowledgeGeneratedPolicyWildcards } from './reviewed-findings';
import { planWaves } from './waves';

/** The CDK CLI the pipeline uses for self-mutation: the one this repository pins. */
export const PIPELINE_CDK_CLI_VERSION = '2.1148.1';
/** The Node.js major version of every CodeBuild step: an LTS release the CodeBuild image provides. */
export const PIPELINE_NODE_VERSION = '22';
/** The pipeline's name (the alerts notify its failed executions and approvals). */
export const PIPELINE_NAME = 'ecr-kms-replication';

export interface PipelineStackProps extends StackProps {
  readonly topology: TopologyModel;
  /**
   * Path of the topology file, relative to the repository root: the
   * pipeline's synth and verify steps read the same file.
   */
  readonly topologyFile: string;
}

/**
 * The pipeline: a push to the topology's branch starts it; it updates
 * itself, checks that nothing in the registries stands in the way
 * (preflight), deploys every destination (in parallel waves), waits for an
 * approval, deploys the source (replication switches on there), backfills
 * the images that existed before (unless `pipeline.backfill: false`), then
 * checks that every destination repository is encrypted with its KMS key.
 */
export class PipelineStack extends Stack {
  public readonly pipeline: pipelines.CodePipeline;
  /** The destination stages, wave by wave. */
  public readonly destinationWaves: DestinationStage[][];
  public readonly sourceStage: SourceStage;
  /** The alerts, in the pipeline account; `undefined` with `alerts: false`. */
  public readonly alertsStage?: AlertsStage;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { topology, topologyFile } = props;
    const { pipeline: settings } = topology;
    const env = { ECR_REPLICATION_TOPOLOGY: topologyFile };

    const input = pipelines.CodePipelineSource.connection(settings.repository, settings.branch, {
      connectionArn: settings.connectionArn,
      triggerOnPush: true,
    });

    const buildLogs = new BuildLogs(this, 'BuildLogs');
    const codeBuildDefaults: pipelines.CodeBuildOptions = {
      // Every CodeBuild step of the pipeline (synth, self-mutation, verify and
      // the steps added later) runs on Node.js 22, which the repository
      // requires (engines) and the Ubuntu standard 8.0 image provides.
      buildEnvironment: { buildImage: codebuild.LinuxBuildImage.STANDARD_8_0 },
      logging: buildLogs.logging,
      partialBuildSpec: codebuild.BuildSpec.fromObject({
        phases: { install: { 'runtime-versions': { nodejs: PIPELINE_NODE_VERSION } } },
      }),
    };
    this.pipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      pipelineName: PIPELINE_NAME,
      pipelineType: codepipeline.PipelineType.V2,
      crossAccountKeys: true,
      enableKeyRotation: true,
      cliVersion: PIPELINE_CDK_CLI_VERSION,
      // One deploy action per stack instead of two (create + execute change
      // set): twice as many destinations fit in one wave of 50 actions.
      useChangeSets: false,
      codeBuildDefaults,
      synth: new pipelines.ShellStep('Synth', {
        input,
        env,
        commands: ['npm ci', 'npx nx run-many -t compile', 'npm run synth'],
        primaryOutputDirectory: 'apps/pipeline/cdk.out',
      }),
    });

    // Nothing is deployed before preflight (and the approval of the
    // destinations, when the topology asks for one) has passed.
    const beforeAnyDeploy = this.beforeAnyDeploy(input, topology, env);
    // Alerts (topology `alerts`) first: the registries forward failed replications to its bus.
    this.alertsStage = alertsStage(this, { topology, topologyFile, pipelineName: PIPELINE_NAME, codeBuildDefaults });
    if (this.alertsStage) this.pipeline.addStage(this.alertsStage, { pre: beforeAnyDeploy });
    const firstWavePre = this.alertsStage ? [] : beforeAnyDeploy;

    const destinations = topology.destinations.map((destination) => new DestinationStage(this, { topology, destination }));
    const actionsPerDestination = Math.max(...destinations.map((stage) => stageStackCount(stage)), 1);
    this.destinationWaves = planWaves(destinations, {
      actionsPerItem: actionsPerDestination,
      actionsInFirstWave: firstWavePre.length,
    });
    this.destinationWaves.forEach((stages, index) => {
      const wave = this.pipeline.addWave(`Destinations${index + 1}`, { pre: index === 0 ? firstWavePre : [] });
      stages.forEach((stage) => wave.addStage(stage));
    });

    this.sourceStage = new SourceStage(this, { topology });
    const verify = this.verifyStep(input, topology, env);
    const backfill = settings.backfill ? this.backfillStep(input, topology, env) : undefined;
    // Verify looks at the registries once the images that existed before are copied.
    if (backfill) verify.addStepDependency(backfill);
    this.pipeline.addStage(this.sourceStage, {
      pre: [new pipelines.ManualApprovalStep('ApproveSource', {
        comment: `Every destination is ready. Approve to switch replication on in ${environmentId(topology.source)}: from then on every push is copied to ${topology.destinations.length} destinations.`,
      })],
      post: backfill ? [backfill, verify] : [verify],
    });

    this.pipeline.buildPipeline();
    hardenArtifactStores(this.pipeline.pipeline);
    buildLogs.encryptWith(this.pipeline.pipeline.artifactBucket.encryptionKey!);
    this.acknowledgeFindings();
  }

  /**
   * Before anything is deployed: `ecr-kms-replication preflight` (which fails
   * the run when something in a registry would stand in the way), then the
   * approval of the destinations when the topology asks for one.
   */
  private beforeAnyDeploy(input: pipelines.IFileSetProducer, topology: TopologyModel, env: Record<string, string>): pipelines.Step[] {
    const preflight = new RegistryCommandStep('Preflight', {
      input,
      env,
      command: 'preflight',
      roleArns: topologyEnvironments(topology).map(lookupRoleArn),
    });
    if (!topology.pipeline.approveDestinations) return [preflight];
    const approval = new pipelines.ManualApprovalStep('ApproveDestinations', {
      comment: `Preflight passed. Create the KMS keys and repositories in ${topology.destinations.length} destination registries.`,
    });
    approval.addStepDependency(preflight);
    return [preflight, approval];
  }

  /** `ecr-kms-replication verify` in the pipeline account, through every target's look-up role. */
  private verifyStep(input: pipelines.IFileSetProducer, topology: TopologyModel, env: Record<string, string>) {
    return new RegistryCommandStep('Verify', {
      input,
      env,
      command: 'verify',
      roleArns: topologyEnvironments(topology).map(lookupRoleArn),
    });
  }

  /**
   * `ecr-kms-replication backfill --only-missing`: replication copies only the
   * images pushed after it is switched on; this copies the older ones where a
   * destination lacks some (a run with nothing missing starts nothing). The
   * source is read and backfilled through its backfill role, the
   * destinations' images through their look-up roles.
   */
  private backfillStep(input: pipelines.IFileSetProducer, topology: TopologyModel, env: Record<string, string>) {
    return new RegistryCommandStep('Backfill', {
      input,
      env,
      command: 'backfill --only-missing',
      roleArns: [backfillRoleArn(topology.source), ...topology.destinations.map(lookupRoleArn)],
      // It waits for the backfills to end: many images take a while.
      timeout: Duration.hours(8),
    });
  }

  /** Reviewed cdk-nag findings on the constructs CDK Pipelines generates (built above). */
  private acknowledgeFindings() {
    acknowledgeArtifactBuckets(this.pipeline);
    acknowledgeGeneratedPolicyWildcards(this.pipeline);
  }
}

/** The stacks of a stage: with `useChangeSets: false`, one deploy action each. */
function stageStackCount(stage: DestinationStage): number {
  return 1 + stage.repositoriesStacks.length;
}
