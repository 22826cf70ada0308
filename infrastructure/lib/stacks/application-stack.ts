import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../../src/shared/config/schema.js';
import { PostDeploymentTestAccess } from '../constructs/post-deployment-test-access.js';
import { coreParameterName, workerLogGroupName, type CoreParameterKey } from '../constructs/worker/core-parameters.js';
import { WorkerAlarms } from '../constructs/worker/worker-alarms.js';
import { WorkerBuildEndHandler } from '../constructs/worker/worker-build-end-handler.js';
import { WorkerPoller } from '../constructs/worker/worker-poller.js';
import { ImplementationProject } from '../constructs/worker/implementation-project.js';
import { retentionDays } from '../constructs/log-retention.js';
import { CODEBUILD_NODE_VERSION } from '../../../src/pipeline/domain/plan/codebuild-actions.js';
import { DEFAULT_IMPLEMENTATION_COMMAND, implementationBuildspec } from '../../../src/worker/domain/implementation-buildspec.js';

/** Re-exported for callers that configure the stack. */
export { DEFAULT_IMPLEMENTATION_COMMAND };

/** Properties of {@link ApplicationStack}. */
export interface ApplicationStackProps extends StackProps {
  /** The environment: stack prefix, alarm severities, log retention, the implementation command's secrets. */
  readonly environment: EnvironmentConfig;
  /**
   * The command an implementation build runs for a work item (exit 0: the item is done). It runs in the
   * implementation project, under a role that can only write its own logs and read the environment's
   * `implementationSecrets`.
   * @default DEFAULT_IMPLEMENTATION_COMMAND
   */
  readonly implementationCommand?: string;
  /**
   * How often the poller looks for ready work items.
   * @default Duration.minutes(5)
   */
  readonly pollInterval?: Duration;
  /**
   * Longest an implementation build may run: the command's deadline.
   * @default Duration.minutes(60)
   */
  readonly buildTimeout?: Duration;
  /**
   * The account of the pipeline that deploys this stack: its post-deployment suite assumes a role
   * here (PostDeploymentTestAccess).
   * @default no such role (a stand-alone environment, tested with local credentials)
   */
  readonly pipelineAccount?: string;
}

/**
 * The lock lease. It only has to cover starting a build and recording it (or the build-state-change
 * handler recording it after a passing fault): once an item is `build-started`, no poller starts it
 * again because each re-reads the item under the lock. A short lease frees an item quickly after a
 * crashed poller.
 */
const LOCK_LEASE = Duration.minutes(15);

/**
 * `<stackPrefix>-Application`: the worker's code. The poller Lambda (alias `live`, shifted all at once
 * by a CodeDeploy deployment group that rolls back a failed or stopped deployment; the health monitor
 * watches the alarms), its schedule, the build-state-change handler, the implementation CodeBuild
 * project that runs customers' commands apart from the worker's credentials, and every alarm of the
 * alarm catalog.
 *
 * It references nothing of the core stack directly: the core stack lives in another CDK Stage, so
 * names and ARNs are read from the SSM parameters the core stack publishes (resolved by
 * CloudFormation at deployment time). The log group names follow the convention of
 * core-parameters.ts instead, so the log-stream permissions carry literal names that a reviewer can
 * check and that the cdk-nag acknowledgement can name exactly.
 */
export class ApplicationStack extends Stack {
  readonly poller: WorkerPoller;
  readonly implementation: ImplementationProject;
  readonly alarms: WorkerAlarms;
  readonly deploymentGroup: codedeploy.LambdaDeploymentGroup;

