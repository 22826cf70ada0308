import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

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
  /** The health-monitor Lambda (`src/pipeline/handlers/health-monitor.ts`), run for every step. */
  readonly stepFunction: lambda.IFunction;
  /** Customer-managed key (with rotation) for the state machine's log group. */
  readonly logKey: kms.IKey;
  /** Log retention, from configuration. @default 90 days */
  readonly logRetention?: logs.RetentionDays;
  /** Time between two alarm checks (config `healthCheck.intervalSeconds`; every environment uses the same). @default 30 seconds */
  readonly pollInterval?: Duration;
  /** How long a review may wait for an answer (config `healthCheck.reviewTimeoutMinutes`). @default 60 minutes */
  readonly reviewTimeout?: Duration;
  /** Longest possible execution: bake + review timeout + margin. @default 26 hours (24-hour review cap plus an hour's bake) */
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

  constructor(scope: Construct, id: string, props: HealthMonitorProps) {
    super(scope, id);
    const fn = props.stepFunction;
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

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.logKey,
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(start),
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: props.executionTimeout ?? Duration.hours(26),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
  }
}
