import { allowLogGroupEncryption } from '@ecr-kms-replication/constructs';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** How long build logs are kept: AWS Control Tower's CT.CLOUDWATCH.PR.2 asks for at least a year. */
export const BUILD_LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

/**
 * The CloudWatch Logs log group every CodeBuild project of the pipeline
 * writes to (AWS Control Tower's CT.CODEBUILD.PR.3 asks for logging to be
 * configured), kept a year and encrypted with the pipeline's artifact key.
 */
export class BuildLogs extends Construct {
  public readonly logGroup: logs.LogGroup;
  /** A fixed name: the artifact key's policy names it (see encryptWith) without depending on the log group. */
  public readonly logGroupName: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.logGroupName = `/ecr-kms-replication/${Stack.of(this).stackName}/builds`;
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: this.logGroupName,
      retention: BUILD_LOG_RETENTION,
      // Deleted with the pipeline stack, like the artifact key that encrypts it:
      // retained, it would hold logs that nobody can read once the key is gone.
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  /** The `logging` of `codeBuildDefaults`. */
  public get logging(): codebuild.LoggingOptions {
    return { cloudWatch: { logGroup: this.logGroup } };
  }

  /**
   * Encrypts the logs with `key` (the pipeline's artifact key, which CDK
   * Pipelines creates only when it builds the pipeline): CloudWatch Logs may
   * use the key for this log group only (CT.CLOUDWATCH.PR.3).
   */
  public encryptWith(key: kms.IKey) {
    allowLogGroupEncryption(this, key, this.logGroupName, 'BuildLogs');
    (this.logGroup.node.defaultChild as logs.CfnLogGroup).kmsKeyId = key.keyArn;
  }
}
