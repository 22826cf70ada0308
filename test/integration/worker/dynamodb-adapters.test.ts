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
    expect((await workItems.listReady(10)).map((item) => item.workItemId)).toEqual(['old', 'new']);
    expect((await workItems.listReady(1)).map((item) => item.workItemId)).toEqual(['old']);
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
      ['a', 'b', 'c'].map((owner) => runPollCycle({ workItems, locks, builds, clock }, { maxBuildsPerCycle: 10, leaseSeconds: 600 }, `poller-${owner}`)),
    );
    expect(builds.started.map((build) => build.workItemId).sort()).toEqual(['wi-0', 'wi-1', 'wi-2', 'wi-3']);
    const outcomes = reports.flatMap((report) => report.outcomes);
    expect(outcomes.filter((outcome) => outcome.kind === 'started')).toHaveLength(4);
    expect(outcomes.every((outcome) => ['started', 'contended', 'stale'].includes(outcome.kind))).toBe(true);
    for (let index = 0; index < 4; index += 1) expect((await workItems.get(`wi-${index}`))?.status).toBe('build-started');
  });
});
