import { ReplicationKey } from '@ecr-kms-replication/constructs';
import { Duration } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';

/** Noncurrent artifact versions are kept this long, then expire. */
export const NONCURRENT_ARTIFACT_DAYS = 30;
/** Incomplete multipart uploads of artifacts are aborted after this long. */
export const INCOMPLETE_UPLOAD_DAYS = 7;

/**
 * Brings every artifact store of the pipeline (its artifact bucket and the
 * replication bucket of each cross-Region support stack) in line with the AWS
 * Control Tower proactive controls that cost nothing to meet:
 *
 * - versioning, with a lifecycle rule that expires replaced versions and
 *   aborts incomplete uploads (CT.S3.PR.11, CT.S3.PR.6);
 * - event notifications to Amazon EventBridge, set on the bucket itself
 *   (no notification custom resource) (CT.S3.PR.4);
 * - a key policy that denies every grant an AWS service does not create for
 *   itself (CT.KMS.PR.3): nothing creates grants on the artifact keys.
 *
 * Server access logging (CT.S3.PR.2) and Object Lock (CT.S3.PR.9) are left
 * out on purpose: see tools/cfn-guard-accepted.json.
 *
 * CDK Pipelines creates these buckets (the support stacks are its own), so
 * they are amended in place: their logical IDs and names stay as they are.
 * Call it after `buildPipeline()`.
 */
export function hardenArtifactStores(pipeline: codepipeline.Pipeline) {
  // The pipeline's own Region may be listed too, with the artifact bucket itself.
  const buckets = new Set([pipeline.artifactBucket, ...Object.values(pipeline.crossRegionSupport).map((s) => s.replicationBucket)]);
  buckets.forEach(hardenArtifactBucket);
}

/** Versioning, lifecycle, EventBridge notifications and the grant guard on one artifact bucket. */
export function hardenArtifactBucket(bucket: s3.IBucket) {
  if (!(bucket instanceof s3.Bucket)) {
    throw new Error(`The artifact bucket ${bucket.node.path} is not a bucket of this app: it cannot be amended`);
  }
  const resource = bucket.node.defaultChild as s3.CfnBucket;
  resource.versioningConfiguration = { status: 'Enabled' };
  resource.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
  bucket.addLifecycleRule({
    id: 'ExpireReplacedArtifacts',
    noncurrentVersionExpiration: Duration.days(NONCURRENT_ARTIFACT_DAYS),
    abortIncompleteMultipartUploadAfter: Duration.days(INCOMPLETE_UPLOAD_DAYS),
  });
  keyOf(bucket)?.addToResourcePolicy(ReplicationKey.grantsOnlyForAwsResources());
}

/** The customer managed key of a bucket, also behind an alias (the support stacks encrypt through one). */
function keyOf(bucket: s3.IBucket): kms.Key | undefined {
  const key = bucket.encryptionKey instanceof kms.Alias ? bucket.encryptionKey.aliasTargetKey : bucket.encryptionKey;
  return key instanceof kms.Key ? key : undefined;
}
