import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodePipelineClient, RollbackStageCommand } from '@aws-sdk/client-codepipeline';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { CALL_LOG_VARIABLE, recordCalls, type RecordedCall } from '../../../src/shared/aws/call-recorder.js';

/** Nothing listens on port 9: the call fails after the recorder saw it, without any network. */
const UNREACHABLE = { endpoint: 'http://127.0.0.1:9', region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 };

describe('recordCalls', () => {
  it('adds no middleware when no call log is configured (as on AWS)', () => {
    const client = new DynamoDBClient(UNREACHABLE);
    const before = client.middlewareStack.identify();
    recordCalls(client, 'PipelineEvents/Recorder', {});
    expect(client.middlewareStack.identify()).toEqual(before);
  });

  it('records caller, service, operation, region and input, also through the document client', async () => {
    const calls: RecordedCall[] = [];
    const documents = DynamoDBDocumentClient.from(recordCalls(new DynamoDBClient(UNREACHABLE), 'PipelineEvents/Recorder', {}, { sink: (call) => calls.push(call) }));
    await expect(documents.send(new PutCommand({ TableName: 'history', Item: { pk: 'a' } }))).rejects.toThrow();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ caller: 'PipelineEvents/Recorder', service: 'DynamoDB', operation: 'PutItem', region: 'eu-west-1', input: { TableName: 'history' } });
  });

  it('appends one JSON line per call to the file the environment names', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'calls-')), 'calls.jsonl');
    const client = recordCalls(new CodePipelineClient(UNREACHABLE), 'kiro-cd rollback', { [CALL_LOG_VARIABLE]: file });
    const send = (): Promise<unknown> => client.send(new RollbackStageCommand({ pipelineName: 'p', stageName: 'Test-Application', targetPipelineExecutionId: 'e' }));
    await expect(send()).rejects.toThrow();
    await expect(send()).rejects.toThrow();
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as RecordedCall);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({ caller: 'kiro-cd rollback', service: 'CodePipeline', operation: 'RollbackStage', region: 'eu-west-1', input: { pipelineName: 'p', stageName: 'Test-Application', targetPipelineExecutionId: 'e' } });
  });
});
