import { Aspects, CfnResource, Stack, Token, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { rules } from 'cdk-nag';
import { IConstruct } from 'constructs';

/**
 * The policies CDK Pipelines generates, by the role they belong to:
 * - `pipeline`: the pipeline's own role;
 * - `source-action`: the role of the source action (CodeConnections);
 * - `codebuild`: the role of a CodeBuild project of the pipeline (synth, steps);
 * - `self-mutation`: the role of the self-mutation CodeBuild project.
 */
type PolicyOwner = 'pipeline' | 'source-action' | 'codebuild' | 'self-mutation';

interface ReviewedWildcard {
  /** The roles whose policy may have this wildcard. */
  readonly owners: readonly PolicyOwner[];
  /** The cdk-nag finding, e.g. `Action::s3:GetObject*` or `Resource::*`. */
  readonly finding: RegExp;
  /**
   * For `Resource::*`: the only actions the policy may grant on `*`. Any
   * other action on `*` leaves the finding unacknowledged.
   * @default - the finding is not `Resource::*`
   */
  readonly actionsOnAnyResource?: readonly string[];
  readonly reason: string;
}

const ARTIFACT_USERS: readonly PolicyOwner[] = ['pipeline', 'source-action', 'codebuild', 'self-mutation'];

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The objects of the pipeline's artifact buckets as cdk-nag names them:
 * `<LogicalId.Arn>/*` for the bucket in the pipeline stack, the bucket name
 * for the cross-Region support stacks' replication buckets.
 */
function artifactObjects(pipeline: pipelines.CodePipeline): RegExp {
  const stack = Stack.of(pipeline);
  // A literal partition where the stack's Region is known (@aws-cdk/core:enablePartitionLiterals).
  const partition = Token.isUnresolved(stack.partition) ? '<AWS::Partition>' : stack.partition;
  const bucket = pipeline.pipeline.artifactBucket;
  const own = `<${stack.getLogicalId(bucket.node.defaultChild as CfnResource)}.Arn>`;
  const replicas = Object.values(pipeline.pipeline.crossRegionSupport)
    .map((support) => `arn:${partition}:s3:::${stack.resolve(support.replicationBucket.bucketName)}`);
  return new RegExp(`^Resource::(${[own, ...replicas].map(escape).join('|')})/\\*$`);
}

/**
 * The wildcards CDK Pipelines puts in the policies it generates, each for
 * the roles it was reviewed on, with the reason it is acceptable. A wildcard
 * that matches none of them stays unacknowledged, so cdk-nag fails the synth
 * and a person looks at it.
 */
const reviewedWildcards = (pipeline: pipelines.CodePipeline): readonly ReviewedWildcard[] => [
  {
    owners: ARTIFACT_USERS,
    finding: /^Action::s3:(Abort\*|DeleteObject\*|GetBucket\*|GetObject\*|List\*)$/,
    reason: 'CDK Pipelines grants read/write on the pipeline artifact bucket with these action groups; the statement is limited to that bucket and its objects.',
  },
  {
    owners: ARTIFACT_USERS,
    finding: /^Action::kms:(GenerateDataKey\*|ReEncrypt\*)$/,
    reason: 'Encrypting and re-encrypting pipeline artifacts; the statement is limited to the pipeline artifact key (and the cross-Region replication keys).',
  },
  {
    owners: ARTIFACT_USERS,
    finding: artifactObjects(pipeline),
    reason: 'Objects of the pipeline artifact bucket (or of its cross-Region replication buckets): artifact names are generated per execution.',
  },
  {
    owners: ['codebuild', 'self-mutation'],
    finding: /^Resource::arn:(<AWS::Partition>|aws[a-z-]*):logs:[a-z0-9-]+:\d{12}:log-group:\/aws\/codebuild\/<[A-Za-z0-9]+>:\*$/,
    reason: 'Log streams of this CodeBuild project\'s own log group: stream names are generated per build.',
  },
  {
    owners: ['codebuild', 'self-mutation'],
    finding: /^Resource::arn:(<AWS::Partition>|aws[a-z-]*):codebuild:[a-z0-9-]+:\d{12}:report-group\/<[A-Za-z0-9]+>-\*$/,
    reason: 'Test report groups of this CodeBuild project: their names are derived from the project name.',
  },
  {
    owners: ['self-mutation'],
    finding: /^Resource::arn:\*:iam::\d{12}:role\/\*$/,
    reason: 'Self-mutation assumes the CDK bootstrap roles of the pipeline account; CDK Pipelines narrows the statement with the aws-cdk:bootstrap-role tag condition.',
  },
  {
    owners: ['self-mutation'],
    finding: /^Resource::\*$/,
    actionsOnAnyResource: ['cloudformation:DescribeStacks', 's3:ListBucket'],
    reason: 'Self-mutation reads the status of stacks and lists the asset buckets before it deploys the pipeline stack: read-only, on any resource because the names are the bootstrap\'s.',
  },
  {
    owners: ['pipeline'],
    finding: /^Resource::\*$/,
    actionsOnAnyResource: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
    reason: 'The pipeline role uses the artifact keys of the cross-Region support stacks, which live in other Regions and are granted on "*" next to the pipeline\'s own key; encryption actions only.',
  },
];

/** Which generated role a policy belongs to, if it is one of the pipeline's. */
function ownerOf(policy: iam.CfnPolicy, pipeline: pipelines.CodePipeline): PolicyOwner | undefined {
  // CfnPolicy `Resource` <- Policy `DefaultPolicy` <- Role <- its owner.
  const role = policy.node.scope?.node.scope;
  const owner = role?.node.scope;
  if (!role || !owner) return undefined;
  if (role === pipeline.pipeline.role) return 'pipeline';
  if (owner instanceof codebuild.Project) return owner.node.id === 'SelfMutation' ? 'self-mutation' : 'codebuild';
  if (role.node.id === 'CodePipelineActionRole' && role.node.path.includes('/Pipeline/Source/')) return 'source-action';
  return undefined;
}

/** The actions a policy grants on `*`. */
function actionsOnAnyResource(policy: iam.CfnPolicy): string[] {
  const document = Stack.of(policy).resolve(policy.policyDocument) as { Statement: { Action: string | string[]; Resource: unknown }[] };
  return document.Statement
    .filter((statement) => [statement.Resource].flat().includes('*'))
    .flatMap((statement) => [statement.Action].flat());
}

function isReviewed(wildcard: ReviewedWildcard, owner: PolicyOwner, finding: string, policy: iam.CfnPolicy): boolean {
  if (!wildcard.owners.includes(owner) || !wildcard.finding.test(finding)) return false;
  if (wildcard.actionsOnAnyResource === undefined) return true;
  const reviewed = new Set(wildcard.actionsOnAnyResource);
  return actionsOnAnyResource(policy).every((action) => reviewed.has(action));
}

/**
 * Acknowledges the reviewed wildcards of the IAM policies CDK Pipelines
 * generated for `pipeline`, one finding of one policy at a time. It looks at
 * the policies when the app is synthesized, so that a statement added after
 * this call is judged too.
 */
export function acknowledgeGeneratedPolicyWildcards(pipeline: pipelines.CodePipeline) {
  const stack = Stack.of(pipeline);
  Aspects.of(stack).add({
    visit(node) {
      if (node === stack) acknowledgeNow(pipeline);
    },
  });
}

function acknowledgeNow(pipeline: pipelines.CodePipeline) {
  const reviewedList = reviewedWildcards(pipeline);
  for (const node of pipeline.node.findAll() as IConstruct[]) {
    if (!(node instanceof iam.CfnPolicy)) continue;
    const owner = ownerOf(node, pipeline);
    if (!owner) continue;
    const findings = rules.iam.IAMNoWildcardPermissions(node as CfnResource);
    if (!Array.isArray(findings)) continue;
    for (const finding of findings) {
      const reviewed = reviewedList.find((w) => isReviewed(w, owner, finding, node));
      if (reviewed) {
        Validations.of(node).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason: reviewed.reason });
      }
    }
  }
}

/** The cross-Region support stacks' replication buckets: same reasoning as the artifact bucket. */
export function acknowledgeArtifactBuckets(pipeline: pipelines.CodePipeline) {
  const reason = 'Pipeline artifact bucket: KMS-encrypted, public access blocked, TLS enforced; it holds build outputs only, and CloudTrail already records access. An access-log bucket would add cost and no audit value.';
  Validations.of(pipeline.pipeline.artifactBucket).acknowledge({ id: 'AwsSolutions-S1', reason });
  for (const support of Object.values(pipeline.pipeline.crossRegionSupport)) {
    Validations.of(support.replicationBucket).acknowledge({ id: 'AwsSolutions-S1', reason });
  }
}
