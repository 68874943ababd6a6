import { Environment, TopologyModel, environmentId } from '@ecr-kms-replication/stacks';

/** The customer-managed policy the targets' CloudFormation execution role gets. */
export const EXECUTION_POLICY_NAME = 'ecr-kms-replication-deploy';
/** Where the policy document lives, relative to the repository root. */
export const EXECUTION_POLICY_FILE = 'apps/pipeline/cfn-execution-policy.json';

/** One step of the bootstrap plan: what it is for, and the commands. */
export interface BootstrapStep {
  readonly title: string;
  /** The account whose credentials the commands need. */
  readonly account: string;
  readonly commands: readonly string[];
}

function unique<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) {
    if (!seen.has(key(item))) seen.set(key(item), item);
  }
  return [...seen.values()];
}

/**
 * The commands that prepare every account for the pipeline, in order:
 * the pipeline account in its own Region and in every target Region (CDK
 * Pipelines puts its cross-Region support stacks there), then each target
 * account's execution policy and each target environment, trusting the
 * pipeline account.
 */
export function bootstrapSteps(topology: TopologyModel): BootstrapStep[] {
  const pipeline = topology.pipeline;
  const targets = unique<Environment>([...topology.destinations, topology.source], environmentId);
  const pipelineRegions = unique([pipeline.region, ...targets.map((t) => t.region)], (r) => r);
  const isPipelineEnv = (env: Environment) => env.account === pipeline.account && env.region === pipeline.region;

  const steps: BootstrapStep[] = [];
  const ownTrust = targets.some(isPipelineEnv) ? ` --trust ${pipeline.account}` : '';
  steps.push({
    title: `Pipeline account ${pipeline.account}: its own Region ${pipeline.region} and every target Region`,
    account: pipeline.account,
    commands: pipelineRegions.map((region) =>
      `npx cdk bootstrap aws://${pipeline.account}/${region}${region === pipeline.region ? ownTrust : ''}`),
  });

  for (const account of unique(targets.map((t) => t.account), (a) => a)) {
    const environments = targets.filter((t) => t.account === account && !isPipelineEnv(t));
    if (environments.length === 0) continue;
    const policyArn = `arn:aws:iam::${account}:policy/${EXECUTION_POLICY_NAME}`;
    steps.push({
      title: `Target account ${account}: the deployment policy, then ${environments.map((e) => e.region).join(', ')}`,
      account,
      commands: [
        `aws iam create-policy --policy-name ${EXECUTION_POLICY_NAME} --policy-document file://${EXECUTION_POLICY_FILE}`,
        ...environments.map((env) =>
          `npx cdk bootstrap aws://${env.account}/${env.region} --trust ${pipeline.account} --cloudformation-execution-policies ${policyArn}`),
      ],
    });
  }
  return steps;
}

export interface BootstrapPlanOptions {
  /**
   * The topology file the pipeline stack is deployed with, relative to the
   * repository root, when it is not the example one.
   * @default - the example topology (no environment variable needed)
   */
  readonly topologyFile?: string;
}

/** The plan as text, ready to copy command by command. */
export function bootstrapPlan(topology: TopologyModel, options: BootstrapPlanOptions = {}): string {
  const selectTopology = options.topologyFile ? `ECR_REPLICATION_TOPOLOGY=../../${options.topologyFile} ` : '';
  const lines = [
    '# Bootstrap plan: run each block with credentials for the account it names.',
    '# Re-running a command is safe: cdk bootstrap updates the environment in place.',
  ];
  bootstrapSteps(topology).forEach((step, index) => {
    lines.push('', `# ${index + 1}. ${step.title}`, `#    (credentials for account ${step.account}, e.g. AWS_PROFILE=...)`, ...step.commands);
  });
  if ([...topology.destinations, topology.source].some((t) => t.account === topology.pipeline.account && t.region === topology.pipeline.region)) {
    lines.push('', `# Note: ${environmentId(topology.pipeline)} is both the pipeline's environment and a target. It keeps the`,
      '# default execution policy (AdministratorAccess), which the pipeline stack itself needs to deploy there.');
  }
  lines.push('', `# ${bootstrapSteps(topology).length + 1}. Deploy the pipeline stack once (credentials for account ${topology.pipeline.account}):`,
    `(cd apps/pipeline && ${selectTopology}npx cdk deploy Pipeline)`);
  return lines.join('\n');
}
