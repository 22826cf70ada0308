/**
 * The real adapters behind the operational commands, built from the resolved AWS options. Kept in
 * one place so every command opens the history and the pipeline the same way, and tests can hand
 * a command other factories instead.
 */
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadDeploymentConfig } from '../../../infrastructure/lib/config/load-config.js';
import type { DeploymentConfig } from '../../../infrastructure/lib/config/schema.js';
import { CodePipelineControl } from '../../pipeline/adapters/aws/codepipeline-control.js';
import { DynamoDbDeploymentHistory } from '../../pipeline/adapters/aws/dynamodb-deployment-history.js';
import { systemClock } from '../../pipeline/ports/clock.js';
import type { DeploymentHistory } from '../../pipeline/ports/deployment-history.js';
import type { PipelineControl } from '../../pipeline/ports/pipeline-control.js';
import type { AwsClientConfig } from './aws-options.js';

/**
 * The history table's name when neither `--history-table` nor `KIRO_CD_HISTORY_TABLE` gives one:
 * the physical name the pipeline runtime stack gives the table, `<pipeline name>-deployment-history`.
 */
export function defaultHistoryTableName(config: DeploymentConfig): string {
  return `${config.pipeline.name}-deployment-history`;
}

/** Defaults every operational command reads from the validated configuration. */
export function configuredDefaults(config: DeploymentConfig = loadDeploymentConfig()): {
  readonly region: string;
  readonly historyTable: string;
  readonly pipelineName: string;
} {
  return { region: config.pipeline.region, historyTable: defaultHistoryTableName(config), pipelineName: config.pipeline.name };
}

/** Opens the deployment history in DynamoDB. */
export function openDynamoDbHistory(client: AwsClientConfig, tableName: string): DeploymentHistory {
  return new DynamoDbDeploymentHistory({ client: new DynamoDBClient(client), tableName, clock: systemClock });
}

/** Opens the delivery pipeline through CodePipeline. */
export function openCodePipeline(client: AwsClientConfig, pipelineName: string): PipelineControl {
  return new CodePipelineControl(new CodePipelineClient(client), pipelineName);
}
