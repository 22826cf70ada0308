import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { HISTORY_TABLE } from '../../../../src/pipeline/domain/history/table-keys.js';
import { DEPLOYMENT_RUNTIME_ENV } from '../../../../src/pipeline/handlers/deployment-runtime.js';
import { watchedAlarms } from '../../../../src/pipeline/handlers/health-monitor.js';
import { HEALTH_MONITOR_TIMEOUT_SECONDS } from '../../../../src/shared/config/aws-limits.js';
import type { EnvironmentConfig, EnvironmentName } from '../../../../src/shared/config/schema.js';
import { acknowledgeGuardRule, acknowledgeNagFinding } from '../../policy/acknowledge.js';
import { retentionDays } from '../log-retention.js';
import { deploymentSafetyFunction } from './deployment-safety-function.js';

/** Names of the states, shared with the local-execution tests. */
export const HEALTH_MONITOR_STATES = {
  start: 'StartBake',
  check: 'CheckAlarms',
  decide: 'Decide',
  watch: 'WatchUntilNextCheck',
  review: 'WaitForReview',
  applyReview: 'ApplyApproval',
  concludeFailure: 'RecordFailure',
  passed: 'Healthy',
  failed: 'RollBack',
} as const;

/** Properties of {@link HealthMonitor}. */
export interface HealthMonitorProps {
  readonly pipelineName: string;
  /** The environments whose alarms are watched (validated configuration). */
  readonly environments: readonly EnvironmentConfig[];
  /** Customer-managed key (with rotation) for log groups, the dead-letter queue and Lambda environments. */
  readonly key: kms.IKey;
  /** Log retention in days, from configuration (`pipeline.logRetentionDays`). */
  readonly logRetentionDays: number;
  readonly historyTable: dynamodb.ITable;
  /** The rollback ledger table, which also holds the health signals (running bake, watch token, fired critical alarms). */
  readonly signalsTable: dynamodb.ITable;
  readonly teamTopic: sns.ITopic;
  /** @default no environment topics: notices go to the team topic only */
  readonly environmentTopics?: Readonly<Partial<Record<EnvironmentName, sns.ITopic>>>;
  /**
   * Observer role per environment whose alarms live in another account (see PipelineObserverAccess).
   * @default no cross-account reads
   */
  readonly observerRoleArns?: Readonly<Partial<Record<EnvironmentName, string>>>;
  /** Time between two alarm checks (config `healthCheck.intervalSeconds`; every environment uses the same). @default 30 seconds */
  readonly pollInterval?: Duration;
  /** How long a review may wait for an answer (config `healthCheck.reviewTimeoutMinutes`). @default 60 minutes */
  readonly reviewTimeout?: Duration;
  /**
   * The execution's timeout: below CodePipeline's one-hour timeout of the action that runs it.
   * @default 55 minutes (`HEALTH_MONITOR_TIMEOUT_SECONDS`)
   */
  readonly executionTimeout?: Duration;
}

/**
 * The post-deployment health monitor: a Standard state machine that polls the environment's alarms
 * every `intervalSeconds` for `durationSeconds`, pauses for a person on a warning (task token), and
 * ends in Fail (the pipeline action fails, the stage rolls back) on a critical alarm, an unreadable
 * alarm, a rejection, an unanswered review or any task error. The sleep between polls is a task-token
 * step with a timeout, so a critical alarm event ends it at once instead of at the next poll.
 */
