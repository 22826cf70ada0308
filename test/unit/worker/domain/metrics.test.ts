import { describe, expect, it } from 'vitest';
import { EmfPollMetrics } from '../../../../src/worker/adapters/emf-poll-metrics.js';
import { LOCK_CONTENTION_METRIC, embeddedMetricDocument } from '../../../../src/worker/domain/metrics.js';
import { ManualClock } from '../fakes.js';

describe('embedded metric format', () => {
  it('declares every count as a Count metric with the stack prefix dimension', () => {
    const document = embeddedMetricDocument({ started: 2, contended: 3, stale: 1, rejected: 0, startFailures: 0, recordConflicts: 0, transientFaults: 4 }, 'KiroWorker-Test', 1_700_000_000_000);
    expect(document).toEqual({
      _aws: {
        Timestamp: 1_700_000_000_000,
        CloudWatchMetrics: [
          {
            Namespace: 'KiroWorker',
            Dimensions: [['StackPrefix']],
            Metrics: [
              { Name: 'BuildsStarted', Unit: 'Count' },
              { Name: 'LockContention', Unit: 'Count' },
              { Name: 'StaleCandidates', Unit: 'Count' },
              { Name: 'RejectedItems', Unit: 'Count' },
              { Name: 'BuildStartFailures', Unit: 'Count' },
              { Name: 'RecordConflicts', Unit: 'Count' },
              { Name: 'TransientFaults', Unit: 'Count' },
            ],
          },
        ],
      },
      StackPrefix: 'KiroWorker-Test',
      BuildsStarted: 2,
      LockContention: 3,
      StaleCandidates: 1,
      RejectedItems: 0,
      BuildStartFailures: 0,
      RecordConflicts: 0,
      TransientFaults: 4,
    });
  });

  it('writes one JSON line per cycle, counting lost lock races', async () => {
    const lines: string[] = [];
    const metrics = new EmfPollMetrics((line) => lines.push(line), 'KiroWorker-Test', new ManualClock());
    await metrics.publish({ owner: 'p', outcomes: [{ kind: 'contended', workItemId: 'a' }, { kind: 'contended', workItemId: 'b' }, { kind: 'started', workItemId: 'c', buildId: 'x' }] });
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0]!);
    expect(parsed[LOCK_CONTENTION_METRIC]).toBe(2);
    expect(parsed.BuildsStarted).toBe(1);
    expect(parsed._aws.Timestamp).toBe(new Date('2026-03-02T10:00:00.000Z').getTime());
  });
});
