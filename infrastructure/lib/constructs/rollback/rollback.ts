import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
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
import { CODEPIPELINE_DETAIL_TYPES } from '../../../../src/pipeline/domain/history/codepipeline-event.js';
import { HISTORY_TABLE } from '../../../../src/pipeline/domain/history/table-keys.js';
import { applicationStageName, infrastructureStageName } from '../../../../src/pipeline/domain/stage-names.js';
import { DEPLOYMENT_RUNTIME_ENV } from '../../../../src/pipeline/handlers/deployment-runtime.js';
import type { EnvironmentName } from '../../../../src/shared/config/schema.js';
import { acknowledgeGuardRule, acknowledgeNagFinding } from '../../policy/acknowledge.js';
import { retentionDays } from '../log-retention.js';
import { deploymentSafetyFunction } from '../health-monitor/deployment-safety-function.js';

/** Names of the rollback state machine's states, shared with the local-execution tests. */
export const ROLLBACK_STATES = {
  advance: 'AdvanceRollback',
  decide: 'Done',
  wait: 'WaitForNextStep',
  outcome: 'Outcome',
  succeeded: 'RollbackEnded',
  failed: 'RollbackFailed',
  stepFailed: 'StepFailed',
} as const;

/**
 * Added to the modelled follow time for the state machine's own timeout: each loop adds a Lambda
 * invocation and rounds its wait up to whole seconds, so the execution runs a little longer than the
 * rollback's deadline, which the orchestrator checks on its clock and records itself.
 */
export const ROLLBACK_EXECUTION_MARGIN_SECONDS = 900;

/** The longest one step may take: a few parallel CodePipeline calls (10 s SDK timeout each), the records and notices. */
const ADVANCE_TIMEOUT_SECONDS = 120;

/** Properties of {@link Rollback}. */
export interface RollbackProps {
  readonly pipelineName: string;
  /** The source action whose revision a pipeline restart overrides (from the pipeline plan). */
  readonly sourceActionName: string;
  /** Environments in deployment order: their stages are the ones whose failure triggers a rollback. */
  readonly environments: readonly EnvironmentName[];
  /**
   * How long the orchestrator waits for a stage rollback and for the full rollback's parallel stage
   * rollbacks, and how long it follows one rollback: the modelled durations of what they re-run
   * (`rollbackTimingFor`, rollback-inputs.ts).
   */
  readonly waits: { readonly stageTimeoutSeconds: number; readonly fullTimeoutSeconds: number; readonly followSeconds: number };
  readonly key: kms.IKey;
  readonly logRetentionDays: number;
  readonly historyTable: dynamodb.ITable;
  readonly ledgerTable: dynamodb.ITable;
  readonly teamTopic: sns.ITopic;
  /** @default no environment topics: notices go to the team topic only */
  readonly environmentTopics?: Readonly<Partial<Record<EnvironmentName, sns.ITopic>>>;
  /**
   * The health monitor, whose failed, timed-out or aborted executions also trigger the rollback.
   * @default only stage failures trigger it (the monitor's failure fails its stage anyway)
   */
  readonly healthMonitor?: sfn.IStateMachine;
}

/**
 * The rollback: a trigger Lambda (`src/pipeline/handlers/rollback-trigger.ts`) fed by EventBridge
 * rules on failed environment stages and on the health monitor's failures (with a KMS-encrypted SQS
 * dead-letter queue), which plans the rollback and starts the rollback state machine; the state
 * machine loops a step Lambda (`rollback-advance.ts`: lease, stage rollback, parallel full rollback,
 * restart fallback, records and notices) and a Wait state until the rollback ends.
 *
 * A state machine and not one Lambda: a stage rollback that ran and failed followed by the full
 * rollback, and a whole pipeline restart, take longer than Lambda's 900 s (docs/rollback.md, "End-to-end
 * rollback time"); a Standard workflow may run for a year and a Wait state waits without cost
 * (Step Functions quotas page; Wait state in the Amazon States Language). The execution is named after
 * the rollback key, and the DynamoDB lease decides who works, so duplicate triggers make one rollback.
 */
