import { CfnResource, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { rules } from 'cdk-nag';

/**
 * The wildcards CDK Pipelines puts in the policies it generates, each with
 * the reason it is acceptable. A wildcard that matches none of them stays
 * unacknowledged, so cdk-nag fails the synth and a person looks at it.
 */
const REVIEWED_WILDCARDS: { readonly pattern: RegExp; readonly reason: string }[] = [
  {
    pattern: /^Action::s3:(Abort\*|DeleteObject\*|GetBucket\*|GetObject\*|List\*)$/,
    reason: 'CDK Pipelines grants read/write on the pipeline artifact bucket with these action groups; the statement is limited to that bucket and its objects.',
  },
  {
    pattern: /^Action::kms:(GenerateDataKey\*|ReEncrypt\*)$/,
    reason: 'Encrypting and re-encrypting pipeline artifacts; the statement is limited to the pipeline artifact key (and the cross-Region replication keys).',
  },
  {
    pattern: /^Resource::(<[A-Za-z0-9]+\.Arn>|arn:<AWS::Partition>:s3:::[a-z0-9.-]+)\/\*$/,
    reason: 'Objects of the pipeline artifact bucket (or of its cross-Region replication buckets): artifact names are generated per execution.',
  },
  {
    pattern: /^Resource::arn:<AWS::Partition>:logs:[a-z0-9-]+:\d{12}:log-group:\/aws\/codebuild\/<[A-Za-z0-9]+>:\*$/,
    reason: 'Log streams of this CodeBuild project\'s own log group: stream names are generated per build.',
  },
  {
    pattern: /^Resource::arn:<AWS::Partition>:codebuild:[a-z0-9-]+:\d{12}:report-group\/<[A-Za-z0-9]+>-\*$/,
    reason: 'Test report groups of this CodeBuild project: their names are derived from the project name.',
  },
  {
    pattern: /^Resource::arn:\*:iam::\d{12}:role\/\*$/,
    reason: 'Self-mutation assumes the CDK bootstrap roles of the pipeline account; CDK Pipelines narrows the statement with the aws-cdk:bootstrap-role tag condition.',
  },
  {
    pattern: /^Resource::\*$/,
    reason: 'Two generated statements: self-mutation reads stack status and lists asset buckets (cloudformation:DescribeStacks, s3:ListBucket), and the pipeline role uses the artifact keys of the cross-Region support stacks, which live in other Regions and are granted on "*" next to the pipeline\'s own key.',
  },
];

/** Acknowledges the reviewed wildcards of every IAM policy under `scope`, one finding at a time. */
export function acknowledgeGeneratedPolicyWildcards(scope: pipelines.CodePipeline) {
  for (const node of scope.node.findAll()) {
    if (!(node instanceof iam.CfnPolicy)) continue;
    const findings = rules.iam.IAMNoWildcardPermissions(node as CfnResource);
    if (!Array.isArray(findings)) continue;
    for (const finding of findings) {
      const reviewed = REVIEWED_WILDCARDS.find((w) => w.pattern.test(finding));
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