export class HealthMonitor extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  /** The Lambda function that runs every step of the state machine. */
  readonly stepLambda: lambda.IFunction;
  /** Records alarm state changes and wakes a sleeping monitor on a critical alarm. */
  readonly alarmEventFunction: lambda.IFunction;
  /** "CloudWatch Alarm State Change" for the watched alarms (forwarded from the environment accounts). */
  readonly alarmEventsRule: events.Rule;
  /** Alarm events EventBridge could not deliver, and events the function rejected. */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: HealthMonitorProps) {
    super(scope, id);
    const functions = this.createFunctions(props);
    this.stepLambda = functions.step;
    this.alarmEventFunction = functions.alarmEvents;
    this.alarmEventsRule = functions.rule;
    this.deadLetterQueue = functions.deadLetterQueue;
    const fn = functions.step;
    const S = HEALTH_MONITOR_STATES;
    const failed = new sfn.Fail(this, S.failed, { error: 'KiroCd.HealthCheckFailed', cause: 'The release is unhealthy or was rejected; see the health-check records and notices.' });
    const recordFailure = new tasks.LambdaInvoke(this, S.concludeFailure, {
      lambdaFunction: fn,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject({ step: 'conclude', outcome: 'failed', 'state.$': '$' }),
      retryOnServiceExceptions: true,
    });
    // Recording must not keep a failing release alive: if it fails too, still fail.
    recordFailure.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.recordError' });
    recordFailure.next(failed);

    const catchAll = <T extends tasks.LambdaInvoke>(task: T): T => {
      task.addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.failure' });
      return task;
    };

    const start = catchAll(new tasks.LambdaInvoke(this, S.start, {
      lambdaFunction: fn,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject({
        step: 'start',
        'environment.$': '$.environment',
        'executionId.$': '$.executionId',
        'commitId.$': '$.commitId',
        'stage.$': '$.stage',
      }),
      retryOnServiceExceptions: true,
    }));
    const check = catchAll(new tasks.LambdaInvoke(this, S.check, {
      lambdaFunction: fn,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject({ step: 'check', 'state.$': '$' }),
      retryOnServiceExceptions: true,
    }));
    const watch = new tasks.LambdaInvoke(this, S.watch, {
      lambdaFunction: fn,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({ step: 'watch', taskToken: sfn.JsonPath.taskToken, 'state.$': '$' }),
      // A static timeout: a TimeoutSecondsPath would be read from the task's parameters by some executors and from its input by others.
      taskTimeout: sfn.Timeout.duration(props.pollInterval ?? Duration.seconds(30)),
      resultPath: sfn.JsonPath.DISCARD,
    });
    const review = new tasks.LambdaInvoke(this, S.review, {
      lambdaFunction: fn,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({ step: 'review', taskToken: sfn.JsonPath.taskToken, 'state.$': '$' }),
      taskTimeout: sfn.Timeout.duration(props.reviewTimeout ?? Duration.minutes(60)),
      resultPath: '$.review',
    });
    const applyReview = catchAll(new tasks.LambdaInvoke(this, S.applyReview, {
      lambdaFunction: fn,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject({ step: 'conclude', outcome: 'approved', 'state.$': '$' }),
      retryOnServiceExceptions: true,
    }));

    // The watch's timeout is the normal way out: it is the poll interval.
    watch.addCatch(check, { errors: ['States.Timeout'], resultPath: '$.lastWatch' });
    watch.addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.failure' });
    watch.next(check);
    // Reject, no answer (States.Timeout) and errors all fail: a missing answer is a rejection.
    review.addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.failure' });
    review.next(applyReview);
    applyReview.next(check);

    const decide = new sfn.Choice(this, S.decide)
      .when(sfn.Condition.stringEquals('$.verdict.kind', 'pass'), new sfn.Succeed(this, S.passed))
      .when(sfn.Condition.stringEquals('$.verdict.kind', 'continue'), watch)
      .when(sfn.Condition.stringEquals('$.verdict.kind', 'pause-for-review'), review)
      .otherwise(recordFailure);
    start.next(check);
    check.next(decide);

    const stateMachineName = `${props.pipelineName}-health-monitor`;
    // Step Functions adds each logging state machine's log group to the account's CloudWatch Logs
    // resource policy, limited to 5,120 characters; groups under /aws/vendedlogs/ need no entry
    // there ("Avoiding Amazon CloudWatch Logs resource policy size restrictions", Step Functions guide).
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${stateMachineName}`,
      encryptionKey: props.key,
      retention: retentionDays(props.logRetentionDays),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      definitionBody: sfn.DefinitionBody.fromChainable(start),
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: props.executionTimeout ?? Duration.seconds(HEALTH_MONITOR_TIMEOUT_SECONDS),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    acknowledgeNagFinding(
      this.stateMachine.role,
      'AwsSolutions-IAM5[Resource::*]',
      'Only the vended-log delivery (logs:*LogDelivery*, resource policies) and X-Ray actions CDK adds for logging and tracing; AWS defines no resource for them (docs/policy-gates.md, Resource-* allowlist).',
    );
    acknowledgeNagFinding(
      this.stateMachine.role,
      `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(fn.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      'lambda:InvokeFunction on the versions and aliases of the one step function this state machine runs; no other function is reachable.',
    );
    // SendTaskSuccess/Failure are authorised on the state machine: the alarm handler wakes watches.
    // The watch step itself ends its own wait at once when a critical alarm was marked before it armed.
    // The ARN is built from the fixed name, not referenced: the state machine depends on the step function already.
    const stateMachineArn = Stack.of(this).formatArn({ service: 'states', resource: 'stateMachine', resourceName: stateMachineName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    for (const wakes of [this.alarmEventFunction, this.stepLambda]) {
      wakes.addToRolePolicy(new iam.PolicyStatement({ sid: 'WakeWatch', actions: ['states:SendTaskFailure'], resources: [stateMachineArn] }));
    }
  }

  /** The step Lambda and the alarm-event Lambda with its rule and dead-letter queue. */
  private createFunctions(props: HealthMonitorProps): { step: lambda.IFunction; alarmEvents: lambda.IFunction; rule: events.Rule; deadLetterQueue: sqs.Queue } {
    const stack = Stack.of(this);
    const history = props.historyTable.tableArn;
    const topics = [props.teamTopic, ...Object.values(props.environmentTopics ?? {})];
    const alarmNames = props.environments.flatMap((environment) => watchedAlarms(environment).map((alarm) => ({ environment, name: alarm.name })));
    const environment: Record<string, string> = {
      [DEPLOYMENT_RUNTIME_ENV.pipelineName]: props.pipelineName,
      [DEPLOYMENT_RUNTIME_ENV.historyTable]: props.historyTable.tableName,
      [DEPLOYMENT_RUNTIME_ENV.ledgerTable]: props.signalsTable.tableName,
      [DEPLOYMENT_RUNTIME_ENV.teamTopic]: props.teamTopic.topicArn,
      [DEPLOYMENT_RUNTIME_ENV.environmentTopics]: stack.toJsonString(Object.fromEntries(Object.entries(props.environmentTopics ?? {}).map(([name, topic]) => [name, topic.topicArn]))),
      [DEPLOYMENT_RUNTIME_ENV.environments]: JSON.stringify(props.environments),
      [DEPLOYMENT_RUNTIME_ENV.observerRoles]: JSON.stringify(props.observerRoleArns ?? {}),
    };
    const { [DEPLOYMENT_RUNTIME_ENV.observerRoles]: _observerRoles, ...withoutObserverRoles } = environment;
    // Both record facts (PutItem, and Query of the execution's timeline on the table; GetItem of the
    // one record a health poll may leave unchanged, docs/history-summary.md). Only the alarm
    // handler reads an index: `latest(environment)` on by-environment. The least-privilege proof
    // (test/iam) found the other index grants unused.
    const historyStatement = new iam.PolicyStatement({ sid: 'History', actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'], resources: [history] });
    const latestByEnvironmentStatement = new iam.PolicyStatement({
      sid: 'LatestByEnvironment',
      actions: ['dynamodb:Query'],
      resources: [`${history}/index/${HISTORY_TABLE.indexes.byEnvironment.name}`],
    });
    const signalsStatement = new iam.PolicyStatement({ sid: 'Signals', actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], resources: [props.signalsTable.tableArn] });
    const keyStatement = new iam.PolicyStatement({ sid: 'UseKey', actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [props.key.keyArn] });
    const sameAccount = alarmNames.filter((alarm) => props.observerRoleArns?.[alarm.environment.name] === undefined);
    const roles = Object.values(props.observerRoleArns ?? {});

    // The construct id says "StepFunction" for historical reasons: it is the Lambda function behind
    // the state machine's steps (exposed as `stepLambda`). It stays, because the id enters the
    // function's and its role's logical ids: renaming it would make CloudFormation replace both in
    // every deployed pipeline account, and the IAM proofs (FUNCTION_CALLERS.healthMonitorStep) name it.
    const step = deploymentSafetyFunction(this, 'StepFunction', {
      handlerName: 'health-monitor',
      description: 'Health monitor steps: read the alarms, decide, record, ask for review',
      pipelineName: props.pipelineName,
      logName: 'health-monitor',
      key: props.key,
      logRetentionDays: props.logRetentionDays,
      timeout: Duration.seconds(30),
      environment,
      statements: [
        historyStatement,
        signalsStatement,
        keyStatement,
        new iam.PolicyStatement({ sid: 'Notify', actions: ['sns:Publish'], resources: topics.map((topic) => topic.topicArn) }),
        ...(sameAccount.length === 0
          ? []
          : [
              new iam.PolicyStatement({
                sid: 'ReadAlarms',
                actions: ['cloudwatch:DescribeAlarms'],
                resources: sameAccount.map((alarm) => `arn:${stack.partition}:cloudwatch:${alarm.environment.region}:${alarm.environment.account}:alarm:${alarm.name}`),
              }),
            ]),
        ...(roles.length === 0 ? [] : [new iam.PolicyStatement({ sid: 'AssumeObserverRoles', actions: ['sts:AssumeRole'], resources: roles })]),
      ],
    });

    const deadLetterQueue = new sqs.Queue(this, 'AlarmEventsDeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeGuardRule(deadLetterQueue, 'sqs_dlq_check', 'This queue is itself a dead-letter queue (of the function and its EventBridge target); a person reads and redrives its messages, nothing consumes it automatically.');
    const alarmEvents = deploymentSafetyFunction(this, 'AlarmEventFunction', {
      handlerName: 'alarm-state-change',
      description: 'Records alarm state changes; a critical alarm ends the running bake at once',
      pipelineName: props.pipelineName,
      logName: 'alarm-events',
      key: props.key,
      logRetentionDays: props.logRetentionDays,
      timeout: Duration.seconds(30),
      // It reads no alarm, so it gets no observer roles (its handler does not read them).
      environment: withoutObserverRoles,
      statements: [
        historyStatement,
        latestByEnvironmentStatement,
        signalsStatement,
        keyStatement,
        new iam.PolicyStatement({ sid: 'DeadLetter', actions: ['sqs:SendMessage'], resources: [deadLetterQueue.queueArn] }),
      ],
    });
    alarmEvents.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(1) });
    (alarmEvents.node.defaultChild as lambda.CfnFunction).deadLetterConfig = { targetArn: deadLetterQueue.queueArn };
    const rule = new events.Rule(this, 'AlarmEvents', {
      description: `State changes of the alarms ${props.pipelineName}'s health monitor watches`,
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        detail: { alarmName: [...new Set(alarmNames.map((alarm) => alarm.name))] },
      },
      targets: [new targets.LambdaFunction(alarmEvents, { deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(1) })],
    });
    return { step, alarmEvents, rule, deadLetterQueue };
  }
}
