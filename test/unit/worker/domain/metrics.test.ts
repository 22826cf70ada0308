import { afterEach, describe, expect, it, vi } from 'vitest';
import { PowertoolsPollMetrics } from '../../../../src/worker/adapters/powertools-poll-metrics.js';
import { LOCK_CONTENTION_METRIC, WORKER_METRIC_NAMESPACE, pollCycleMetrics } from '../../../../src/worker/domain/metrics.js';
import { metricsWithoutDefaultDimensions } from '../../../../src/shared/telemetry/powertools-metrics.js';
import { ManualClock } from '../fakes.js';

/** What Powertools writes to stdout while `act` runs, one parsed JSON document per line. */
async function stdoutDocuments(act: () => Promise<void>): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  await act();
  vi.restoreAllMocks();
  return written.join('').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('poll cycle metrics (the decision: what is measured)', () => {
  it('names every count, zeros included, so an alarm sees 0 rather than missing data', () => {
    expect(pollCycleMetrics({ started: 2, contended: 3, stale: 1, rejected: 0, startFailures: 0, recordConflicts: 0, transientFaults: 4 })).toEqual([
      { name: 'BuildsStarted', value: 2 },
      { name: LOCK_CONTENTION_METRIC, value: 3 },
      { name: 'StaleCandidates', value: 1 },
      { name: 'RejectedItems', value: 0 },
      { name: 'BuildStartFailures', value: 0 },
      { name: 'RecordConflicts', value: 0 },
      { name: 'TransientFaults', value: 4 },
    ]);
  });
});

describe('PowertoolsPollMetrics (the adapter: Powertools writes the embedded metric format)', () => {
  it('writes one EMF line per cycle: every count a Count metric under [StackPrefix] only (no service dimension), counting lost lock races', async () => {
    const adapter = new PowertoolsPollMetrics(metricsWithoutDefaultDimensions(WORKER_METRIC_NAMESPACE, 'test'), 'KiroWorker-Test', new ManualClock());
    const documents = await stdoutDocuments(() =>
      adapter.publish({ owner: 'p', outcomes: [{ kind: 'contended', workItemId: 'a' }, { kind: 'contended', workItemId: 'b' }, { kind: 'started', workItemId: 'c', buildId: 'x' }] }),
    );
    // The same document the hand-written EMF produced before Powertools, so the lock-contention alarm keeps its metric.
    expect(documents).toEqual([
      {
        _aws: {
          Timestamp: new Date('2026-03-02T10:00:00.000Z').getTime(),
          CloudWatchMetrics: [
            {
              Namespace: 'KiroWorker',
              Dimensions: [['StackPrefix']],
              Metrics: ['BuildsStarted', 'LockContention', 'StaleCandidates', 'RejectedItems', 'BuildStartFailures', 'RecordConflicts', 'TransientFaults'].map((Name) => ({ Name, Unit: 'Count' })),
            },
          ],
        },
        StackPrefix: 'KiroWorker-Test',
        BuildsStarted: 1,
        LockContention: 2,
        StaleCandidates: 0,
        RejectedItems: 0,
        BuildStartFailures: 0,
        RecordConflicts: 0,
        TransientFaults: 0,
      },
    ]);
  });
});
