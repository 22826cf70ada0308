import { Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { CODEPIPELINE_DETAIL_TYPES } from '../../../../src/pipeline/domain/history/codepipeline-event.js';
import { HISTORY_TABLE } from '../../../../src/pipeline/domain/history/table-keys.js';
import { LAMBDA_MAX_SECONDS } from '../../../../src/pipeline/domain/rollback/rollback-duration.js';
import { DEFAULT_ROLLBACK_TIMING, worstCaseCallSeconds } from '../../../../src/pipeline/domain/rollback/rollback-timing.js';
import { applicationStageName, infrastructureStageName } from '../../../../src/pipeline/domain/stage-names.js';
import { DEPLOYMENT_RUNTIME_ENV } from '../../../../src/pipeline/handlers/deployment-runtime.js';
import type { EnvironmentName } from '../../../../src/shared/config/schema.js';
import { ConfigurationError } from '../../../../src/shared/errors.js';
import { acknowledgeGuardRule } from '../../policy/acknowledge.js';
import { deploymentSafetyFunction } from '../health-monitor/deployment-safety-function.js';

/** Properties of {@link Rollback}. */
export interface RollbackProps {
  readonly pipelineName: string;
  /** The source action whose revision a pipeline restart overrides (from the pipeline plan). */
  readonly sourceActionName: string;
  /** Environments in deployment order: their stages are the ones whose failure triggers a rollback. */
  readonly environments: readonly EnvironmentName[];
  /**
   * How long the orchestrator waits for a stage rollback and for the full rollback's parallel stage
   * rollbacks: the modelled durations of what they re-run (`orchestratorWaits`, rollback-duration.ts).
   */
  readonly waits: { readonly stageTimeoutSeconds: number; readonly fullTimeoutSeconds: number };
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
 * The rollback orchestrator: one Lambda (`src/pipeline/handlers/rollback-trigger.ts`) that runs the
 * whole idempotent rollback (lease, stage rollback, parallel full rollback, restart fallback) inside
 * the 15-minute budget, fed by EventBridge rules on failed environment stages and on the health
 * monitor's failures, with a KMS-encrypted SQS dead-letter queue.
 *
 * A Lambda and not a state machine: the stage path, which every automatic rollback starts with, fits in
 * Lambda's 900 s for every configuration synthesis accepts (`assertRollbackFitsBudget`); the paths
 * that cannot fit (a full rollback after a stage rollback that ran and failed, the restart) are the
 * documented exceptions of docs/rollback.md, cut at the deadline and escalated to a person. The
 * orchestrator takes its time from the Clock port and caps its budget at the invocation's remaining
 * time, and a duplicate invocation is harmless because the DynamoDB lease decides who works.
 */
export class Rollback extends Construct {
  readonly orchestrator: lambda.IFunction;
  readonly deadLetterQueue: sqs.Queue;
  readonly stageFailedRule: events.Rule;
  readonly healthMonitorFailedRule?: events.Rule;

  constructor(scope: Construct, id: string, props: RollbackProps) {
    super(scope, id);
    const stagePath = worstCaseCallSeconds(DEFAULT_ROLLBACK_TIMING) + props.waits.stageTimeoutSeconds + DEFAULT_ROLLBACK_TIMING.pollIntervalSeconds + DEFAULT_ROLLBACK_TIMING.reserveSeconds;
    if (stagePath > LAMBDA_MAX_SECONDS) {
      throw new ConfigurationError(
        `A stage rollback with a ${props.waits.stageTimeoutSeconds} s wait takes ${stagePath} s, more than one ${LAMBDA_MAX_SECONDS} s orchestrator invocation; shorten the health checks or suites it re-runs (assertRollbackFitsBudget names which).`,
        { stageTimeoutSeconds: props.waits.stageTimeoutSeconds },
      );
    }
    const stack = Stack.of(this);
    const pipelineArn = stack.formatArn({ service: 'codepipeline', resource: props.pipelineName });
    const history = props.historyTable.tableArn;
    const topics = [props.teamTopic, ...Object.values(props.environmentTopics ?? {})];
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeGuardRule(this.deadLetterQueue, 'sqs_dlq_check', 'This queue is itself a dead-letter queue (of the function and its EventBridge target); a person reads and redrives its messages, nothing consumes it automatically.');
    const orchestrator = deploymentSafetyFunction(this, 'Orchestrator', {
      handlerName: 'rollback-trigger',
      description: 'Rolls a failed stage back, then every environment to the last known good release, within 15 minutes',
      pipelineName: props.pipelineName,
      logName: 'rollback',
      key: props.key,
      logRetentionDays: props.logRetentionDays,
      timeout: Duration.seconds(LAMBDA_MAX_SECONDS),
      environment: {
        [DEPLOYMENT_RUNTIME_ENV.pipelineName]: props.pipelineName,
        [DEPLOYMENT_RUNTIME_ENV.sourceAction]: props.sourceActionName,
        [DEPLOYMENT_RUNTIME_ENV.stageRollbackWait]: String(props.waits.stageTimeoutSeconds),
        [DEPLOYMENT_RUNTIME_ENV.fullRollbackWait]: String(props.waits.fullTimeoutSeconds),
        [DEPLOYMENT_RUNTIME_ENV.historyTable]: props.historyTable.tableName,
        [DEPLOYMENT_RUNTIME_ENV.ledgerTable]: props.ledgerTable.tableName,
        [DEPLOYMENT_RUNTIME_ENV.teamTopic]: props.teamTopic.topicArn,
        [DEPLOYMENT_RUNTIME_ENV.environmentTopics]: stack.toJsonString(Object.fromEntries(Object.entries(props.environmentTopics ?? {}).map(([name, topic]) => [name, topic.topicArn]))),
      },
      statements: [
        new iam.PolicyStatement({
          sid: 'ControlPipeline',
          actions: ['codepipeline:StartPipelineExecution', 'codepipeline:GetPipelineExecution', 'codepipeline:GetPipelineState'],
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
        // PutItem authorizes on the table only (Service Authorization Reference: resource type `table`); Query also on the indexes.
        // UpdateItem: the restart marker names a commit, so it also enters the execution's summary item (docs/history-summary.md).
        new iam.PolicyStatement({ sid: 'History', actions: ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'], resources: [history] }),
        new iam.PolicyStatement({ sid: 'HistoryIndexes', actions: ['dynamodb:Query'], resources: Object.values(HISTORY_TABLE.indexes).map((index) => `${history}/index/${index.name}`) }),
        new iam.PolicyStatement({ sid: 'Lease', actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], resources: [props.ledgerTable.tableArn] }),
        new iam.PolicyStatement({ sid: 'Notify', actions: ['sns:Publish'], resources: topics.map((topic) => topic.topicArn) }),
        new iam.PolicyStatement({ sid: 'UseKey', actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [props.key.keyArn] }),
        new iam.PolicyStatement({ sid: 'DeadLetter', actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
      ],
    });
    // A retry after a timeout finds the lease held and does nothing; after a crash at start it takes over.
    orchestrator.configureAsyncInvoke({ retryAttempts: 1, maxEventAge: Duration.minutes(15) });
    (orchestrator.node.defaultChild as lambda.CfnFunction).deadLetterConfig = { targetArn: this.deadLetterQueue.queueArn };
    this.orchestrator = orchestrator;

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
}
