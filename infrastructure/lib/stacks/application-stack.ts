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
import { WorkerPoller } from '../constructs/worker/worker-poller.js';
import { WorkerProject } from '../constructs/worker/worker-project.js';

/**
 * What the worker runs for a work item unless told otherwise: check out the item's branch and run
 * its tests. The Kiro agent command replaces it through `implementationCommand`.
 */
export const DEFAULT_IMPLEMENTATION_COMMAND =
  'git clone --depth 1 --branch "$KIRO_BRANCH" "https://github.com/$KIRO_REPOSITORY.git" work && cd work && npm ci && npm test';

/** Properties of {@link ApplicationStack}. */
export interface ApplicationStackProps extends StackProps {
  /** The environment: stack prefix, alarm severities. */
  readonly environment: EnvironmentConfig;
  /**
   * The command a worker build runs to implement a work item.
   * @default DEFAULT_IMPLEMENTATION_COMMAND
   */
  readonly implementationCommand?: string;
  /**
   * How often the poller looks for ready work items.
   * @default Duration.minutes(5)
   */
  readonly pollInterval?: Duration;
  /**
   * Longest a worker build may run.
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

/** Margin added to the build timeout to get the lock lease: the build releases its lock itself. */
const LEASE_MARGIN = Duration.minutes(15);

/**
 * `<stackPrefix>-Application`: the worker's code. The poller Lambda (alias `live`, shifted all at once
 * by a CodeDeploy deployment group that rolls back a failed or stopped deployment; the health monitor
 * watches the alarms), its
 * schedule, the worker CodeBuild project, and every alarm of the alarm catalog.
 *
 * It references nothing of the core stack directly: the core stack lives in another CDK Stage, so
 * names and ARNs are read from the SSM parameters the core stack publishes (resolved by
 * CloudFormation at deployment time). The log group names follow the convention of
 * core-parameters.ts instead, so the log-stream permissions carry literal names that a reviewer can
 * check and that the cdk-nag acknowledgement can name exactly.
 */
export class ApplicationStack extends Stack {
  readonly poller: WorkerPoller;
  readonly worker: WorkerProject;
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

    this.worker = new WorkerProject(this, 'Worker', {
      key,
      logGroupName: workerLogGroupName(stackPrefix, 'worker-builds'),
      ...tables,
      implementationCommand: props.implementationCommand ?? DEFAULT_IMPLEMENTATION_COMMAND,
      timeout: props.buildTimeout ?? Duration.minutes(60),
    });

    this.poller = new WorkerPoller(this, 'Poller', {
      stackPrefix,
      key,
      logGroupName: workerLogGroupName(stackPrefix, 'poller'),
      ...tables,
      workerProjectName: this.worker.project.projectName,
      workerProjectArn: this.worker.project.projectArn,
      leaseDuration: this.worker.timeout.plus(LEASE_MARGIN),
    });

    new events.Rule(this, 'PollSchedule', {
      description: `Runs the Kiro worker poller (${stackPrefix})`,
      schedule: events.Schedule.rate(props.pollInterval ?? Duration.minutes(5)),
      targets: [new targets.LambdaFunction(this.poller.alias, { retryAttempts: 0 })],
    });

    this.alarms = new WorkerAlarms(this, 'Alarms', {
      environment,
      poller: this.poller.function,
      pollerTimeout: this.poller.timeout,
      workerProjectName: this.worker.project.projectName,
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
      WorkerProjectName: this.worker.project.projectName,
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
        workerProjectArn: this.worker.project.projectArn,
        alarmArns: [...critical, ...this.alarms.ofSeverity(environment, 'warning')].map((alarm) => alarm.alarmArn),
        key,
      });
    }
  }
}
