/**
 * The local CodePipeline served over the real protocol: the product's own SDK client and its
 * CodePipelineControl adapter talk to one endpoint, which answers CodePipeline and passes every
 * other service on to the emulator.
 */
import { Agent, request as httpRequest } from 'node:http';
import {
  CodePipelineClient,
  GetPipelineCommand,
  GetPipelineExecutionCommand,
  GetPipelineStateCommand,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
  ListPipelinesCommand,
  PutApprovalResultCommand,
  RollbackStageCommand,
  StartPipelineExecutionCommand,
  StopPipelineExecutionCommand,
  UnableToRollbackStageException,
} from '@aws-sdk/client-codepipeline';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodePipelineControl } from '../../../src/pipeline/adapters/aws/codepipeline-control.js';
import { endToEndHeaders, startLocalAwsEndpoint, type LocalAwsEndpoint } from '../../../src/local/codepipeline/codepipeline-endpoint.js';
import { motoEndpoint, TEST_CREDENTIALS, TEST_REGION } from '../../support/moto.js';
import { action, declaration, localPipeline, pendingToken, stage } from '../../unit/local/codepipeline/pipeline-fixture.js';

describe('the local CodePipeline endpoint', () => {
  const { pipeline } = localPipeline(
    declaration([
      stage('Approve', [action('Approve', { category: 'Approval', provider: 'Manual', timeoutInMinutes: 60 * 24 * 7 })]),
      stage('Deploy', [action('Ship', { category: 'Deploy', provider: 'CloudFormation' })], { onFailure: { result: 'ROLLBACK', rules: [] } }),
    ]),
  );
  let endpoint: LocalAwsEndpoint;
  let client: CodePipelineClient;

  beforeAll(async () => {
    endpoint = await startLocalAwsEndpoint({ pipeline, upstream: motoEndpoint(), account: '111111111111', region: TEST_REGION });
    client = new CodePipelineClient({ endpoint: endpoint.endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  });
  afterAll(async () => {
    await endpoint.close();
  });

  it('runs an execution through the SDK: start, state with the approval token, approve, execution, action executions, definition', async () => {
    const { pipelineExecutionId } = await client.send(new StartPipelineExecutionCommand({ name: 'demo', variables: [{ name: 'KIRO_ROLLBACK', value: 'false' }] }));
    const token = await pendingToken(pipeline, 'Approve', 'Approve');
    const state = await client.send(new GetPipelineStateCommand({ name: 'demo' }));
    expect(state.pipelineVersion).toBe(1);
    expect(state.stageStates?.find((candidate) => candidate.stageName === 'Approve')?.actionStates?.[0]?.latestExecution?.token).toBe(token);
    const approved = await client.send(new PutApprovalResultCommand({ pipelineName: 'demo', stageName: 'Approve', actionName: 'Approve', token, result: { status: 'Approved', summary: 'fine' } }));
    expect(approved.approvedAt).toBeInstanceOf(Date);
    await pipeline.settled();
    const execution = await client.send(new GetPipelineExecutionCommand({ pipelineName: 'demo', pipelineExecutionId }));
    expect(execution.pipelineExecution).toMatchObject({ status: 'Succeeded', executionType: 'STANDARD', variables: [{ name: 'KIRO_ROLLBACK', resolvedValue: 'false' }] });
    expect(execution.pipelineExecution?.trigger).toEqual({ triggerType: 'StartPipelineExecution', triggerDetail: 'local' });
    const actions = await client.send(new ListActionExecutionsCommand({ pipelineName: 'demo', filter: { pipelineExecutionId } }));
    expect(actions.actionExecutionDetails?.map((detail) => `${detail.stageName}.${detail.actionName}=${detail.status}`).sort()).toEqual(['Approve.Approve=Succeeded', 'Deploy.Ship=Succeeded', 'Source.Source=Succeeded']);
    const listed = await client.send(new ListPipelineExecutionsCommand({ pipelineName: 'demo' }));
    expect(listed.pipelineExecutionSummaries?.[0]).toMatchObject({ pipelineExecutionId, status: 'Succeeded' });
    expect(listed.pipelineExecutionSummaries?.[0]?.startTime).toBeInstanceOf(Date);
    const definition = await client.send(new GetPipelineCommand({ name: 'demo' }));
    expect(definition.pipeline?.stages?.map((candidate) => candidate.name)).toEqual(['Source', 'Approve', 'Deploy']);
    expect(definition.pipeline?.stages?.[1]?.actions?.[0]?.timeoutInMinutes).toBe(10080);
  });

  it('row 25: answers errors with AWS names, which the SDK turns into its own exception classes', async () => {
    const refused = await client.send(new RollbackStageCommand({ pipelineName: 'demo', stageName: 'Source', targetPipelineExecutionId: [...pipeline.executions.keys()][0] })).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UnableToRollbackStageException);
    expect((refused as Error).message).toContain('source stage');
    const missing = await client.send(new GetPipelineStateCommand({ name: 'nope' })).catch((error: unknown) => error);
    expect(missing).toMatchObject({ name: 'PipelineNotFoundException', $metadata: { httpStatusCode: 400 } });
    const stopped = await client.send(new StopPipelineExecutionCommand({ pipelineName: 'demo', pipelineExecutionId: [...pipeline.executions.keys()][0] })).catch((error: unknown) => error);
    expect(stopped).toMatchObject({ name: 'PipelineExecutionNotStoppableException' });
  });

  it('row 26: names an operation it does not serve, and passes every other service on to the emulator', async () => {
    const unknown = await client.send(new ListPipelinesCommand({})).catch((error: unknown) => error);
    expect(unknown).toMatchObject({ name: 'UnknownOperationException' });
    expect((unknown as Error).message).toContain('does not serve ListPipelines');
    const dynamodb = new DynamoDBClient({ endpoint: endpoint.endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    const direct = new DynamoDBClient({ endpoint: motoEndpoint(), region: TEST_REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    expect((await dynamodb.send(new ListTablesCommand({}))).TableNames).toEqual((await direct.send(new ListTablesCommand({}))).TableNames);
  });

  it('keeps the client\'s connection open across calls it passes on to the emulator, which closes its own after each', async () => {
    // moto_server answers with `Connection: close`; passed on, that header closed this endpoint's side too.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const listTables = (): Promise<{ status: number | undefined; reusedSocket: boolean; body: string }> =>
      new Promise((resolve, reject) => {
        const sent = httpRequest(
          `${endpoint.endpoint}/`,
          { method: 'POST', agent, headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables', authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${TEST_REGION}/dynamodb/aws4_request, SignedHeaders=host, Signature=0` } },
          (reply) => {
            let body = '';
            reply.setEncoding('utf8');
            reply.on('data', (chunk: string) => (body += chunk));
            reply.on('end', () => { resolve({ status: reply.statusCode, reusedSocket: sent.reusedSocket, body }); });
          },
        );
        sent.on('error', reject);
        sent.end('{}');
      });
    try {
      const first = await listTables();
      const second = await listTables();
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(JSON.parse(second.body)).toHaveProperty('TableNames');
      expect(second.reusedSocket).toBe(true);
    } finally {
      agent.destroy();
    }
  });

  it('lets the product’s CodePipelineControl roll a stage back and follow the rollback execution', async () => {
    const control = new CodePipelineControl(client, 'demo');
    const good = [...pipeline.executions.values()].find((execution) => execution.status === 'Succeeded');
    const rollbackId = await control.rollbackStage('Deploy', good?.id ?? '');
    await pipeline.settled();
    expect(await control.executionStatus(rollbackId)).toBe('Succeeded');
    expect(await control.stageExecution('Deploy')).toMatchObject({ executionId: rollbackId, type: 'ROLLBACK', status: 'Succeeded' });
  });
});

describe('endToEndHeaders', () => {
  it.each([
    { why: 'the emulator\'s Connection: close describes its connection, not the answer', headers: { connection: 'close', 'content-length': '18' }, kept: { 'content-length': '18' } },
    { why: 'headers the Connection header names are hop-by-hop too (RFC 9110, 7.6.1)', headers: { connection: 'keep-alive, X-Hop', 'keep-alive': 'timeout=5', 'x-hop': '1', 'x-amz-crc32': '1' }, kept: { 'x-amz-crc32': '1' } },
    { why: 'the transfer coding is the sender\'s choice for its own connection', headers: { 'transfer-encoding': 'chunked', 'content-type': 'application/x-amz-json-1.0' }, kept: { 'content-type': 'application/x-amz-json-1.0' } },
    { why: 'a message without hop-by-hop headers passes unchanged', headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables' }, kept: { 'x-amz-target': 'DynamoDB_20120810.ListTables' } },
  ])('$why', ({ headers, kept }) => {
    expect(endToEndHeaders(headers)).toEqual(kept);
  });
});
