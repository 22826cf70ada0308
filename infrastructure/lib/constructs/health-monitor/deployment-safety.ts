import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { DeploymentConfig, EnvironmentName } from '../../../../src/shared/config/schema.js';
import { SOURCE_ACTION_NAME } from '../../../../src/pipeline/domain/pipeline-vocabulary.js';
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
    const longestBakeSeconds = Math.max(...environments.map((environment) => environment.healthCheck.durationSeconds));
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
      // The bake, one review per warning alarm at most (an approval acknowledges the alarms it saw), and an hour's margin.
      executionTimeout: Duration.seconds(longestBakeSeconds)
        .plus(Duration.minutes(reviewMinutes * Math.max(1, ...environments.map((environment) => environment.alarms.warning.length))))
        .plus(Duration.hours(1)),
    });
    this.stateMachine = this.healthMonitor.stateMachine;
    this.rollback = new Rollback(this, 'Rollback', {
      pipelineName: pipeline.name,
      sourceActionName: SOURCE_ACTION_NAME,
      environments: environments.map((environment) => environment.name),
      key: props.key,
      logRetentionDays: pipeline.logRetentionDays,
      historyTable: props.historyTable,
      ledgerTable: this.ledgerTable,
      teamTopic: props.teamTopic,
      ...(props.environmentTopics === undefined ? {} : { environmentTopics: props.environmentTopics }),
      healthMonitor: this.healthMonitor.stateMachine,
    });
    new AlarmEventBusAccess(this, 'AlarmEventBusAccess', { pipelineAccount: pipeline.account, environments });
  }
}
