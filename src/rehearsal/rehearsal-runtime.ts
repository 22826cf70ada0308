/**
 * The pipeline's runtime as the rehearsal runs it: the real handlers and decision code, with the
 * real adapters pointed at the local emulator (DynamoDB, SNS, SQS, CloudWatch), the health monitor's
 * synthesized definition executed in process, and CodePipeline's runtime calls answered by the
 * written-down CodePipeline double.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeploymentConfig, EnvironmentName } from '../shared/config/schema.js';
import { CloudWatchAlarmReader } from '../pipeline/adapters/aws/cloudwatch-alarm-reader.js';
import { CodePipelineControl } from '../pipeline/adapters/aws/codepipeline-control.js';
import { DynamoDbDeploymentHistory } from '../pipeline/adapters/aws/dynamodb-deployment-history.js';
import { DynamoDbHealthSignals } from '../pipeline/adapters/aws/dynamodb-health-signals.js';
import { DynamoDbRollbackLedger } from '../pipeline/adapters/aws/dynamodb-rollback-ledger.js';
import { SnsNotifier } from '../pipeline/adapters/aws/sns-notifier.js';
import type { MetricDatum } from '../pipeline/domain/metrics/delivery-metrics.js';
import { createHandler as createHealthMonitor } from '../pipeline/handlers/health-monitor.js';
import { createHandler as createNotifyHandler } from '../pipeline/handlers/notify-pipeline-event.js';
import { createHandler as createRecordHandler } from '../pipeline/handlers/record-pipeline-event.js';
import type { Clock } from '../shared/clock.js';
import type { DeploymentHistory } from '../pipeline/ports/deployment-history.js';
import type { IdGenerator } from '../shared/id-generator.js';
import type { Notifier } from '../pipeline/ports/notifier.js';
import type { PipelineControl } from '../pipeline/ports/pipeline-control.js';
import type { RollbackLedger } from '../pipeline/ports/rollback-ledger.js';
import type { AslDefinition, LocalLambda } from '../local/local-state-machine.js';
import type { TaskTokenBroker } from '../local/task-token-broker.js';
import type { CodePipelineEvent } from '../local/codepipeline-events.js';

/** Where the runtime's resources are in the emulator. */
export interface RuntimeBinding {
  readonly historyTable: string;
  readonly ledgerTable: string;
  readonly signalsTable: string;
  readonly teamTopicArn: string;
  readonly environmentTopicArns: Readonly<Partial<Record<EnvironmentName, string>>>;
  /** The health monitor's definition, from the synthesized template. */
  readonly healthMonitorDefinition: AslDefinition;
}

/** Endpoint and dummy credentials of the emulator. */
export interface EmulatorEndpoint {
  readonly endpoint: string;
  readonly region: string;
}

/** SDK client configuration for the emulator (any credentials are accepted; no retries). */
export function emulatorClientConfig(emulator: EmulatorEndpoint): {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  maxAttempts: number;
} {
  return { endpoint: emulator.endpoint, region: emulator.region, credentials: { accessKeyId: 'rehearsal', secretAccessKey: 'rehearsal' }, maxAttempts: 1 };
}

/** The emulator's SDK clients, one per service. */
export interface EmulatorClients {
  readonly dynamodb: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  readonly cloudwatch: CloudWatchClient;
}

/** Creates the emulator's clients. */
export function emulatorClients(emulator: EmulatorEndpoint): EmulatorClients {
  const config = emulatorClientConfig(emulator);
  const dynamodb = new DynamoDBClient(config);
  return {
    dynamodb,
    documents: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
    sns: new SNSClient(config),
    sqs: new SQSClient(config),
    cloudwatch: new CloudWatchClient(config),
  };
}

/** What the runtime collects on the side: log lines and metric values the Lambdas would emit. */
export interface RuntimeSideEffects {
  readonly logs: Readonly<Record<string, unknown>>[];
  readonly metrics: readonly MetricDatum[][];
}

/** The wired runtime. */
export interface RehearsalRuntime {
  readonly history: DeploymentHistory;
  readonly notifier: Notifier;
  readonly ledger: RollbackLedger;
  readonly pipeline: PipelineControl;
  /** EventBridge's delivery of one CodePipeline event to its two targets: the recorder and the notifier. */
  deliver(event: CodePipelineEvent): Promise<void>;
  /** The health monitor's Lambda, for the local state machine. */
  readonly healthMonitor: LocalLambda;
  readonly sideEffects: RuntimeSideEffects;
}

/** Builds the runtime on the emulator's clients and the CodePipeline double. */
export function wireRuntime(options: {
  readonly clients: EmulatorClients;
  readonly binding: RuntimeBinding;
  readonly config: DeploymentConfig;
  readonly region: string;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly codePipeline: ConstructorParameters<typeof CodePipelineControl>[0];
  readonly broker: TaskTokenBroker;
}): RehearsalRuntime {
  const { clients, binding, config, clock } = options;
  const logs: Record<string, unknown>[] = [];
  const metrics: MetricDatum[][] = [];
  const log = (entry: Readonly<Record<string, unknown>>): void => {
    logs.push({ ...entry });
  };
  const history = new DynamoDbDeploymentHistory({ client: clients.dynamodb, tableName: binding.historyTable, clock });
  const notifier = new SnsNotifier({ client: clients.sns, teamTopicArn: binding.teamTopicArn, environmentTopicArns: binding.environmentTopicArns });
  const record = createRecordHandler({ history, metrics: { publish: (data) => void metrics.push([...data]) }, clock, log });
  const notify = createNotifyHandler({ history, notifier, region: options.region, log });
  const alarmReader = new CloudWatchAlarmReader(clients.cloudwatch);
  const healthMonitor = createHealthMonitor({
    pipelineName: config.pipeline.name,
    environments: config.environments,
    alarmReaderFor: () => alarmReader,
    signals: new DynamoDbHealthSignals(clients.documents, binding.signalsTable),
    history,
    notifier,
    gate: options.broker,
    clock,
    log,
  });
  return {
    history,
    notifier,
    ledger: new DynamoDbRollbackLedger(clients.documents, binding.ledgerTable),
    pipeline: new CodePipelineControl(options.codePipeline, config.pipeline.name),
    async deliver(event) {
      // EventBridge invokes both rule targets for every event; the recorder first keeps the notifier's timeline current.
      await record(event);
      await notify(event);
    },
    healthMonitor: (payload) => healthMonitor(payload),
    sideEffects: { logs, metrics },
  };
}
