/**
 * The feature flags the app always runs with, in code rather than in cdk.json
 * so that tests synthesize exactly what `npm run synth` and the pipeline do.
 *
 * Every flag aws-cdk-lib currently recommends is set (its
 * `CURRENTLY_RECOMMENDED_FLAGS`, also what `cdk init` writes), at the
 * recommended value except where a comment says otherwise; a test fails when
 * an upgrade of aws-cdk-lib recommends a flag that is not listed here, so each
 * new one is reviewed before it changes a template.
 */
export const FEATURE_FLAGS: Record<string, boolean | string | string[]> = {
  // --- Chosen for this app --------------------------------------------------
  // Many targets: keep the pipeline's IAM policies small (recommended too).
  '@aws-cdk/aws-iam:minimizePolicies': true,
  // Trust only what is needed between the pipeline and the target accounts
  // (not in the recommended list: their unset value is already true; set so
  // that the intent is on record).
  '@aws-cdk/pipelines:reduceAssetRoleTrustScope': true,
  '@aws-cdk/pipelines:reduceStageRoleTrustScope': true,
  '@aws-cdk/pipelines:reduceCrossAccountActionRoleTrustScope': true,
  // NOT the recommended 'weak': repositories stacks import their environment's
  // key ARN, and a strong reference (an export) keeps the key's stack from
  // dropping it while a repository still depends on it.
  '@aws-cdk/core:defaultCrossStackReferences': 'strong',
  // No creation stack trace on every resource: at 25,000 repositories they
  // cost seconds of every synth. `cdk synth --debug` still records them.
  'aws:cdk:disable-creation-stack-traces': true,
  // NOT the recommended true: the topology's `tags` go on every stack and
  // resource (Tags.of(stage)); with this flag the stacks would lose theirs
  // (the pipeline's template configuration files carry them).
  '@aws-cdk/core:explicitStackTags': false,

  // --- The rest of the recommended set -------------------------------------
  // Most concern services this app does not use (they change nothing here).
  // Those that touch what it builds: aws-codepipeline:* and aws-kms:* (the
  // pipeline's cross-account artifact keys and their aliases), aws-s3:* (its
  // artifact buckets), core:enablePartitionLiterals (literal `arn:aws:` in
  // ARNs of stacks whose Region is known).
  '@aws-cdk-containers/ecs-service-extensions:enableDefaultLogDriver': true,
  '@aws-cdk/aws-apigateway:authorizerChangeDeploymentLogicalId': true,
  '@aws-cdk/aws-apigateway:disableCloudWatchRole': true,
  '@aws-cdk/aws-apigateway:logGroupDestinationArnWithoutWildcard': true,
  '@aws-cdk/aws-apigateway:requestValidatorUniqueId': true,
  '@aws-cdk/aws-appsync:appSyncGraphQLAPIScopeLambdaPermission': true,
  '@aws-cdk/aws-appsync:useArnForSourceApiAssociationIdentifier': true,
  '@aws-cdk/aws-autoscaling:generateLaunchTemplateInsteadOfLaunchConfig': true,
  '@aws-cdk/aws-batch:defaultToAL2023': true,
  '@aws-cdk/aws-cloudfront:defaultFunctionRuntimeV2_0': true,
  '@aws-cdk/aws-cloudfront:defaultViewerProtocolPolicyRedirectToHttps': true,
  '@aws-cdk/aws-cloudwatch-actions:changeLambdaPermissionLogicalIdForLambdaAction': true,
  '@aws-cdk/aws-codedeploy:removeAlarmsFromDeploymentGroup': true,
  '@aws-cdk/aws-codepipeline-actions:useNewDefaultBranchForCodeCommitSource': true,
  '@aws-cdk/aws-codepipeline:crossAccountKeyAliasStackSafeResourceName': true,
  '@aws-cdk/aws-codepipeline:crossAccountKeysDefaultValueToFalse': true,
  '@aws-cdk/aws-codepipeline:defaultPipelineTypeToV2': true,
  '@aws-cdk/aws-dynamodb:resourcePolicyPerReplica': true,
  '@aws-cdk/aws-dynamodb:retainTableReplica': true,
  '@aws-cdk/aws-ec2:bastionHostUseAmazonLinux2023ByDefault': true,
  '@aws-cdk/aws-ec2:ebsDefaultGp3Volume': true,
  '@aws-cdk/aws-ec2:ec2SumTImeoutEnabled': true,
  '@aws-cdk/aws-ec2:launchTemplateDefaultUserData': true,
  '@aws-cdk/aws-ec2:requirePrivateSubnetsForEgressOnlyInternetGateway': true,
  '@aws-cdk/aws-ec2:restrictDefaultSecurityGroup': true,
  '@aws-cdk/aws-ec2:uniqueImdsv2TemplateName': true,
  '@aws-cdk/aws-ecs-patterns:secGroupsDisablesImplicitOpenListener': true,
  '@aws-cdk/aws-ecs-patterns:uniqueTargetGroupId': true,
  '@aws-cdk/aws-ecs:arnFormatIncludesClusterName': true,
  '@aws-cdk/aws-ecs:disableExplicitDeploymentControllerForCircuitBreaker': true,
  '@aws-cdk/aws-ecs:reduceEc2FargateCloudWatchPermissions': true,
  '@aws-cdk/aws-ecs:removeDefaultDeploymentAlarm': true,
  '@aws-cdk/aws-ecs:removeEmptyLoadBalancers': true,
  '@aws-cdk/aws-efs:denyAnonymousAccess': true,
  '@aws-cdk/aws-efs:mountTargetOrderInsensitiveLogicalId': true,
  '@aws-cdk/aws-eks:defaultToAL2023': true,
  '@aws-cdk/aws-eks:nodegroupNameAttribute': true,
  '@aws-cdk/aws-eks:useNativeOidcProvider': true,
  '@aws-cdk/aws-elasticloadbalancingV2:albDualstackWithoutPublicIpv4SecurityGroupRulesDefault': true,
  '@aws-cdk/aws-elasticloadbalancingv2:networkLoadBalancerWithSecurityGroupByDefault': true,
  '@aws-cdk/aws-elasticloadbalancingv2:usePostQuantumTlsPolicy': true,
  '@aws-cdk/aws-events:eventsTargetQueueSameAccount': true,
  '@aws-cdk/aws-events:requireEventBusPolicySid': true,
  '@aws-cdk/aws-iam:importedRoleStackSafeDefaultPolicyName': true,
  '@aws-cdk/aws-iam:oidcRejectUnauthorizedConnections': true,
  '@aws-cdk/aws-kms:aliasNameRef': true,
  '@aws-cdk/aws-kms:applyImportedAliasPermissionsToPrincipal': true,
  '@aws-cdk/aws-kms:reduceCrossAccountRegionPolicyScope': true,
  '@aws-cdk/aws-lambda-nodejs:sdkV3ExcludeSmithyPackages': true,
  '@aws-cdk/aws-lambda-nodejs:useLatestRuntimeVersion': true,
  '@aws-cdk/aws-lambda:createNewPoliciesWithAddToRolePolicy': false,
  '@aws-cdk/aws-lambda:recognizeLayerVersion': true,
  '@aws-cdk/aws-lambda:useCdkManagedLogGroup': true,
  '@aws-cdk/aws-opensearchservice:enableOpensearchMultiAzWithStandby': true,
  '@aws-cdk/aws-rds:auroraClusterChangeScopeOfInstanceParameterGroupWithEachParameters': true,
  '@aws-cdk/aws-rds:databaseProxyUniqueResourceName': true,
  '@aws-cdk/aws-rds:preventRenderingDeprecatedCredentials': true,
  '@aws-cdk/aws-rds:setCorrectValueForDatabaseInstanceReadReplicaInstanceResourceId': true,
  '@aws-cdk/aws-redshift:columnId': true,
  '@aws-cdk/aws-route53-patterns:useDistribution': true,
  '@aws-cdk/aws-route53-patters:useCertificate': true,
  '@aws-cdk/aws-route53-targets:userPoolDomainNameMethodWithoutCustomResource': true,
  '@aws-cdk/aws-s3:createDefaultLoggingPolicy': true,
  '@aws-cdk/aws-s3:keepNotificationInImportedBucket': false,
  '@aws-cdk/aws-s3:publicAccessBlockedByDefault': true,
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  '@aws-cdk/aws-s3:setUniqueReplicationRoleName': true,
  '@aws-cdk/aws-secretsmanager:useAttachedSecretResourcePolicyForSecretTargetAttachments': true,
  '@aws-cdk/aws-signer:signingProfileNamePassedToCfn': true,
  '@aws-cdk/aws-sns-subscriptions:restrictSqsDescryption': true,
  '@aws-cdk/aws-stepfunctions-tasks:enableEmrServicePolicyV2': true,
  '@aws-cdk/aws-stepfunctions-tasks:fixRunEcsTaskPolicy': true,
  '@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2': true,
  '@aws-cdk/core:annotationsInValidationReport': true,
  '@aws-cdk/core:aspectPrioritiesMutating': true,
  '@aws-cdk/core:cfnIncludeRejectComplexResourceUpdateCreatePolicyIntrinsics': true,
  '@aws-cdk/core:checkSecretUsage': true,
  '@aws-cdk/core:enableAdditionalMetadataCollection': true,
  '@aws-cdk/core:enablePartitionLiterals': true,
  '@aws-cdk/core:includePrefixInUniqueNameGeneration': true,
  '@aws-cdk/core:target-partitions': ['aws', 'aws-cn'],
  '@aws-cdk/core:validateAgainstDefaultRules': true,
  '@aws-cdk/core:validateSnapshotRemovalPolicy': true,
  '@aws-cdk/custom-resources:logApiResponseDataPropertyTrueDefault': false,
  '@aws-cdk/customresources:installLatestAwsSdkDefault': false,
  '@aws-cdk/s3-notifications:addS3TrustKeyPolicyForSnsSubscriptions': true,
};
