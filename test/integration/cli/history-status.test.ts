import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbDeploymentHistory } from '../../../src/pipeline/adapters/aws/dynamodb-deployment-history.js';
import type { HistoryEvent } from '../../../src/pipeline/domain/history-model.js';
import { HISTORY_TABLE } from '../../../src/pipeline/domain/history/table-keys.js';
import { systemClock } from '../../../src/shared/clock.js';
import { createHistoryTable } from '../pipeline/history/history-table.js';
import { motoClientConfig, motoEndpoint, resetMoto } from '../../support/moto.js';
import { runKiroCd } from './run-kiro-cd.js';

const TABLE = 'cli-history';
const INDEXES = Object.values(HISTORY_TABLE.indexes);
const PIPELINE = 'kiro-codebuild-worker';
const GOOD = '1'.repeat(40);
const BAD = '2'.repeat(40);

function events(executionId: string, commit: string, environment: 'staging' | 'production', startedAt: string, outcome: 'SUCCEEDED' | 'FAILED'): HistoryEvent[] {
  const base = { pipelineName: PIPELINE, executionId };
  const stage = environment === 'staging' ? 'Staging-Application' : 'Production-Application';
  const later = new Date(Date.parse(startedAt) + 60_000).toISOString();
  return [
    { ...base, kind: 'execution', eventId: `${executionId}-start`, at: startedAt, state: 'STARTED', commit: { id: commit, message: 'ship it' }, triggerType: 'Webhook' },
    { ...base, kind: 'stage', eventId: `${executionId}-stage-start`, at: startedAt, stage, environment, state: 'STARTED' },
    { ...base, kind: 'stage', eventId: `${executionId}-stage-end`, at: later, stage, environment, state: outcome },
    { ...base, kind: 'health-check', eventId: `${executionId}-health`, at: later, environment, verdict: outcome === 'SUCCEEDED' ? 'pass' : 'fail', reason: 'bake', alarms: [] },
  ];
}

const runs = new Map<string, ReturnType<typeof runKiroCd>>();

/**
 * Runs the CLI against this worker's emulator and history table. The table is written once
 * (beforeAll) and these commands only read it, so the same command gives the same output: it runs
 * once, and every test that reads that output asserts on the one run.
 */
function cli(...args: string[]): ReturnType<typeof runKiroCd> {
  const key = args.join('\0');
  const earlier = runs.get(key);
  if (earlier !== undefined) return earlier;
  const run = runKiroCd([...args, '--endpoint-url', motoEndpoint(), '--region', 'us-east-1', '--history-table', TABLE]);
  runs.set(key, run);
  return run;
}

