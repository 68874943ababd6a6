import { Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  AlertsTopic,
  BackfillRole,
  CreationTemplateSafetyNet,
  EncryptedRepository,
  RegistryCreationTemplates,
  RegistryReplication,
  ReplicationAccess,
  ReplicationAlertsBus,
  ReplicationFailureForwarding,
  ReplicationKey,
  ScheduledVerification,
} from '../src';

/** One stack holding every construct, as a registry that is both a source and a destination. */
export function everyConstruct(stack: Stack): void {
  const key = new ReplicationKey(stack, 'Key', {
    keyAdmins: ['arn:aws:iam::111111111111:role/key-admin'],
    keyUsers: ['arn:aws:iam::222222222222:root'],
  });
  new EncryptedRepository(stack, 'Repository', { repositoryName: 'team/app', encryptionKey: key.key });
  new EncryptedRepository(stack, 'OwnKey', { repositoryName: 'team/web' });
  new RegistryReplication(stack, 'Replication', {
    destinations: [{ account: '222222222222', region: 'us-west-2' }, { account: '111111111111', region: 'eu-west-1' }],
    repositoryFilters: ['team/'],
  });
  new ReplicationAccess(stack, 'Access', {
    sourceAccounts: ['333333333333'],
    repositoryNames: ['team/app', 'team/web'],
    allowCreateRepository: true,
    namespaces: ['team-a'],
  });
  new CreationTemplateSafetyNet(stack, 'SafetyNet', { encryptionKey: key.key });
  new CreationTemplateSafetyNet(stack, 'ProdSafetyNet', { encryptionKey: key.key, prefix: 'prod' });
  new RegistryCreationTemplates(stack, 'Templates', {
    encryptionKey: key.key,
    templates: [
      { prefix: 'team-a', appliedFor: ['REPLICATION', 'CREATE_ON_PUSH'], lifecycle: { maxImageCount: 10 } },
      { prefix: 'org/team-b', imageTagMutability: ecr.TagMutability.MUTABLE },
    ],
  });
  new BackfillRole(stack, 'Backfill', { trustedAccounts: ['333333333333'] });
  alertConstructs(stack);
}

/** The alerting constructs: topic, forwarding rule, central bus. */
export function alertConstructs(stack: Stack): AlertsTopic {
  const topic = new AlertsTopic(stack, 'Alerts', { topicName: 'alerts', emails: ['platform-team@example.com'] });
  new ReplicationFailureForwarding(stack, 'Forwarding', { eventBusArn: 'arn:aws:events:us-east-1:333333333333:event-bus/alerts' });
  new ReplicationAlertsBus(stack, 'AlertsBus', { eventBusName: 'alerts', senderAccounts: ['222222222222'], topic });
  return topic;
}

/**
 * The scheduled verification (its CodeBuild policy's generated wildcards are
 * acknowledged by the stack that deploys it, not here).
 */
export function scheduledVerification(stack: Stack, topic: AlertsTopic): ScheduledVerification {
  return new ScheduledVerification(stack, 'Verification', {
    schedule: 'cron(0 6 * * ? *)',
    source: {
      connectionArn: 'arn:aws:codeconnections:us-east-1:111111111111:connection/00000000-0000-0000-0000-000000000000',
      repository: 'my-org/ecr-kms-replication',
      branch: 'main',
      provider: 'GitHub',
    },
    commands: ['npm ci', 'npx ecr-kms-replication verify'],
    buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
    partialBuildSpec: codebuild.BuildSpec.fromObject({ phases: { install: { 'runtime-versions': { nodejs: '20' } } } }),
    environmentVariables: { ECR_REPLICATION_TOPOLOGY: 'topology.yaml' },
    rolePolicyStatements: [new iam.PolicyStatement({
      actions: ['sts:AssumeRole'],
      resources: ['arn:aws:iam::222222222222:role/cdk-hnb659fds-lookup-role-222222222222-eu-west-1'],
    })],
    topic,
    encryptionKey: topic.key,
  });
}
