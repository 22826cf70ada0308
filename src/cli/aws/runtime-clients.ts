/**
 * The real adapters behind the operational commands, built from the resolved AWS options. Kept in
 * one place so every command opens the history the same way, and tests can hand a command other
 * factories instead. Each client module is loaded only by the command that uses it: the
 * CloudFormation client when a table is discovered (cloudformation-tables.ts), the CodePipeline
 * adapter from pipeline-client.ts, the defaults from configured-defaults.ts
 * (test/integration/cli/command-loading.test.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbDeploymentHistory } from '../../pipeline/adapters/aws/dynamodb-deployment-history.js';
import { systemClock } from '../../shared/clock.js';
import type { DeploymentHistory } from '../../pipeline/ports/deployment-history.js';
import type { AwsClientConfig } from './aws-options.js';
import { recordCliCalls } from './cli-caller.js';
import { PIPELINE_RUNTIME_STACK } from './configured-defaults.js';

export { PIPELINE_RUNTIME_STACK, configuredDefaults } from './configured-defaults.js';

/**
 * Finds one table the pipeline runtime stack deployed (cloudformation-tables.ts): the first DynamoDB
 * table whose logical id `matches`. Its module, with the CloudFormation client, loads only when a
 * table is discovered: most calls name their table.
 */
export async function discoverRuntimeTable(
  client: AwsClientConfig,
  table: { readonly what: string; readonly flag: string; readonly matches: (logicalId: string) => boolean },
  stackName: string = PIPELINE_RUNTIME_STACK,
): Promise<string> {
  return (await import('./cloudformation-tables.js')).findRuntimeTable(client, table, stackName);
}

/** Finds the history table the pipeline runtime stack deployed: the table whose logical id starts with `History`. */
export function discoverHistoryTable(client: AwsClientConfig, stackName: string = PIPELINE_RUNTIME_STACK): Promise<string> {
  return discoverRuntimeTable(client, { what: 'deployment-history table', flag: '--history-table <name> (or set KIRO_CD_HISTORY_TABLE)', matches: (id) => id.startsWith('History') }, stackName);
}

/** Finds the rollback ledger the pipeline runtime stack deployed (logical id containing `RollbackLedger`). */
export function discoverLedgerTable(client: AwsClientConfig, stackName: string = PIPELINE_RUNTIME_STACK): Promise<string> {
  return discoverRuntimeTable(client, { what: 'rollback ledger table', flag: '--ledger-table <name> (or set KIRO_CD_LEDGER_TABLE)', matches: (id) => id.includes('RollbackLedger') }, stackName);
}

/** Opens the deployment history in DynamoDB. */
export function openDynamoDbHistory(client: AwsClientConfig, tableName: string): DeploymentHistory {
  return new DynamoDbDeploymentHistory({ client: recordCliCalls(new DynamoDBClient(client)), tableName, clock: systemClock });
}
