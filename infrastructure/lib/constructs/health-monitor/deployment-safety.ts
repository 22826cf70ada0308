import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { DeploymentConfig, EnvironmentName } from '../../../../src/shared/config/schema.js';
import { HEALTH_MONITOR_TIMEOUT_SECONDS } from '../../../../src/shared/config/aws-limits.js';
import { SOURCE_ACTION_NAME } from '../../../../src/pipeline/domain/pipeline-vocabulary.js';
import { assertRollbackFitsBudget, rollbackTimingFor } from '../../../../src/pipeline/domain/plan/rollback-inputs.js';
import { deadLetterAlarm } from '../observability/dead-letter-alarm.js';
import { observerRoleArn } from '../pipeline-observer-access.js';
import { Rollback } from '../rollback/rollback.js';
import { RollbackLedgerTable } from '../rollback/rollback-ledger-table.js';
import { AlarmEventBusAccess } from './alarm-event-bus-access.js';
import { HealthMonitor } from './health-monitor.js';

/** Properties of {@link DeploymentSafety}. */
export interface DeploymentSafetyProps {
  readonly config: DeploymentConfig;
  /** The runtime stack's key (rotation on). */
  readonly key: kms.IKey;
  readonly historyTable: dynamodb.ITable;
  readonly teamTopic: sns.ITopic;
  /** @default no environment topics */
  readonly environmentTopics?: Readonly<Partial<Record<EnvironmentName, sns.ITopic>>>;
}

/**
 * Everything that keeps a bad release from staying deployed, in the pipeline account: the rollback
 * ledger (which also holds the health signals), the health monitor with its alarm-event path, the
 * rollback orchestrator with its triggers, and the event-bus policy that lets the environment
 * accounts forward their alarm events. One construct, so the runtime stack adds it in one line.
 */
export class DeploymentSafety extends Construct {
  readonly ledgerTable: dynamodb.Table;
  readonly healthMonitor: HealthMonitor;
  readonly rollback: Rollback;
  /** The state machine the pipeline's health-check actions run (PipelineStack `healthMonitor`). */
  readonly stateMachine: sfn.IStateMachine;
  /** Pages the team when a rollback trigger is dead-lettered. */
  readonly rollbackDeadLetterAlarm: cloudwatch.Alarm;
  /** Pages the team when an alarm event for the health monitor is dead-lettered. */
  readonly alarmEventsDeadLetterAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: DeploymentSafetyProps) {
    super(scope, id);
    const { pipeline, environments } = props.config;
    // The construct id puts `RollbackLedger` in the table's logical id, which `kiro-cd rollback` looks for.
    this.ledgerTable = new RollbackLedgerTable(this, 'RollbackLedger', { key: props.key }).table;
    const observerRoleArns = Object.fromEntries(
      environments.filter((environment) => environment.account !== pipeline.account).map((environment) => [environment.name, observerRoleArn(environment)]),
    );
    const intervals = new Set(environments.map((environment) => environment.healthCheck.intervalSeconds));
    const reviewMinutes = Math.max(...environments.map((environment) => environment.healthCheck.reviewTimeoutMinutes));
    this.healthMonitor = new HealthMonitor(this, 'HealthMonitor', {
      pipelineName: pipeline.name,
      environments,
      key: props.key,
      logRetentionDays: pipeline.logRetentionDays,
      historyTable: props.historyTable,
      signalsTable: this.ledgerTable,
      teamTopic: props.teamTopic,
      ...(props.environmentTopics === undefined ? {} : { environmentTopics: props.environmentTopics }),
      observerRoleArns,
      // One state machine serves every environment: it sleeps for the shortest configured interval.
      pollInterval: Duration.seconds(Math.min(...intervals)),
      reviewTimeout: Duration.minutes(reviewMinutes),
      // Inside CodePipeline's one-hour action timeout (aws-limits.ts): the execution, not the action,
      // times out, so the monitor's TIMED_OUT rolls back and a later review answer completes nothing.
      // Validation keeps every environment's bake plus one review inside it.
      executionTimeout: Duration.seconds(HEALTH_MONITOR_TIMEOUT_SECONDS),
    });
    this.stateMachine = this.healthMonitor.stateMachine;
    // Refuse, at synth time, a configuration whose stage rollback cannot finish in 15 minutes; size the
    // orchestrator's waits to what its stage rollbacks really re-run.
    assertRollbackFitsBudget(props.config, { healthMonitor: true });
    this.rollback = new Rollback(this, 'Rollback', {
      pipelineName: pipeline.name,
      sourceActionName: SOURCE_ACTION_NAME,
      environments: environments.map((environment) => environment.name),
      waits: rollbackTimingFor(props.config, { healthMonitor: true }),
      key: props.key,
      logRetentionDays: pipeline.logRetentionDays,
      historyTable: props.historyTable,
      ledgerTable: this.ledgerTable,
      teamTopic: props.teamTopic,
      ...(props.environmentTopics === undefined ? {} : { environmentTopics: props.environmentTopics }),
      healthMonitor: this.healthMonitor.stateMachine,
    });
    new AlarmEventBusAccess(this, 'AlarmEventBusAccess', { pipelineName: pipeline.name, pipelineAccount: pipeline.account, environments });
    // Nothing consumes these queues: a message there is a rollback that never started or an alarm
    // the health monitor never saw, so it must page someone.
    this.rollbackDeadLetterAlarm = deadLetterAlarm(this, 'RollbackDeadLetters', {
      queue: this.rollback.deadLetterQueue,
      alarmName: `${pipeline.name}-rollback-dead-letters`,
      description: 'A rollback trigger was not delivered to the orchestrator, or its invocation failed: a failed stage or health check may not have been rolled back. Read the message, check the environment, and follow docs/rollback.md (manual procedure).',
      topic: props.teamTopic,
    });
    this.alarmEventsDeadLetterAlarm = deadLetterAlarm(this, 'AlarmEventDeadLetters', {
      queue: this.healthMonitor.deadLetterQueue,
      alarmName: `${pipeline.name}-alarm-event-dead-letters`,
      description: 'An alarm state change did not reach the health monitor (malformed or undeliverable): a running bake may have missed a critical alarm. Read the message, check the alarm, and roll back by hand if it fired (kiro-cd rollback).',
      topic: props.teamTopic,
    });
  }
}
