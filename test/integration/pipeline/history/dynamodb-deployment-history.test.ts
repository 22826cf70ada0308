import { readFileSync } from 'node:fs';
import { DynamoDBClient, GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { foldDeployments } from '../../../../src/pipeline/domain/history/deployment-fold.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES } from '../../../../src/shared/config/schema.js';
import { DynamoDbDeploymentHistory } from '../../../../src/pipeline/adapters/aws/dynamodb-deployment-history.js';
import { normaliseCodePipelineEvent } from '../../../../src/pipeline/domain/history/codepipeline-event.js';
import type { HistoryEvent } from '../../../../src/pipeline/domain/history-model.js';
import { isSummaryEvent, SUMMARY_SORT_KEY, summaryEventAttribute } from '../../../../src/pipeline/domain/history/execution-summary.js';
import type { Clock } from '../../../../src/shared/clock.js';
import { motoClientConfig, resetMoto, useFreshMoto } from '../../../support/moto.js';
import { redeliveries } from '../../../unit/pipeline/domain/history/arbitraries.js';
import { createHistoryTable } from './history-table.js';

const TABLE = 'kiro-cd-history';
const NOW = new Date('2026-01-06T00:00:00Z');
const clock: Clock = { now: () => NOW, sleep: () => Promise.resolve() };

function fixtureEvents(name: string): HistoryEvent[] {
  const raw = JSON.parse(readFileSync(new URL(`../../../fixtures/events/${name}`, import.meta.url), 'utf8')) as unknown[];
  return raw.flatMap((event) => {
    const result = normaliseCodePipelineEvent(event, ENVIRONMENT_NAMES);
    if (result.kind !== 'accepted') throw new Error(result.reason);
    return result.events;
  });
}

const succeeded = fixtureEvents('codepipeline-execution-succeeded.json');
const failed = fixtureEvents('codepipeline-execution-failed.json');
const SHA = '3f2c1b9a8e7d6c5b4a39281706f5e4d3c2b1a090';

async function freshHistory(): Promise<{ client: DynamoDBClient; history: DynamoDbDeploymentHistory }> {
  const client = new DynamoDBClient(motoClientConfig());
  await createHistoryTable(client, TABLE);
  return { client, history: new DynamoDbDeploymentHistory({ client, tableName: TABLE, clock }) };
}

async function snapshot(history: DynamoDbDeploymentHistory, executionIds: readonly string[]): Promise<unknown> {
  return {
    records: await history.list({}),
    timelines: await Promise.all(executionIds.map((id) => history.timeline(id))),
    summaries: await Promise.all(executionIds.map((id) => history.summary(id))),
    latest: await Promise.all(ENVIRONMENT_NAMES.map((environment) => history.latest(environment))),
    lastKnownGood: await history.lastKnownGood(),
  };
}

describe('DynamoDbDeploymentHistory against the local emulator', () => {
  useFreshMoto();

  it('stores an event once: a redelivery answers duplicate and changes nothing', async () => {
    const { history } = await freshHistory();
    const first = succeeded[0]!;
    expect(await history.record(first)).toBe('recorded');
    const before = await snapshot(history, [first.executionId]);
    expect(await history.record(first)).toBe('duplicate');
    expect(await snapshot(history, [first.executionId])).toEqual(before);
  });

  it('answers every query the CLI, change detection and rollback make', async () => {
    const { history } = await freshHistory();
    for (const event of [...succeeded, ...failed]) await history.record(event);

    const latestTest = await history.latest('test');
    expect(latestTest).toMatchObject({ executionId: failed[0]!.executionId, status: 'failed', reason: 'Action Deploy in stage Test-Application failed: Deployment d-C3XYEM1QF failed' });
    expect(await history.lastKnownGood()).toMatchObject({ environment: 'production', executionId: succeeded[0]!.executionId, commit: { id: SHA, author: 'Ada Lovelace' } });
    expect((await history.list({ commitId: SHA })).map((record) => record.environment)).toEqual(['test', 'production', 'staging', 'test']);
    const morning = await history.list({ from: new Date('2026-01-05T09:00:00Z'), to: new Date('2026-01-05T09:11:00Z') });
    expect(morning.map((record) => record.environment)).toEqual(['test']);
    expect(await history.list({ environment: 'test', limit: 1 })).toEqual([latestTest]);
    const timeline = await history.timeline(succeeded[0]!.executionId);
    expect(timeline).toHaveLength(succeeded.length);
    expect(timeline[0]).toMatchObject({ kind: 'execution', state: 'STARTED' });
  });

  it('keeps a per-execution summary: the commit and failed-action events, one item read', async () => {
    const { client, history } = await freshHistory();
    for (const event of failed) await history.record(event);
    const executionId = failed[0]!.executionId;
    const summary = await history.summary(executionId);
    expect(summary).toEqual((await history.timeline(executionId)).filter(isSummaryEvent));
    expect(summary.map((event) => (event.kind === 'action' ? `${event.action} ${event.state}` : event.kind === 'execution' ? `execution ${event.state}` : event.kind))).toEqual(['execution STARTED', 'GitHub SUCCEEDED', 'Deploy FAILED', 'execution FAILED']);
    expect(summary.length).toBeLessThan(failed.length);
    const item = (await client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `EXEC#${executionId}` }, sk: { S: SUMMARY_SORT_KEY } } }))).Item;
    expect(Object.keys(item ?? {}).filter((name) => name.startsWith('event#'))).toHaveLength(summary.length);
    // The summary item is in no index: it is never taken for a deployment record.
    expect(await history.list({})).toHaveLength(1);
  });

  it('keeps the first payload stored under an event id in the summary, as in the timeline', async () => {
    const { history } = await freshHistory();
    const deployFailed = failed.find((event) => event.kind === 'action' && event.state === 'FAILED')!;
    await history.record(deployFailed);
    await history.record({ ...deployFailed, at: '2030-01-01T00:00:00Z' });
    expect(await history.summary(deployFailed.executionId)).toEqual([deployFailed]);
    expect(await history.timeline(deployFailed.executionId)).toEqual([deployFailed]);
  });

  it('reads an execution recorded before summaries existed from its timeline', async () => {
    const { client, history } = await freshHistory();
    const source = failed.find((event) => event.kind === 'action' && event.commit !== undefined)!;
    // The event item exactly as the recorder wrote it before the summary item was introduced.
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: `EXEC#${source.executionId}` }, sk: { S: `EVENT#${source.eventId}` }, kind: { S: source.kind }, at: { S: source.at }, payload: { S: JSON.stringify(source) } } }));
    expect(await history.summary(source.executionId)).toEqual([source]);
    expect(summaryEventAttribute(source.eventId)).toBe(`event#${source.eventId}`);
  });

  it('reads the stored record instead of the timeline for facts that cannot change it: actions starting or succeeding, health polls after the first', async () => {
    const { client, history } = await freshHistory();
    const operations: string[] = [];
    client.middlewareStack.add((next, context) => (args) => {
      operations.push(String(context.commandName));
      return next(args);
    }, { step: 'initialize', name: 'countOperations' });
    const base = { pipelineName: 'kiro-codebuild-worker', executionId: 'exec-polls' } as const;
    const at = (second: number): string => new Date(Date.UTC(2026, 0, 5, 9, 0, second)).toISOString();
    const poll = (second: number): HistoryEvent => ({ ...base, eventId: `poll-${second}`, at: at(second), kind: 'health-check', environment: 'test', verdict: 'check', reason: 'healthy so far', alarms: [] });
    const events: HistoryEvent[] = [
      { ...base, eventId: 'start', at: at(0), kind: 'execution', state: 'STARTED', triggerType: 'Webhook', commit: { id: SHA } },
      { ...base, eventId: 'stage', at: at(1), kind: 'stage', stage: 'Test-Application', environment: 'test', state: 'STARTED' },
      { ...base, eventId: 'deploy-started', at: at(2), kind: 'action', stage: 'Test-Application', action: 'Deploy', environment: 'test', state: 'STARTED' },
      { ...base, eventId: 'deploy-succeeded', at: at(3), kind: 'action', stage: 'Test-Application', action: 'Deploy', environment: 'test', state: 'SUCCEEDED' },
      poll(10),
      poll(20),
      poll(30),
      { ...base, eventId: 'verdict', at: at(40), kind: 'health-check', environment: 'test', verdict: 'pass', reason: 'healthy', alarms: [] },
    ];
    for (const event of events) await history.record(event);
    // Timeline reads: the execution's start, the stage's start, the first poll and the verdict; the
    // two actions and the later polls each read one stored record instead.
    expect(operations.filter((operation) => operation === 'QueryCommand')).toHaveLength(4);
    expect(operations.filter((operation) => operation === 'GetItemCommand')).toHaveLength(5);
    expect(await history.list({ environment: 'test' })).toEqual(foldDeployments(events));
    // Redelivered in reverse, every fact arrives before what it could be absorbed into: the same record.
    await resetMoto();
    const reversed = await freshHistory();
    for (const event of [...events].reverse()) await reversed.history.record(event);
    expect(await reversed.history.list({ environment: 'test' })).toEqual(foldDeployments(events));
  });

  it('sets a 90-day TTL on every item it writes', async () => {
    const { client, history } = await freshHistory();
    for (const event of failed) await history.record(event);
    const items = (await client.send(new ScanCommand({ TableName: TABLE }))).Items ?? [];
    expect(items.length).toBeGreaterThan(failed.length);
    const expected = String(NOW.getTime() / 1000 + 90 * 86_400);
    expect(new Set(items.map((item) => item.expiresAt?.N))).toEqual(new Set([expected]));
  });

  it('yields the same history from shuffled, duplicated deliveries as from one ordered delivery', async () => {
    // One execution keeps each run short: the emulator answers a few hundred requests a second.
    const events = failed;
    const executions = [failed[0]!.executionId];
    const ordered = await freshHistory();
    for (const event of events) await ordered.history.record(event);
    const expected = await snapshot(ordered.history, executions);

    await fc.assert(
      fc.asyncProperty(redeliveries(events), async (delivered) => {
        await resetMoto();
        const { history } = await freshHistory();
        for (const event of delivered) await history.record(event);
        expect(await snapshot(history, executions)).toEqual(expected);
      }),
      { numRuns: 3 },
    );
  });
});
