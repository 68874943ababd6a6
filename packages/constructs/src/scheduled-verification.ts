import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { AlertsTopic } from './alerts-topic';
import { allowLogGroupEncryption } from './log-encryption';
import { throwIfInvalid } from './validation';

/** Git hosts a CodeConnections connection can give CodeBuild a source from, with their CodeBuild source type and URL. */
export const GIT_PROVIDERS = {
  GitHub: { sourceType: 'GITHUB', url: 'https://github.com' },
  GitLab: { sourceType: 'GITLAB', url: 'https://gitlab.com' },
  Bitbucket: { sourceType: 'BITBUCKET', url: 'https://bitbucket.org' },
} as const;

/** A Git host of {@link GIT_PROVIDERS}. */
export type GitProvider = keyof typeof GIT_PROVIDERS;

/** Build statuses of a finished build that did not succeed are alerted (`IN_PROGRESS` is not finished). */
export const FAILED_BUILD_STATUSES_EXCLUDED = ['SUCCEEDED', 'IN_PROGRESS'] as const;

const RATE_EXPRESSION = /^rate\(([1-9]\d*) (minute|minutes|hour|hours|day|days)\)$/;
const CRON_EXPRESSION = /^cron\((\S+ ){5}\S+\)$/;

/** Problems of an EventBridge Scheduler expression for a recurring schedule (`rate(...)` or `cron(...)`). */
export function scheduleExpressionProblems(expression: string): string[] {
  const rate = RATE_EXPRESSION.exec(expression);
  if (rate) {
    const singular = !rate[2].endsWith('s');
    return (rate[1] === '1') === singular ? [] : [`'${expression}' must say ${rate[1] === '1' ? `1 ${rate[2].replace(/s$/, '')}` : `${rate[1]} ${rate[2]}s`}`];
  }
  if (CRON_EXPRESSION.test(expression)) return [];
  return [`'${expression}' is not a recurring schedule: use rate(<n> minutes|hours|days), e.g. rate(1 day), or cron(<6 fields>), e.g. cron(0 6 * * ? *)`];
}

/** Where the build gets the repository from. */
export interface VerificationSource {
  /** ARN of the CodeConnections (or CodeStar Connections) connection to the Git host. */
  readonly connectionArn: string;
  /** `owner/name` of the repository. */
  readonly repository: string;
  /** The branch checked out. */
  readonly branch: string;
  /** The Git host the connection connects to. */
  readonly provider: GitProvider;
}

/**
 * Properties of a {@link ScheduledVerification}.
 */
export interface ScheduledVerificationProps {
  /** EventBridge Scheduler expression, e.g. `rate(1 day)` or `cron(0 6 * * ? *)` (UTC). */
  readonly schedule: string;
  /** The repository and branch the build checks out. */
  readonly source: VerificationSource;
  /** Shell commands of the build, run from the repository's root. */
  readonly commands: readonly string[];
  /**
   * The build image.
   *
   * @default codebuild.LinuxBuildImage.STANDARD_8_0
   */
  readonly buildImage?: codebuild.IBuildImage;
  /**
   * A buildspec merged under the commands, e.g. the install phase's runtime versions.
   *
   * @default - none
   */
  readonly partialBuildSpec?: codebuild.BuildSpec;
  /**
   * Plain-text environment variables of the build.
   *
   * @default - none
   */
  readonly environmentVariables?: Readonly<Record<string, string>>;
  /** Everything the build may do beyond reading its source and writing its log. */
  readonly rolePolicyStatements: readonly iam.PolicyStatement[];
  /** Where a failed build is reported. */
  readonly topic: AlertsTopic;
  /** Encrypts the build's log, artifacts and cache (the project role and CloudWatch Logs, for this log only, may use it). */
  readonly encryptionKey: kms.IKey;
  /**
   * How long the build may run.
   *
   * @default Duration.minutes(30)
   */
  readonly timeout?: Duration;
}

/**
 * A CodeBuild project that runs commands on a schedule (EventBridge
 * Scheduler), from a branch of a repository reached through a CodeConnections
 * connection; every build that ends without success is published to the
 * alerts topic with a link to its log.
 */
export class ScheduledVerification extends Construct {
  public readonly project: codebuild.Project;
  public readonly schedule: scheduler.Schedule;
  /** The rule that reports failed builds. */
  public readonly failureRule: events.Rule;

