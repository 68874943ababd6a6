import { Environment, PERMISSIONS_BOUNDARY_POLICY_NAME, TopologyModel, environmentId } from '@ecr-kms-replication/stacks';

/** The customer-managed policy the targets' CloudFormation execution role gets. */
export const EXECUTION_POLICY_NAME = 'ecr-kms-replication-deploy';
/** Where the policy document lives, relative to the repository root. */
export const EXECUTION_POLICY_FILE = 'apps/pipeline/cfn-execution-policy.json';
/** The permissions boundary every role of the stages carries (named in the stages). */
export const BOUNDARY_POLICY_NAME = PERMISSIONS_BOUNDARY_POLICY_NAME;
/** Where the boundary document lives, relative to the repository root. */
export const BOUNDARY_POLICY_FILE = 'apps/pipeline/permissions-boundary.json';
/** The deployment policy's statement that lets CloudFormation tag a key it creates (see {@link keyTagProblems}). */
export const KEY_TAGS_STATEMENT_SID = 'TagKeysAtCreation';
/** Tag keys every stage puts on its resources besides the topology's `tags`. */
export const PRODUCT_TAG_KEYS: readonly string[] = ['ManagedBy'];

/**
 * Tag keys of the topology that the deployment policy does not let
 * CloudFormation put on a new key. KMS authorizes the tags given to
 * `CreateKey` as `kms:TagResource`, from an IAM policy only, on any key of the
 * account and Region ("ABAC for AWS KMS" and "Tagging keys", KMS Developer
 * Guide); the policy limits it to known tag keys with `aws:TagKeys`, so a
 * topology tag missing there makes the first deployment fail.
 */
export function keyTagProblems(topology: TopologyModel, policy: { Statement: readonly unknown[] }): string[] {
  const statement = policy.Statement.find((s) => (s as { Sid?: string }).Sid === KEY_TAGS_STATEMENT_SID) as
    { Condition?: Record<string, Record<string, string | string[]>> } | undefined;
  const allowed = new Set([statement?.Condition?.['ForAllValues:StringEquals']?.['aws:TagKeys'] ?? []].flat());
  return [...PRODUCT_TAG_KEYS, ...Object.keys(topology.tags)]
    .filter((key) => !allowed.has(key))
    .map((key) => `tags: the key '${key}' is not in the aws:TagKeys of statement ${KEY_TAGS_STATEMENT_SID} in ${EXECUTION_POLICY_FILE}: `
      + 'add it there (CloudFormation tags each new KMS key with it), then run the put-policy.sh lines of the plan');
}

/** Creates a managed policy, or makes the file's document its default version: safe to run again. */
export const PUT_POLICY_SCRIPT = 'apps/pipeline/bin/put-policy.sh';

/** The command that creates or updates a managed policy of `account` from a file of this repository. */
export function putPolicyCommand(account: string, name: string, file: string): string {
  return `bash ${PUT_POLICY_SCRIPT} ${account} ${name} ${file}`;
}

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
 * account's permissions boundary and deployment policy, and each target
 * environment, trusting the pipeline account. Every command can run again:
 * `cdk bootstrap` updates an environment in place, and the policy script
 * creates a missing policy or adds the file's document as its new default
 * version.
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
    // Every role of every stage carries the boundary, the pipeline environment's stages too.
    const boundary = putPolicyCommand(account, BOUNDARY_POLICY_NAME, BOUNDARY_POLICY_FILE);
    const environments = targets.filter((t) => t.account === account && !isPipelineEnv(t));
    if (environments.length === 0) {
      steps.push({ title: `Target account ${account}: the permissions boundary of the stages' roles`, account, commands: [boundary] });
      continue;
    }
    const policyArn = `arn:aws:iam::${account}:policy/${EXECUTION_POLICY_NAME}`;
    steps.push({
      title: `Target account ${account}: the permissions boundary and the deployment policy, then ${environments.map((e) => e.region).join(', ')}`,
      account,
      commands: [
        boundary,
        putPolicyCommand(account, EXECUTION_POLICY_NAME, EXECUTION_POLICY_FILE),
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
  const steps = bootstrapSteps(topology);
  const lines = [
    '# Bootstrap plan: run each block with credentials for the account it names.',
    '# Every command can run again: cdk bootstrap updates an environment in place, and put-policy.sh',
    '# creates a missing policy or makes the file\'s document its default version (keeping at most 5).',
    `# After a change to ${EXECUTION_POLICY_FILE} or ${BOUNDARY_POLICY_FILE},`,
    '# run the put-policy.sh lines again in every target account: CloudFormation uses the new default version',
    '# from its next deployment, without another cdk bootstrap.',
  ];
  steps.forEach((step, index) => {
    lines.push('', `# ${index + 1}. ${step.title}`, `#    (credentials for account ${step.account}, e.g. AWS_PROFILE=...)`, ...step.commands);
  });
  if ([...topology.destinations, topology.source].some((t) => t.account === topology.pipeline.account && t.region === topology.pipeline.region)) {
    lines.push('', `# Note: ${environmentId(topology.pipeline)} is both the pipeline's environment and a target. It keeps the`,
      '# default execution policy (AdministratorAccess), which the pipeline stack itself needs to deploy there.');
  }
  lines.push('', `# ${steps.length + 1}. Deploy the pipeline stack once (credentials for account ${topology.pipeline.account}):`,
    `(cd apps/pipeline && ${selectTopology}npx cdk deploy Pipeline)`);
  return lines.join('\n');
}
