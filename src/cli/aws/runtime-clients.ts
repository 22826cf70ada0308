/**
 * The real adapters behind the operational commands, built from the resolved AWS options. Kept in
 * one place so every command opens the history and the pipeline the same way, and tests can hand
 * a command other factories instead.
 */
import { CloudFormationClient, ListStackResourcesCommand, type ListStackResourcesCommandOutput } from '@aws-sdk/client-cloudformation';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadEnvironmentsFile } from '../../shared/config/environments-file.js';
import type { DeploymentConfig } from '../../shared/config/schema.js';
import { CodePipelineControl } from '../../pipeline/adapters/aws/codepipeline-control.js';
import { DynamoDbDeploymentHistory } from '../../pipeline/adapters/aws/dynamodb-deployment-history.js';
import { systemClock } from '../../shared/clock.js';
import type { DeploymentHistory } from '../../pipeline/ports/deployment-history.js';
import type { PipelineControl } from '../../pipeline/ports/pipeline-control.js';
import { ConfigurationError } from '../../shared/errors.js';
import type { AwsClientConfig } from './aws-options.js';

/** The stack that holds the deployment history (infrastructure/bin/app.ts). */
export const PIPELINE_RUNTIME_STACK = 'KiroCd-PipelineRuntime';

/** Defaults every operational command reads from the validated configuration. */
export async function configuredDefaults(config?: DeploymentConfig): Promise<{ readonly region: string; readonly pipelineName: string }> {
  config ??= await loadEnvironmentsFile();
  return { region: config.pipeline.region, pipelineName: config.pipeline.name };
}

/**
 * Finds the history table the pipeline runtime stack deployed: the DynamoDB table whose logical id
 * starts with `History` (the DeploymentHistoryTable construct), via ListStackResources.
 */
export async function discoverHistoryTable(client: AwsClientConfig, stackName: string = PIPELINE_RUNTIME_STACK): Promise<string> {
  const cloudformation = new CloudFormationClient(client);
  let nextToken: string | undefined;
  do {
    let page: ListStackResourcesCommandOutput;
    try {
      page = await cloudformation.send(new ListStackResourcesCommand({ StackName: stackName, NextToken: nextToken }));
    } catch (error) {
      // CloudFormation answers ValidationError "Stack with id ... does not exist" for an unknown stack.
      if (error instanceof Error && error.name === 'ValidationError') {
        throw new ConfigurationError(`No stack ${stackName} in ${client.region}${client.endpoint === undefined ? '' : ` at ${client.endpoint}`}: pass --history-table <name>, or --region where the pipeline runtime stack is deployed.`, { stackName }, error);
      }
      throw error;
    }
    const table = page.StackResourceSummaries?.find(
      (resource) => /^AWS::DynamoDB::(Global)?Table$/.test(resource.ResourceType ?? '') && (resource.LogicalResourceId ?? '').startsWith('History'),
    );
    if (table?.PhysicalResourceId !== undefined) return table.PhysicalResourceId;
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  throw new ConfigurationError(`The stack ${stackName} has no deployment-history table; pass --history-table <name> or set KIRO_CD_HISTORY_TABLE.`, { stackName });
}

/** Opens the deployment history in DynamoDB. */
export function openDynamoDbHistory(client: AwsClientConfig, tableName: string): DeploymentHistory {
  return new DynamoDbDeploymentHistory({ client: new DynamoDBClient(client), tableName, clock: systemClock });
}

/** Opens the delivery pipeline through CodePipeline. */
export function openCodePipeline(client: AwsClientConfig, pipelineName: string): PipelineControl {
  return new CodePipelineControl(new CodePipelineClient(client), pipelineName);
}
