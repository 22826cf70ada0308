/**
 * The real adapters behind the operational commands, built from the resolved AWS options. Kept in
 * one place so every command opens the history the same way, and tests can hand a command other
 * factories instead. Each client module is loaded only by the command that uses it: the
 * CloudFormation client when a table is discovered (most calls name their table), the CodePipeline
 * adapter from pipeline-client.ts, the defaults from configured-defaults.ts
 * (test/integration/cli/command-loading.test.ts).
 */
import type { ListStackResourcesCommandOutput } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbDeploymentHistory } from '../../pipeline/adapters/aws/dynamodb-deployment-history.js';
import { systemClock } from '../../shared/clock.js';
import type { DeploymentHistory } from '../../pipeline/ports/deployment-history.js';
import { ConfigurationError } from '../../shared/errors.js';
import type { AwsClientConfig } from './aws-options.js';
import { recordCliCalls } from './cli-caller.js';
import { PIPELINE_RUNTIME_STACK } from './configured-defaults.js';

export { PIPELINE_RUNTIME_STACK, configuredDefaults } from './configured-defaults.js';

/**
 * Finds one table the pipeline runtime stack deployed, via ListStackResources: the first DynamoDB
 * table whose logical id `matches`. `what` names it in the errors; `flag` is how to pass it instead.
 * A stack that does not exist is the caller's to fix (exit 2), whatever the command.
 */
export async function discoverRuntimeTable(
  client: AwsClientConfig,
  table: { readonly what: string; readonly flag: string; readonly matches: (logicalId: string) => boolean },
  stackName: string = PIPELINE_RUNTIME_STACK,
): Promise<string> {
  const { CloudFormationClient, ListStackResourcesCommand } = await import('@aws-sdk/client-cloudformation');
  const cloudformation = recordCliCalls(new CloudFormationClient(client));
  let nextToken: string | undefined;
  do {
    let page: ListStackResourcesCommandOutput;
    try {
      page = await cloudformation.send(new ListStackResourcesCommand({ StackName: stackName, NextToken: nextToken }));
    } catch (error) {
      // CloudFormation answers ValidationError "Stack with id ... does not exist" for an unknown stack.
      if (error instanceof Error && error.name === 'ValidationError') {
        throw new ConfigurationError(`No stack ${stackName} in ${client.region}${client.endpoint === undefined ? '' : ` at ${client.endpoint}`}: pass ${table.flag}, or --region where the pipeline runtime stack is deployed.`, { stackName }, error);
      }
      throw error;
    }
    const found = page.StackResourceSummaries?.find((resource) => /^AWS::DynamoDB::(Global)?Table$/.test(resource.ResourceType ?? '') && table.matches(resource.LogicalResourceId ?? ''));
    if (found?.PhysicalResourceId !== undefined) return found.PhysicalResourceId;
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  throw new ConfigurationError(`The stack ${stackName} has no ${table.what}; pass ${table.flag}.`, { stackName });
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
