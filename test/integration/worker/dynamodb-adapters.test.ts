import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbLockStore } from '../../../src/worker/adapters/dynamodb-lock-store.js';
import { DynamoDbWorkItems } from '../../../src/worker/adapters/dynamodb-work-items.js';
import { runPollCycle } from '../../../src/worker/domain/poll-cycle.js';
import { MalformedInputError } from '../../../src/shared/errors.js';
import { motoClientConfig, useFreshMoto } from '../../support/moto.js';
import { ManualClock, RecordingBuildStarter, readyItem } from '../../unit/worker/fakes.js';
import { createWorkerTables } from './worker-tables.js';
import { FaultInjectingHandler, realHandler } from '../../support/fault-injecting-handler.js';

const names = { workItems: 'work-items', locks: 'locks' };

describe('DynamoDB adapters against the local emulator', () => {
  useFreshMoto();
  let documents: DynamoDBDocumentClient;
  let workItems: DynamoDbWorkItems;
  let locks: DynamoDbLockStore;

  beforeEach(async () => {
    const client = new DynamoDBClient(motoClientConfig());
    documents = DynamoDBDocumentClient.from(client);
    await createWorkerTables(client, names);
    workItems = new DynamoDbWorkItems(documents, names.workItems);
    locks = new DynamoDbLockStore(documents, names.locks);
  });

  const put = (item: object) => documents.send(new PutCommand({ TableName: names.workItems, Item: item }));
  const lease = (owner: string, leaseExpiresAt: number) => ({ workItemId: 'wi-1', owner, leaseExpiresAt, acquiredAt: '2026-03-02T10:00:00.000Z' });

  it('lists only ready items through the status index, oldest first, up to the limit', async () => {
    await put(readyItem('new', { updatedAt: '2026-03-02T09:30:00.000Z' }));
    await put(readyItem('old', { updatedAt: '2026-03-02T08:00:00.000Z' }));
    await put(readyItem('busy', { status: 'build-started', buildId: 'b' }));
    expect((await workItems.listReady(10)).items.map((item) => item.workItemId)).toEqual(['old', 'new']);
    const first = await workItems.listReady(1);
    expect(first.items.map((item) => item.workItemId)).toEqual(['old']);
    expect((await workItems.listReady(1, first.cursor)).items.map((item) => item.workItemId)).toEqual(['new']);
  });

  it('reports a malformed ready record instead of failing the whole listing (issue 13, item 2)', async () => {
    await put({ workItemId: 'broken', status: 'ready-for-implementation', updatedAt: '2026-03-02T07:00:00.000Z', repository: 42 });
    await put(readyItem('good'));
    const page = await workItems.listReady(5);
    expect(page.items.map((item) => item.workItemId)).toEqual(['good']);
    expect(page.malformed).toEqual([{ workItemId: 'broken', problem: expect.stringContaining('lacks one of workItemId, status, repository, branch and updatedAt') as unknown }]);
    // The poller takes it out of the queue with the ordinary conditional write.
    expect(await workItems.markRejected('broken', new Date(0), page.malformed[0]!.problem)).toEqual({ kind: 'updated' });
    expect((await workItems.listReady(5)).malformed).toEqual([]);
  });

  it('a poll cycle over the emulator fails the malformed record and starts the good one behind it', async () => {
    await put({ workItemId: 'broken', status: 'ready-for-implementation', updatedAt: '2026-03-02T07:00:00.000Z' });
    await put(readyItem('good'));
    const builds = new RecordingBuildStarter();
    const report = await runPollCycle({ workItems, locks, builds, clock: new ManualClock() }, { maxBuildsPerCycle: 5, leaseSeconds: 600, pageSize: 5, budgetMs: 30_000 }, 'poller-a');
    expect(report.outcomes.map((outcome) => outcome.kind)).toEqual(['rejected', 'started']);
    expect(builds.started.map((build) => build.workItemId)).toEqual(['good']);
  });

  it('lists unfinished items older than a time, for the sweep', async () => {
    await put(readyItem('old-started', { status: 'build-started', buildId: 'b-1', updatedAt: '2026-03-02T08:00:00.000Z' }));
    await put(readyItem('old-running', { status: 'in-progress', buildId: 'b-2', updatedAt: '2026-03-02T08:30:00.000Z' }));
    await put(readyItem('new-running', { status: 'in-progress', buildId: 'b-3', updatedAt: '2026-03-02T09:30:00.000Z' }));
    await put(readyItem('old-done', { status: 'done', buildId: 'b-4', updatedAt: '2026-03-02T07:00:00.000Z' }));
    const found = await workItems.listUnfinishedBefore(new Date('2026-03-02T09:00:00.000Z'), 10);
    expect(found.map((item) => item.workItemId)).toEqual(['old-started', 'old-running']);
  });

  it('refuses a malformed record with a message that says how to fix it', async () => {
    await put({ workItemId: 'broken', status: 'ready-for-implementation' });
    await expect(workItems.get('broken')).rejects.toBeInstanceOf(MalformedInputError);
    expect(await workItems.get('absent')).toBeUndefined();
  });

  it('moves an item only along its conditional transitions', async () => {
    const at = new Date('2026-03-02T10:00:00.000Z');
    await put(readyItem('wi-1'));
    expect(await workItems.markInProgress('wi-1', 'b-1', at)).toMatchObject({ kind: 'conflict' });
    expect(await workItems.markBuildStarted('wi-1', 'b-1', at)).toEqual({ kind: 'updated' });
    expect(await workItems.markBuildStarted('wi-1', 'b-2', at)).toEqual({ kind: 'conflict', reason: 'the item is no longer ready for implementation' });
    expect(await workItems.markInProgress('wi-1', 'b-2', at)).toMatchObject({ kind: 'conflict' });
    expect(await workItems.markInProgress('wi-1', 'b-1', at)).toEqual({ kind: 'updated' });
    expect(await workItems.markFinished('wi-1', 'b-1', 'failed', at, 'exit 2')).toEqual({ kind: 'updated' });
    expect(await workItems.markFinished('wi-1', 'b-1', 'done', at)).toMatchObject({ kind: 'conflict' });
    expect(await workItems.get('wi-1')).toMatchObject({ status: 'failed', buildId: 'b-1', failureReason: 'exit 2', updatedAt: at.toISOString() });
    expect(await workItems.markRejected('absent', at, 'x')).toMatchObject({ kind: 'conflict' });
  });

  it('marks a rejected ready item failed with its reason', async () => {
    await put(readyItem('wi-1'));
    expect(await workItems.markRejected('wi-1', new Date(0), 'bad branch')).toEqual({ kind: 'updated' });
    expect(await workItems.get('wi-1')).toMatchObject({ status: 'failed', failureReason: 'bad branch' });
  });

  it.each([
    ['a free lock is taken', undefined, 1000, 'acquired'],
    ['a live lease is refused', 1001, 1000, 'held'],
    ['a lease that ends now is taken over', 1000, 1000, 'acquired'],
    ['a stale lease is taken over', 10, 1000, 'acquired'],
  ] as const)('conditional PutItem: %s', async (_why, existingLease, now, expected) => {
    if (existingLease !== undefined) expect(await locks.acquire(lease('other', existingLease), 0)).toEqual({ kind: 'acquired' });
    expect(await locks.acquire(lease('me', now + 60), now)).toEqual({ kind: expected });
  });

  it('stores the lease with a TTL a week after it, and releases only for its owner', async () => {
    await locks.acquire(lease('me', 5000), 0);
    const stored = await documents.send(new GetCommand({ TableName: names.locks, Key: { workItemId: 'wi-1' } }));
    expect(stored.Item).toEqual({ workItemId: 'wi-1', owner: 'me', leaseExpiresAt: 5000, acquiredAt: '2026-03-02T10:00:00.000Z', expiresAt: 5000 + 7 * 24 * 3600 });
    expect(await locks.release('wi-1', 'someone-else')).toEqual({ kind: 'not-owner' });
    expect(await locks.release('wi-1', 'me')).toEqual({ kind: 'released' });
    expect(await locks.release('wi-1', 'me')).toEqual({ kind: 'not-owner' });
  });

  it('lets exactly one of many concurrent acquirers win a free lock', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, index) => locks.acquire(lease(`p-${index}`, 9000), 1000)));
    expect(results.filter((result) => result.kind === 'acquired')).toHaveLength(1);
  });

  it('pollers racing over the same items against real conditional writes start each item exactly once', async () => {
    for (let index = 0; index < 4; index += 1) await put(readyItem(`wi-${index}`, { updatedAt: `2026-03-02T09:0${index}:00.000Z` }));
    const builds = new RecordingBuildStarter();
    const clock = new ManualClock();
    const reports = await Promise.all(
      ['a', 'b', 'c'].map((owner) => runPollCycle({ workItems, locks, builds, clock }, { maxBuildsPerCycle: 10, leaseSeconds: 600, pageSize: 10, budgetMs: 30_000 }, `poller-${owner}`)),
    );
    expect(builds.started.map((build) => build.workItemId).sort()).toEqual(['wi-0', 'wi-1', 'wi-2', 'wi-3']);
    const outcomes = reports.flatMap((report) => report.outcomes);
    expect(outcomes.filter((outcome) => outcome.kind === 'started')).toHaveLength(4);
    expect(outcomes.every((outcome) => ['started', 'contended', 'stale'].includes(outcome.kind))).toBe(true);
    for (let index = 0; index < 4; index += 1) expect((await workItems.get(`wi-${index}`))?.status).toBe('build-started');
  });
});