describe('kiro-cd history and status, as a process against the local emulator', () => {
  beforeAll(async () => {
    await resetMoto();
    const client = new DynamoDBClient(motoClientConfig());
    await createHistoryTable(client, TABLE);
    const history = new DynamoDbDeploymentHistory({ client, tableName: TABLE, clock: systemClock });
    for (const event of [
      ...events('exec-good', GOOD, 'production', '2026-11-01T10:00:00.000Z', 'SUCCEEDED'),
      ...events('exec-bad', BAD, 'staging', '2026-11-02T10:00:00.000Z', 'FAILED'),
      // The good release's Build action named its output artifact, which holds the SBOMs (issue 18).
      { pipelineName: PIPELINE, executionId: 'exec-good', kind: 'action', eventId: 'exec-good-build', at: '2026-11-01T09:55:00.000Z', stage: 'Build', action: 'Synth', state: 'SUCCEEDED', category: 'Build', outputArtifacts: [{ name: 'Build_Synth_Output', bucket: 'kiro-artifacts', key: 'kiro-codebu/Build_Synt/Qw3rTy9' }] },
    ] satisfies HistoryEvent[]) {
      await history.record(event);
    }
  });

  it('lists deployments as JSON, newest first', async () => {
    const run = await cli('history', '--output', 'json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const records = JSON.parse(run.stdout) as { executionId: string; environment: string; status: string; commit: { id: string } }[];
    expect(records.map((record) => [record.executionId, record.environment, record.status])).toEqual([
      ['exec-bad', 'staging', 'failed'],
      ['exec-good', 'production', 'succeeded'],
    ]);
  });

  it('filters by environment and prints a table', async () => {
    const byEnvironment = await cli('history', '--environment', 'production');
    expect(byEnvironment.code).toBe(0);
    expect(byEnvironment.stdout).toMatch(/^STARTED\s+ENVIRONMENT\s+COMMIT\s+STATUS\s+HEALTH/);
    expect(byEnvironment.stdout).toContain('production   11111111  succeeded  passed');
    expect(byEnvironment.stdout).not.toContain('staging');
  });

  it('shows where each release\'s SBOM is kept (issue 18): the Build artifact in the artifact bucket, in the table and the JSON', async () => {
    const table = await cli('history', '--environment', 'production');
    expect(table.stdout).toMatch(/\sSBOM\s/);
    expect(table.stdout).toContain('s3://kiro-artifacts/kiro-codebu/Build_Synt/Qw3rTy9#sbom/');
    const json = JSON.parse((await cli('history', '--output', 'json')).stdout) as { executionId: string; sbom?: unknown }[];
    expect(json.find((record) => record.executionId === 'exec-good')?.sbom).toEqual({ bucket: 'kiro-artifacts', key: 'kiro-codebu/Build_Synt/Qw3rTy9', path: 'sbom/' });
    expect(json.find((record) => record.executionId === 'exec-bad')).not.toHaveProperty('sbom');
  });

  it('shows each environment from the history and warns that the emulator cannot give the pipeline state', async () => {
    const run = await cli('status');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/production\s+11111111\s+11111111 succeeded\s+passed\s+unknown/);
    expect(run.stdout).toMatch(/staging\s+nothing deployed\s+22222222 failed\s+failed/);
    expect(run.stdout).toContain(`Last known good release: ${GOOD}`);
    expect(run.stderr).toContain("warning: the pipeline's stage state could not be read");
  });

  it('finds the history table of the pipeline runtime stack when no flag names it', async () => {
    const cloudformation = new CloudFormationClient(motoClientConfig());
    await cloudformation.send(
      new CreateStackCommand({
        StackName: 'KiroCd-PipelineRuntime',
        TemplateBody: JSON.stringify({
          Resources: {
            HistoryTable1A2B3C4D: {
              Type: 'AWS::DynamoDB::Table',
              Properties: {
                TableName: 'discovered-history',
                BillingMode: 'PAY_PER_REQUEST',
                KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
                AttributeDefinitions: ['pk', 'sk', ...INDEXES.flatMap((index) => [index.partitionKey, index.sortKey])].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
                GlobalSecondaryIndexes: INDEXES.map((index) => ({
                  IndexName: index.name,
                  KeySchema: [{ AttributeName: index.partitionKey, KeyType: 'HASH' }, { AttributeName: index.sortKey, KeyType: 'RANGE' }],
                  Projection: { ProjectionType: 'ALL' },
                })),
              },
            },
          },
        }),
      }),
    );
    const run = await runKiroCd(['history', '--endpoint-url', motoEndpoint(), '--region', 'us-east-1']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // The stack's table is a fresh one: the process read it, not the seeded table.
    expect(run.stdout).toBe('No deployments match these filters.\n');
  });

  it('exits 2 with a clear message for bad input and 3 when the endpoint cannot be reached', async () => {
    const [badEnvironment, unreachable] = await Promise.all([
      cli('history', '--environment', 'prod'),
      runKiroCd(['history', '--endpoint-url', 'http://127.0.0.1:9', '--history-table', TABLE]),
    ]);
    expect(badEnvironment.code).toBe(2);
    expect(badEnvironment.stderr).toContain('--environment must be one of test, staging, production, not "prod".');
    expect(badEnvironment.stdout).toBe('');
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toContain('Check --endpoint-url and the network');
  });
});
