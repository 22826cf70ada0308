/**
 * The emulator's SDK clients and the runtime's adapters the rehearsal reads and acts through
 * (history, notifier, ledger, CodePipeline), all pointed at the rehearsal's one local endpoint.
 * The runtime's functions themselves are built in `world/runtime-functions.ts`.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AslDefinition } from '../local/local-state-machine.js';
import type { EnvironmentName } from '../shared/config/schema.js';
import { CodePipelineControl } from '../pipeline/adapters/aws/codepipeline-control.js';
import { DynamoDbDeploymentHistory } from '../pipeline/adapters/aws/dynamodb-deployment-history.js';
import { DynamoDbRollbackLedger } from '../pipeline/adapters/aws/dynamodb-rollback-ledger.js';
import { SnsNotifier } from '../pipeline/adapters/aws/sns-notifier.js';
import type { Clock } from '../shared/clock.js';
import type { DeploymentHistory } from '../pipeline/ports/deployment-history.js';
import type { Notifier } from '../pipeline/ports/notifier.js';
import type { PipelineControl } from '../pipeline/ports/pipeline-control.js';
import type { RollbackLedger } from '../pipeline/ports/rollback-ledger.js';

/** Where the runtime's resources are in the emulator. */
export interface RuntimeBinding {
  readonly historyTable: string;
  readonly ledgerTable: string;
  readonly signalsTable: string;
  readonly teamTopicArn: string;
  readonly environmentTopicArns: Readonly<Partial<Record<EnvironmentName, string>>>;
  /** The health monitor's definition, from the synthesized template. */
  readonly healthMonitorDefinition: AslDefinition;
  /** The resolved ARN of the function the definition's Lambda tasks call: the only one bound to the health monitor handler. */
  readonly healthMonitorFunctionArn: string;
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

/** The runtime's ports as the rehearsal, the CLI and the judge use them, on the endpoint's clients. */
export interface RehearsalRuntime {
  readonly history: DeploymentHistory;
  readonly notifier: Notifier;
  readonly ledger: RollbackLedger;
  /** CodePipeline through the endpoint: the same adapter the rollback trigger and the CLI use. */
  readonly pipeline: PipelineControl;
}

/** Builds the runtime's adapters on the endpoint's clients. */
export function wireRuntime(options: {
  readonly clients: EmulatorClients;
  readonly binding: RuntimeBinding;
  readonly clock: Clock;
  readonly codePipeline: ConstructorParameters<typeof CodePipelineControl>[0];
  readonly pipelineName: string;
}): RehearsalRuntime {
  const { clients, binding, clock } = options;
  return {
    history: new DynamoDbDeploymentHistory({ client: clients.dynamodb, tableName: binding.historyTable, clock }),
    notifier: new SnsNotifier({ client: clients.sns, teamTopicArn: binding.teamTopicArn, environmentTopicArns: binding.environmentTopicArns }),
    ledger: new DynamoDbRollbackLedger(clients.documents, binding.ledgerTable),
    pipeline: new CodePipelineControl(options.codePipeline, options.pipelineName),
  };
}