describe('DynamoDB adapters under lost responses, through the SDK retry strategy and the emulator', () => {
  useFreshMoto();

  /** A client whose first UpdateItem is applied by the emulator but whose answer is lost; the SDK retries it. */
  async function withLostFirstUpdate() {
    const plain = new DynamoDBClient(motoClientConfig());
    await createWorkerTables(plain, names);
    const handler = new FaultInjectingHandler(realHandler(), (target, attempt) => (target.endsWith('.UpdateItem') && attempt === 1 ? 'lost-response' : undefined));
    const faulty = DynamoDBDocumentClient.from(new DynamoDBClient({ ...motoClientConfig(), maxAttempts: 3, requestHandler: handler }));
    return { documents: DynamoDBDocumentClient.from(plain), workItems: new DynamoDbWorkItems(faulty, names.workItems), handler };
  }

  it('recording a build whose first answer was lost is still recorded, not a conflict', async () => {
    const { documents, workItems, handler } = await withLostFirstUpdate();
    await documents.send(new PutCommand({ TableName: names.workItems, Item: readyItem('wi-1') }));
    expect(await workItems.markBuildStarted('wi-1', 'b-1', new Date(0))).toEqual({ kind: 'updated' });
    expect(handler.requests.filter((sent) => sent.target.endsWith('.UpdateItem'))).toHaveLength(2);
    // Another build is still refused: the read-back only accepts what was asked.
    expect(await workItems.markBuildStarted('wi-1', 'b-2', new Date(0))).toMatchObject({ kind: 'conflict' });
  });

  it('finishing an item whose first answer was lost is still finished, so the build does not fail', async () => {
    const { documents, workItems } = await withLostFirstUpdate();
    await documents.send(new PutCommand({ TableName: names.workItems, Item: readyItem('wi-1', { status: 'in-progress', buildId: 'b-1' }) }));
    expect(await workItems.markFinished('wi-1', 'b-1', 'done', new Date(0))).toEqual({ kind: 'updated' });
    expect(await workItems.get('wi-1')).toMatchObject({ status: 'done' });
  });
});