  constructor(scope: Construct, id: string, props: ScheduledVerificationProps) {
    super(scope, id);
    throwIfInvalid('scheduled verification', [
      ...scheduleExpressionProblems(props.schedule).map((problem) => `schedule ${problem}`),
      ...(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(props.source.repository) ? [] : [`repository '${props.source.repository}' is not owner/name`]),
      ...(GIT_PROVIDERS[props.source.provider] ? [] : [`provider '${props.source.provider}' is not one of ${Object.keys(GIT_PROVIDERS).join(', ')}`]),
    ]);
    const stack = Stack.of(this);

    // The log a failure alert links to: kept a year (AWS Control Tower's
    // CT.CLOUDWATCH.PR.2) and encrypted with the given key, which CloudWatch
    // Logs may use for this log group only (CT.CLOUDWATCH.PR.3). A fixed name
    // lets the key policy name it without depending on it.
    const logGroupName = `/ecr-kms-replication/${stack.stackName}/scheduled-verification`;
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName,
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.encryptionKey,
      // Deleted with its stack, like the key that encrypts it.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    allowLogGroupEncryption(this, props.encryptionKey, logGroupName, 'ScheduledVerificationLogs');
    const commands = codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: [...props.commands] } } });
    this.project = new codebuild.Project(this, 'Project', {
      description: 'ecr-kms-replication: scheduled verification of every registry',
      environment: { buildImage: props.buildImage ?? codebuild.LinuxBuildImage.STANDARD_8_0 },
      environmentVariables: Object.fromEntries(Object.entries(props.environmentVariables ?? {})
        .map(([name, value]) => [name, { value }])),
      buildSpec: props.partialBuildSpec ? codebuild.mergeBuildSpecs(props.partialBuildSpec, commands) : commands,
      encryptionKey: props.encryptionKey,
      timeout: props.timeout ?? Duration.minutes(30),
      logging: { cloudWatch: { logGroup } },
    });
    props.rolePolicyStatements.forEach((statement) => this.project.addToRolePolicy(statement));

    // The source comes from the Git host through the connection (CodeBuild's
    // CODECONNECTIONS source auth); the L2 Project only knows account-wide
    // source credentials, so the source is set on the CloudFormation resource.
    const provider = GIT_PROVIDERS[props.source.provider];
    const cfnProject = this.project.node.defaultChild as codebuild.CfnProject;
    cfnProject.addPropertyOverride('Source.Type', provider.sourceType);
    cfnProject.addPropertyOverride('Source.Location', `${provider.url}/${props.source.repository}.git`);
    cfnProject.addPropertyOverride('Source.Auth', { Type: 'CODECONNECTIONS', Resource: props.source.connectionArn });
    cfnProject.addPropertyOverride('SourceVersion', props.source.branch);
    // CodeBuild fetches the source with the project role's connection token.
    const connectionService = props.source.connectionArn.split(':')[2];
    this.project.addToRolePolicy(new iam.PolicyStatement({
      sid: 'UseConnection',
      actions: [`${connectionService}:GetConnectionToken`, `${connectionService}:GetConnection`],
      resources: [props.source.connectionArn],
    }));

    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'Starts the ecr-kms-replication scheduled verification',
      schedule: scheduler.ScheduleExpression.expression(props.schedule),
      target: new schedulerTargets.CodeBuildStartBuild(this.project, { retryAttempts: 0 }),
    });

    this.failureRule = new events.Rule(this, 'FailedBuild', {
      description: 'Publishes every scheduled verification build that did not succeed to the alerts topic',
      eventPattern: {
        source: ['aws.codebuild'],
        detailType: ['CodeBuild Build State Change'],
        detail: {
          'project-name': [this.project.projectName],
          'build-status': events.Match.anythingBut(...FAILED_BUILD_STATUSES_EXCLUDED),
        },
      },
    });
    const field = (path: string) => events.EventField.fromPath(path);
    const message = events.RuleTargetInput.fromText(
      `ecr-kms-replication scheduled verification ${field('$.detail.build-status')} at ${field('$.time')} `
      + `in ${stack.account}/${stack.region}: a registry is not as the topology says, or the check could not run. `
      + `Build log: ${field('$.detail.additional-information.logs.deep-link')}`);
    this.failureRule.addTarget({ bind: () => ({ arn: props.topic.topic.topicArn, input: message }) });
    props.topic.allowPublishing('FailedVerificationBuilds', { service: 'events.amazonaws.com', sourceArn: this.failureRule.ruleArn });
  }
}