export class Rollback extends Construct {
  /** The trigger (the construct id `Orchestrator` predates the state machine; renaming it would replace the deployed function). */
  readonly orchestrator: lambda.IFunction;
  /** The state machine's step function. */
  readonly advance: lambda.IFunction;
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  readonly deadLetterQueue: sqs.Queue;
  readonly stageFailedRule: events.Rule;
  readonly healthMonitorFailedRule?: events.Rule;
  /** Pages the team when a rollback execution failed, timed out or was aborted. */
  readonly executionAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: RollbackProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const pipelineArn = stack.formatArn({ service: 'codepipeline', resource: props.pipelineName });
    const history = props.historyTable.tableArn;
    const topics = [props.teamTopic, ...Object.values(props.environmentTopics ?? {})];
    const stateMachineName = `${props.pipelineName}-rollback`;
    // Built from the fixed name, not referenced: the state machine depends on the advance function, the trigger on neither.
    const stateMachineArn = stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: stateMachineName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeGuardRule(this.deadLetterQueue, 'sqs_dlq_check', 'This queue is itself a dead-letter queue (of the function and its EventBridge target); a person reads and redrives its messages, nothing consumes it automatically.');
    const common = {
      [DEPLOYMENT_RUNTIME_ENV.pipelineName]: props.pipelineName,
      [DEPLOYMENT_RUNTIME_ENV.historyTable]: props.historyTable.tableName,
      [DEPLOYMENT_RUNTIME_ENV.ledgerTable]: props.ledgerTable.tableName,
    };
    const orchestrator = deploymentSafetyFunction(this, 'Orchestrator', {
      handlerName: 'rollback-trigger',
      description: 'Plans the rollback of a failed stage or health check and starts the rollback state machine',
      pipelineName: props.pipelineName,
      logName: 'rollback',
      key: props.key,
      logRetentionDays: props.logRetentionDays,
      timeout: Duration.seconds(60),
      environment: { ...common, [DEPLOYMENT_RUNTIME_ENV.rollbackStateMachine]: stateMachineArn },
      statements: [
        // It plans from the history (the environment's deployments on by-environment, every execution's
        // timeline on the table) and reads the lease; it writes nothing.
        new iam.PolicyStatement({ sid: 'History', actions: ['dynamodb:Query'], resources: [history, `${history}/index/${HISTORY_TABLE.indexes.byEnvironment.name}`] }),
        new iam.PolicyStatement({ sid: 'Lease', actions: ['dynamodb:GetItem'], resources: [props.ledgerTable.tableArn] }),
        new iam.PolicyStatement({ sid: 'StartRollback', actions: ['states:StartExecution'], resources: [stateMachineArn] }),
        new iam.PolicyStatement({ sid: 'UseKey', actions: ['kms:Decrypt', 'kms:DescribeKey'], resources: [props.key.keyArn] }),
        new iam.PolicyStatement({ sid: 'DeadLetter', actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
      ],
    });
    // A retry after a failure finds the execution (or the lease) and starts nothing twice.
    orchestrator.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.minutes(15) });
    (orchestrator.node.defaultChild as lambda.CfnFunction).deadLetterConfig = { targetArn: this.deadLetterQueue.queueArn };
    this.orchestrator = orchestrator;

