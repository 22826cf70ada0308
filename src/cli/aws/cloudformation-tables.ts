/**
 * The pipeline runtime stack's tables, found through CloudFormation's ListStackResources. A module
 * of its own so that the CloudFormation client loads only when a command discovers a table
 * (runtime-clients.ts imports it then).
 */
import { CloudFormationClient, ListStackResourcesCommand, type ListStackResourcesCommandOutput } from '@aws-sdk/client-cloudformation';
import { ConfigurationError } from '../../shared/errors.js';
import type { AwsClientConfig } from './aws-options.js';
import { recordCliCalls } from './cli-caller.js';

/**
 * Finds one table the pipeline runtime stack deployed, via ListStackResources: the first DynamoDB
 * table whose logical id `matches`. `what` names it in the errors; `flag` is how to pass it instead.
 * A stack that does not exist is the caller's to fix (exit 2), whatever the command.
 */
export async function findRuntimeTable(
  client: AwsClientConfig,
  table: { readonly what: string; readonly flag: string; readonly matches: (logicalId: string) => boolean },
  stackName: string,
): Promise<string> {
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