  constructor(scope: Construct, id: string, props: ApplicationStackProps) {
    super(scope, id, props);
    const { environment } = props;
    const { stackPrefix } = environment;
    const core = (key: CoreParameterKey): string => ssm.StringParameter.valueForStringParameter(this, coreParameterName(stackPrefix, key));

    const key = kms.Key.fromKeyArn(this, 'WorkerKey', core('key-arn'));
    const tables = {
      workItemsTableName: core('work-items-table-name'),
      workItemsTableArn: core('work-items-table-arn'),
      lockTableName: core('lock-table-name'),
      lockTableArn: core('lock-table-arn'),
    };

    this.implementation = new ImplementationProject(this, 'Implementation', {
      stackPrefix,
      logGroupName: workerLogGroupName(stackPrefix, 'implementation-builds'),
      logRetention: retentionDays(environment.logRetentionDays),
      nodeVersion: CODEBUILD_NODE_VERSION,
      timeout: props.buildTimeout ?? Duration.minutes(60),
      secrets: environment.implementationSecrets,
    });

    const buildspec = implementationBuildspec(props.implementationCommand ?? DEFAULT_IMPLEMENTATION_COMMAND, CODEBUILD_NODE_VERSION);
    this.poller = new WorkerPoller(this, 'Poller', {
      stackPrefix,
      key,
      logGroupName: workerLogGroupName(stackPrefix, 'poller'),
      ...tables,
      implementationProjectName: this.implementation.project.projectName,
      implementationProjectArn: this.implementation.project.projectArn,
      implementationBuildspec: buildspec,
      leaseDuration: LOCK_LEASE,
      sweepAfter: this.implementation.timeout,
    });

    // retryAttempts here is EventBridge's retry; Lambda's own retries of asynchronous invocations are
    // turned off on the alias (WorkerPoller), so one failed cycle is one error and never overlaps the next.
    new events.Rule(this, 'PollSchedule', {
      description: `Runs the Kiro worker poller (${stackPrefix})`,
      schedule: events.Schedule.rate(props.pollInterval ?? Duration.minutes(5)),
      targets: [new targets.LambdaFunction(this.poller.alias, { retryAttempts: 0 })],
    });

    const buildEnd = new WorkerBuildEndHandler(this, 'BuildEnd', {
      stackPrefix,
      key,
      ...tables,
      implementationProjectName: this.implementation.project.projectName,
      logGroupName: workerLogGroupName(stackPrefix, 'poller'),
      timeout: Duration.seconds(30),
    });

    this.alarms = new WorkerAlarms(this, 'Alarms', {
      environment,
      poller: this.poller.function,
      pollerTimeout: this.poller.timeout,
      buildEndHandler: buildEnd.function,
    });
    const critical = this.alarms.ofSeverity(environment, 'critical');

    // CodeDeploy's role: the explicit actions of AWSCodeDeployRoleForLambdaLimited that a deployment
    // without hooks uses, on this alias and these alarms only. Handed over immutable, so the group
    // does not attach the AWS managed policy.
    const deployRole = new iam.Role(this, 'DeploymentRole', {
      assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com'),
      description: 'CodeDeploy: shift the poller alias live',
    });
    // The alias ARN is built from the function's, not taken from the alias: the alias's update policy
    // names the deployment group, which depends on this role, so a reference back would be a cycle.
    const functionArn = this.poller.function.functionArn;
    const aliasArn = `${functionArn}:${this.poller.alias.aliasName}`;
    deployRole.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ShiftAlias', actions: ['lambda:GetAlias', 'lambda:UpdateAlias'], resources: [functionArn, aliasArn] }));
    deployRole.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadProvisionedConcurrency', actions: ['lambda:GetProvisionedConcurrencyConfig'], resources: [aliasArn] }));

    // No alarm gate on the group: every rollback redeploys this stack while the function-wide alarm
    // that caused it may still be in ALARM, and CodeDeploy would stop that deployment and fail the
    // rollback. All-at-once with no hooks gains nothing from it: the health monitor bakes the release
    // (docs/rollback.md, "CodeDeploy's alarm gate").
    this.deploymentGroup = new codedeploy.LambdaDeploymentGroup(this, 'PollerDeployment', {
      alias: this.poller.alias,
      deploymentConfig: codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE,
      role: deployRole.withoutPolicyUpdates(),
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: false },
    });
    this.deploymentGroup.node.addDependency(deployRole);

    const outputs: Record<string, string> = {
      StackPrefix: stackPrefix,
      PollerFunctionName: this.poller.function.functionName,
      PollerAliasArn: this.poller.alias.functionArn,
      ImplementationProjectName: this.implementation.project.projectName,
      // Not secret (secrets are SECRETS_MANAGER references of the project): the post-deployment suites start the same builds.
      ImplementationBuildspec: buildspec,
      DeploymentGroupName: this.deploymentGroup.deploymentGroupName,
      WorkItemsTableName: tables.workItemsTableName,
      LockTableName: tables.lockTableName,
      AlarmSeverities: JSON.stringify({
        critical: critical.map((alarm) => `${stackPrefix}-${alarm.node.id}`),
        warning: this.alarms.ofSeverity(environment, 'warning').map((alarm) => `${stackPrefix}-${alarm.node.id}`),
      }),
    };
    for (const [name, value] of Object.entries(outputs)) new CfnOutput(this, name, { value });

    if (props.pipelineAccount !== undefined) {
      new PostDeploymentTestAccess(this, 'PostDeploymentTestAccess', {
        environment,
        pipelineAccount: props.pipelineAccount,
        applicationStackName: this.stackName,
        workItemsTableArn: tables.workItemsTableArn,
        lockTableArn: tables.lockTableArn,
        implementationProjectArn: this.implementation.project.projectArn,
        alarmArns: [...critical, ...this.alarms.ofSeverity(environment, 'warning')].map((alarm) => alarm.alarmArn),
        key,
      });
    }
  }
}
