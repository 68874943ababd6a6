import { temporaryDirectory } from '@ecr-kms-replication/testing';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { generatedTopology } from './topologies';
import { addPipeline, createApp } from '../src/app';
import { hardenArtifactBucket } from '../src/artifact-stores';
import { BUILD_LOG_RETENTION } from '../src/build-logs';

/** The statement of AWS Control Tower's CT.KMS.PR.3, as its cfn-guard rule accepts it. */
const GRANT_GUARD = {
  Sid: 'GrantsOnlyForAwsResources',
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: 'kms:CreateGrant',
  Resource: '*',
  Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
};

// Three destinations: the third is in us-east-2, so the pipeline has a cross-Region support stack.
const app = createApp(temporaryDirectory());
const pipelineStack = addPipeline(app, {
  topology: generatedTopology({ destinations: 3, repositories: 1 }),
  topologyFile: 'apps/pipeline/topology.yaml',
});
const template = Template.fromStack(pipelineStack);
// The pipeline's own Region is listed too (a destination there is in another account): with the pipeline stack.
const supportStacks = Object.values(pipelineStack.pipeline.pipeline.crossRegionSupport)
  .map((support) => support.stack).filter((stack) => stack !== pipelineStack);

describe('the artifact stores meet the Control Tower controls that cost nothing', () => {
  const stores: [string, Template][] = [
    ['the pipeline\'s artifact bucket', template],
    ...supportStacks.map((stack): [string, Template] => [`the support bucket in ${stack.region}`, Template.fromStack(stack)]),
  ];

  test('there is a support stack to check', () => {
    expect(supportStacks.map((stack) => stack.region)).toEqual(['us-east-2']);
  });

  test.each(stores)('%s is versioned, expires replaced versions and sends events to EventBridge', (_name, store) => {
    store.resourceCountIs('AWS::S3::Bucket', 1);
    store.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: [{
          Id: 'ExpireReplacedArtifacts',
          Status: 'Enabled',
          NoncurrentVersionExpiration: { NoncurrentDays: 30 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        }],
      },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    });
    // EventBridge is switched on by the bucket itself: no notification custom resource or function.
    expect(Object.keys(store.findResources('Custom::S3BucketNotifications'))).toEqual([]);
    expect(Object.keys(store.findResources('AWS::Lambda::Function'))).toEqual([]);
  });

  test.each(stores)('the key of %s denies grants that are not an AWS service\'s own', (_name, store) => {
    store.resourceCountIs('AWS::KMS::Key', 1);
    store.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([GRANT_GUARD]) },
    });
  });

  test('an artifact bucket that is not part of the app is refused, by name', () => {
    const stack = new Stack(createApp(temporaryDirectory()), 'Other', { env: { account: '333333333333', region: 'us-east-1' } });
    const imported = s3.Bucket.fromBucketName(stack, 'Imported', 'some-bucket');
    expect(() => hardenArtifactBucket(imported)).toThrow(/The artifact bucket Other\/Imported is not a bucket of this app/);
  });
});

describe('the build logs', () => {
  const [logGroupId] = Object.keys(template.findResources('AWS::Logs::LogGroup'));
  const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));

  test('every CodeBuild project logs to one log group (CT.CODEBUILD.PR.3)', () => {
    const projects = Object.values(template.findResources('AWS::CodeBuild::Project'));
    expect(projects.length).toBeGreaterThanOrEqual(3); // synth, self-mutation, verify
    for (const project of projects) {
      expect(project.Properties.LogsConfig).toEqual({ CloudWatchLogs: { Status: 'ENABLED', GroupName: { Ref: logGroupId } } });
    }
  });

  test('are kept a year and encrypted with the artifact key (CT.CLOUDWATCH.PR.2, PR.3)', () => {
    expect(BUILD_LOG_RETENTION).toBe(365);
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: {
        LogGroupName: '/ecr-kms-replication/ecr-kms-replication-pipeline/builds',
        RetentionInDays: 365,
        KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      },
      // Deleted with the stack, like the artifact key that encrypts it.
      DeletionPolicy: 'Delete',
    });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  test('CloudWatch Logs may use the artifact key for this log group only', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'BuildLogs',
          Effect: 'Allow',
          Principal: { Service: 'logs.us-east-1.amazonaws.com' },
          Action: ['kms:Decrypt*', 'kms:Describe*', 'kms:Encrypt*', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
          Condition: {
            ArnEquals: {
              // A literal partition: the stack's Region is known (@aws-cdk/core:enablePartitionLiterals).
              'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:us-east-1:333333333333:log-group:/ecr-kms-replication/ecr-kms-replication-pipeline/builds',
            },
          },
        })]),
      },
    });
  });
});
