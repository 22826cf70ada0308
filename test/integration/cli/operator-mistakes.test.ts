import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbDeploymentHistory } from '../../../src/pipeline/adapters/aws/dynamodb-deployment-history.js';
import { DynamoDbRollbackLedger } from '../../../src/pipeline/adapters/aws/dynamodb-rollback-ledger.js';
import { rollbackKey } from '../../../src/pipeline/domain/rollback/rollback-plan.js';
import { systemClock } from '../../../src/shared/clock.js';
import { motoClientConfig, motoEndpoint, resetMoto } from '../../support/moto.js';
import { ENVIRONMENTS, PIPELINE, deploymentEvents, executionId } from '../../unit/pipeline/domain/rollback/rollback-fixtures.js';
import { createHistoryTable } from '../pipeline/history/history-table.js';
import { runKiroCd, type CliRun } from './run-kiro-cd.js';

/**
 * The operator's tools under a new user's mistakes (issue 14), each as a `kiro-cd` process against
 * the local emulator (which serves the history and ledger tables but not CodePipeline or Step
 * Functions task tokens) or against a web server that is not AWS at all.
 */
const HISTORY = 'mistakes-history';
const LEDGER = 'mistakes-ledger';
const GOOD = executionId(1);
const CURRENT = executionId(2);

/** Nothing a command prints may be a stack trace or the SDK's raw text. */
function expectNoRawText(run: CliRun): void {
  const all = run.stdout + run.stderr;
  expect(all).not.toMatch(/\n\s+at [\w.<]/);
  expect(all).not.toContain('Deserialization error');
  expect(all).not.toContain('Unexpected token');
  expect(all).not.toContain('ERR_PARSE_ARGS');
  // The SDK's 8-line Node 20 notice (issue 14, item 12).
  expect(all).not.toContain('NodeVersionSupportWarning');
}

function cli(...args: string[]): Promise<CliRun> {
  return runKiroCd([...args, '--endpoint-url', motoEndpoint(), '--region', 'us-east-1']);
}

