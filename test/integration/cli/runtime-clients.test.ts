import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';
import { openCodePipeline } from '../../../src/cli/aws/pipeline-client.js';
import { discoverHistoryTable, openDynamoDbHistory } from '../../../src/cli/aws/runtime-clients.js';
import { ConfigurationError } from '../../../src/shared/errors.js';
import { motoClientConfig, useFreshMoto } from '../../support/moto.js';

/** The emulator's client configuration in the shape the CLI builds (credentials come from the environment there). */
function client(): { region: string; endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } } {
  const config = motoClientConfig();
  return { region: config.region, endpoint: config.endpoint, credentials: config.credentials };
}

describe('discoverHistoryTable against the emulator\'s CloudFormation', () => {
  useFreshMoto();

  it('finds the table whose logical id starts with History, and ignores the other tables', async () => {
    const table = (name: string) => ({
      Type: 'AWS::DynamoDB::Table',
      Properties: { TableName: name, BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }] },
    });
    await new CloudFormationClient(motoClientConfig()).send(
      new CreateStackCommand({ StackName: 'runtime', TemplateBody: JSON.stringify({ Resources: { LedgerTable0A1B: table('ledger'), HistoryTable9F8E: table('the-history') } }) }),
    );
    expect(await discoverHistoryTable(client(), 'runtime')).toBe('the-history');
  });

  it('says to pass --history-table when the stack is not there', async () => {
    const call = discoverHistoryTable(client(), 'no-such-stack');
    await expect(call).rejects.toBeInstanceOf(ConfigurationError);
    await expect(discoverHistoryTable(client(), 'no-such-stack')).rejects.toThrow(/No stack no-such-stack in us-east-1 .*pass --history-table/);
  });

  it('opens the real adapters on the given configuration', () => {
    expect(openDynamoDbHistory(client(), 't').constructor.name).toBe('DynamoDbDeploymentHistory');
    expect(openCodePipeline(client(), 'p').constructor.name).toBe('CodePipelineControl');
  });
});