    const advance = deploymentSafetyFunction(this, 'Advance', {
      handlerName: 'rollback-advance',
      description: 'One step of a rollback: lease, stage rollback, full rollback or restart, poll, record and announce',
      pipelineName: props.pipelineName,
      logName: 'rollback-steps',
      key: props.key,
      logRetentionDays: props.logRetentionDays,
      timeout: Duration.seconds(ADVANCE_TIMEOUT_SECONDS),
      environment: {
        ...common,
        [DEPLOYMENT_RUNTIME_ENV.sourceAction]: props.sourceActionName,
        [DEPLOYMENT_RUNTIME_ENV.stageRollbackWait]: String(props.waits.stageTimeoutSeconds),
        [DEPLOYMENT_RUNTIME_ENV.fullRollbackWait]: String(props.waits.fullTimeoutSeconds),
        [DEPLOYMENT_RUNTIME_ENV.rollbackFollow]: String(props.waits.followSeconds),
        [DEPLOYMENT_RUNTIME_ENV.teamTopic]: props.teamTopic.topicArn,
        [DEPLOYMENT_RUNTIME_ENV.environmentTopics]: stack.toJsonString(Object.fromEntries(Object.entries(props.environmentTopics ?? {}).map(([name, topic]) => [name, topic.topicArn]))),
      },
      statements: [
        new iam.PolicyStatement({
          sid: 'ControlPipeline',
          // ListPipelineExecutions: a retried step adopts the stage rollbacks it started (their rollbackMetadata names the target, docs/rollback.md).
          actions: ['codepipeline:StartPipelineExecution', 'codepipeline:GetPipelineExecution', 'codepipeline:GetPipelineState', 'codepipeline:ListPipelineExecutions'],
          resources: [pipelineArn],
        }),
        // RollbackStage is authorized on the stage (`<pipeline ARN>/<stage name>`, Service
        // Authorization Reference, CodePipeline "stage" resource), not on the pipeline: exactly the
        // stages that deploy an environment, the only ones the orchestrator rolls back.
        new iam.PolicyStatement({
          sid: 'RollBackEnvironmentStages',
          actions: ['codepipeline:RollbackStage'],
          resources: props.environments.flatMap((environment) => [infrastructureStageName(environment), applicationStageName(environment)].map((stage) => `${pipelineArn}/${stage}`)),
        }),
        // It records (PutItem, and Query of the execution's timeline to refresh its records) on the table
        // only (Service Authorization Reference, resource type `table`); it never plans, so no index.
        // UpdateItem: the restart marker names a commit, so it also enters the execution's summary item (docs/history-summary.md).
        new iam.PolicyStatement({ sid: 'History', actions: ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'], resources: [history] }),
        new iam.PolicyStatement({ sid: 'Lease', actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], resources: [props.ledgerTable.tableArn] }),
        new iam.PolicyStatement({ sid: 'Notify', actions: ['sns:Publish'], resources: topics.map((topic) => topic.topicArn) }),
        new iam.PolicyStatement({ sid: 'UseKey', actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [props.key.keyArn] }),
      ],
    });
    this.advance = advance;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      // Under /aws/vendedlogs/: no entry in the account's 5,120-character CloudWatch Logs resource policy
      // ("Avoiding Amazon CloudWatch Logs resource policy size restrictions", Step Functions guide).
      logGroupName: `/aws/vendedlogs/states/${stateMachineName}`,
      encryptionKey: props.key,
      retention: retentionDays(props.logRetentionDays),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = this.createStateMachine(stateMachineName, advance, props.waits.followSeconds);
    this.executionAlarm = new cloudwatch.Alarm(this, 'ExecutionProblems', {
      alarmName: `${props.pipelineName}-rollback-execution-problems`,
      alarmDescription:
        'A rollback state machine execution failed (the rollback failed and was announced, or a step kept failing: StepFailed), timed out or was aborted: an environment may still run the bad release. Check the execution, the ledger item and the environments, and follow docs/rollback.md (manual procedure).',
      metric: new cloudwatch.MathExpression({
        expression: 'failed + timedOut + aborted',
        usingMetrics: {
          failed: this.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
          timedOut: this.stateMachine.metricTimedOut({ period: Duration.minutes(5), statistic: 'Sum' }),
          aborted: this.stateMachine.metricAborted({ period: Duration.minutes(5), statistic: 'Sum' }),
        },
        period: Duration.minutes(5),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.executionAlarm.addAlarmAction(new actions.SnsAction(props.teamTopic));

    const target = new targets.LambdaFunction(orchestrator, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 4, maxEventAge: Duration.minutes(15) });
    this.stageFailedRule = new events.Rule(this, 'StageFailed', {
      description: `An environment stage of ${props.pipelineName} failed: roll it back`,
      eventPattern: {
        source: ['aws.codepipeline'],
        detailType: [CODEPIPELINE_DETAIL_TYPES.stage],
        detail: {
          pipeline: [props.pipelineName],
          state: ['FAILED'],
          stage: props.environments.flatMap((environment) => [infrastructureStageName(environment), applicationStageName(environment)]),
        },
      },
      targets: [target],
    });
    if (props.healthMonitor !== undefined) {
      this.healthMonitorFailedRule = new events.Rule(this, 'HealthMonitorFailed', {
        description: `The health monitor of ${props.pipelineName} failed, timed out or was aborted: roll back`,
        eventPattern: {
          source: ['aws.states'],
          detailType: ['Step Functions Execution Status Change'],
          detail: { stateMachineArn: [props.healthMonitor.stateMachineArn], status: ['FAILED', 'TIMED_OUT', 'ABORTED'] },
        },
        targets: [target],
      });
    }
  }

  /**
   * AdvanceRollback → Done? → WaitForNextStep (SecondsPath) → AdvanceRollback ..., ending in
   * RollbackEnded, RollbackFailed (the rollback failed: recorded and announced by the step) or
   * StepFailed (a step kept failing after retries).
   */
  private createStateMachine(stateMachineName: string, advance: lambda.IFunction, followSeconds: number): sfn.StateMachine {
    const S = ROLLBACK_STATES;
    const step = new tasks.LambdaInvoke(this, S.advance, {
      lambdaFunction: advance,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject({ 'progress.$': '$.progress' }),
      retryOnServiceExceptions: true,
    });
    // A step that threw (the lease or a record could not be written) is retried with the same progress:
    // the lease recognises its own rollback id, history records are idempotent by event id.
    step.addRetry({ errors: ['States.TaskFailed'], interval: Duration.seconds(10), maxAttempts: 3, backoffRate: 2 });
    step.addCatch(new sfn.Fail(this, S.stepFailed, { error: 'KiroCd.RollbackStepFailed', cause: 'A rollback step kept failing; see the step function logs and follow docs/rollback.md (manual procedure).' }), { errors: ['States.ALL'] });
    const wait = new sfn.Wait(this, S.wait, { time: sfn.WaitTime.secondsPath('$.waitSeconds') });
    const outcome = new sfn.Choice(this, S.outcome)
      .when(sfn.Condition.stringEquals('$.done.kind', 'failed'), new sfn.Fail(this, S.failed, { error: 'KiroCd.RollbackFailed', cause: 'The rollback failed; it is recorded, announced and escalated (docs/rollback.md, manual procedure).' }))
      .otherwise(new sfn.Succeed(this, S.succeeded));
    const decide = new sfn.Choice(this, S.decide).when(sfn.Condition.isPresent('$.done'), outcome).otherwise(wait);
    step.next(decide);
    wait.next(step);
    const machine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      definitionBody: sfn.DefinitionBody.fromChainable(step),
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: Duration.seconds(followSeconds + ROLLBACK_EXECUTION_MARGIN_SECONDS),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    acknowledgeNagFinding(
      machine.role,
      'AwsSolutions-IAM5[Resource::*]',
      'Only the vended-log delivery (logs:*LogDelivery*, resource policies) and X-Ray actions CDK adds for logging and tracing; AWS defines no resource for them (docs/policy-gates.md, Resource-* allowlist).',
    );
    acknowledgeNagFinding(
      machine.role,
      `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(advance.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      'lambda:InvokeFunction on the versions and aliases of the one rollback step function this state machine runs; no other function is reachable.',
    );
    return machine;
  }
}