describe('kiro-cd under a new user\'s mistakes', () => {
  let html: Server;
  let htmlEndpoint: string;

  beforeAll(async () => {
    html = createServer((_request, response) => {
      response.writeHead(404, { 'content-type': 'text/html' });
      response.end('<!DOCTYPE html><html><body>Not found</body></html>');
    });
    await new Promise<void>((resolve) => html.listen(0, '127.0.0.1', resolve));
    htmlEndpoint = `http://127.0.0.1:${(html.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => html.close(resolve));
  });

  beforeEach(async () => {
    await resetMoto();
    const dynamodb = new DynamoDBClient(motoClientConfig());
    await createHistoryTable(dynamodb, HISTORY);
    await dynamodb.send(new CreateTableCommand({ TableName: LEDGER, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
    const history = new DynamoDbDeploymentHistory({ client: dynamodb, tableName: HISTORY, clock: systemClock });
    for (const event of [
      ...ENVIRONMENTS.flatMap((environment, i) => deploymentEvents({ execution: GOOD, environment, commit: 'a'.repeat(40), at: `2026-03-01T0${i}:00:00.000Z`, result: 'succeeded' })),
      ...deploymentEvents({ execution: CURRENT, environment: 'staging', commit: 'c'.repeat(40), at: '2026-03-02T10:00:00.000Z', result: 'succeeded' }),
    ]) await history.record(event);
  });

  async function stagingStatus(): Promise<string | undefined> {
    const history = new DynamoDbDeploymentHistory({ client: new DynamoDBClient(motoClientConfig()), tableName: HISTORY, clock: systemClock });
    return (await history.latest('staging'))?.status;
  }

  it('rollback against an endpoint without CodePipeline: exit 2 pointing to --dry-run, and the history is untouched (items 2, 6)', async () => {
    const run = await cli('rollback', 'staging', '--history-table', HISTORY, '--ledger-table', LEDGER);
    expect(run.stderr).toContain(`endpoint ${motoEndpoint()} does not serve CodePipeline`);
    expect(run.stderr).toContain('--dry-run');
    expect(run.code).toBe(2);
    expectNoRawText(run);
    expect(await stagingStatus()).toBe('succeeded');
  });

  it('a rollback whose last attempt failed is not "already done": exit 1, and how to retry (item 3)', async () => {
    const ledger = new DynamoDbRollbackLedger(DynamoDBDocumentClient.from(new DynamoDBClient(motoClientConfig())), LEDGER);
    const key = rollbackKey({ pipelineName: PIPELINE, environment: 'staging', stage: 'Staging-Application', executionId: CURRENT, trigger: 'manual:sre', reason: '' });
    await ledger.acquire(key, 'attempt-1', new Date(), new Date(Date.now() + 60_000));
    await ledger.finish(key, 'attempt-1', 'failed', 'RollbackStage Staging-Application ended Failed.');
    const run = await cli('rollback', 'staging', '--history-table', HISTORY, '--ledger-table', LEDGER, '--pipeline-name', PIPELINE);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('The last attempt of this rollback (attempt-1) failed: RollbackStage Staging-Application ended Failed.');
    expect(run.stderr).toContain('kiro-cd rollback staging --retry');
    expect(run.stdout).not.toContain('already done');
  });

  it('--to an execution id the history does not know is refused like an unknown commit (item 4)', async () => {
    const unknown = executionId(99);
    const run = await cli('rollback', 'staging', '--to', unknown, '--dry-run', '--history-table', HISTORY);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`No deployment of execution ${unknown} to staging is in the history`);
    expect(run.stdout).not.toContain('return');
  });

  it('--dry-run needs no ledger table and changes nothing (item 5)', async () => {
    const run = await cli('rollback', 'staging', '--dry-run', '--history-table', HISTORY);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Dry run: nothing was changed.');
    expect(run.stdout).toContain(`RollbackStage Staging-Application to execution ${GOOD}`);
  });

  it('no pipeline runtime stack where the ledger is looked up: exit 2 like status, not a defect (item 5)', async () => {
    const run = await cli('rollback', 'staging', '--history-table', HISTORY);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('No stack KiroCd-PipelineRuntime in us-east-1');
    expect(run.stderr).toContain('--ledger-table');
    expectNoRawText(run);
  });

  it('approve against an endpoint that accepts any task token: exit 2, not a false success (item 6)', async () => {
    const run = await cli('approve', '--token', 'token-from-a-notice');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('does not serve Step Functions task tokens');
    expect(run.stdout).not.toContain('Approved');
  });

  it('an endpoint that is not AWS: "did not answer like DynamoDB", exit 3 (item 7)', async () => {
    const run = await runKiroCd(['history', '--endpoint-url', htmlEndpoint, '--region', 'us-east-1', '--history-table', HISTORY]);
    expect(run.stderr).toContain(`endpoint ${htmlEndpoint} did not answer like DynamoDB`);
    expect(run.code).toBe(3);
    expectNoRawText(run);
  });
});

/** Mistakes refused before any AWS call: no emulator state to set up for them. */
describe('kiro-cd under a new user\'s mistakes, refused before any call', () => {
  it.each([
    ['a bad --limit, before any network call', ['history', '--limit', 'abc', '--endpoint-url', 'http://127.0.0.1:9'], '--limit'],
    ['a misspelt flag, with the nearest valid one', ['history', '--enviroment', 'staging', '--history-table', HISTORY], 'unknown option --enviroment; did you mean --environment?'],
    ['a misspelt command, with the nearest valid one', ['rollbak', 'staging'], 'did you mean "rollback"?'],
    ['a value for a switch', ['rollback', 'staging', '--dry-run=yes'], '--dry-run is a switch and takes no value'],
  ])('%s: the project\'s own message, exit 2 (item 7)', async (_why, args, message) => {
    // No --history-table for --limit: before the fix the table was looked up (a network call) first.
    const run = await runKiroCd([...args, '--region', 'us-east-1']);
    expect(run.stderr).toContain(message);
    expect(run.code).toBe(2);
    expectNoRawText(run);
    expect(run.stderr).not.toContain('To specify a positional argument');
  });
});
