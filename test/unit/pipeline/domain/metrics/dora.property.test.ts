import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeploymentRecord } from '../../../../../src/pipeline/domain/history-model.js';
import { computeDora, failureRate } from '../../../../../src/pipeline/domain/metrics/dora.js';

const WINDOW = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-01-31T00:00:00Z') };
const DAY = 86_400_000;

const record: fc.Arbitrary<DeploymentRecord> = fc
  .record({
    startOffset: fc.integer({ min: 0, max: 29 * DAY }),
    durationMs: fc.integer({ min: 0, max: 3 * 3600_000 }),
    commitAgeMs: fc.integer({ min: -3600_000, max: 10 * DAY }),
    status: fc.constantFrom('succeeded', 'failed', 'rolled-back', 'in-progress', 'stopped'),
    health: fc.constantFrom('passed', 'failed', 'pending', 'paused'),
    isRollback: fc.boolean(),
    executionId: fc.uuid(),
  })
  .map(({ startOffset, durationMs, commitAgeMs, status, health, isRollback, executionId }) => {
    const started = WINDOW.from.getTime() + startOffset;
    return {
      pipelineName: 'kiro',
      executionId,
      environment: 'production',
      commit: { id: 'a'.repeat(40), committedAt: new Date(started - commitAgeMs).toISOString() },
      status,
      health,
      startedAt: new Date(started).toISOString(),
      ...(status === 'in-progress' ? {} : { finishedAt: new Date(started + durationMs).toISOString() }),
      isRollback,
    };
  });

describe('DORA arithmetic (properties)', () => {
  it('rates stay within 0 and 1', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 30 }), (records) => {
        const { changeFailureRate } = computeDora(records, WINDOW);
        if (changeFailureRate !== undefined) {
          expect(changeFailureRate).toBeGreaterThanOrEqual(0);
          expect(changeFailureRate).toBeLessThanOrEqual(1);
        }
      }),
    );
  });

  it('adding a success never raises the failure rate', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 30 }), record, (records, extra) => {
        const success = { ...extra, status: 'succeeded' as const, isRollback: false };
        const before = failureRate(records) ?? 0;
        expect(failureRate([...records, success])).toBeLessThanOrEqual(before);
      }),
    );
  });

  it('lead time and time to restore are never negative, even with a commit clock ahead of AWS', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 30 }), (records) => {
        const measures = computeDora(records, WINDOW);
        expect(measures.leadTimeSeconds ?? 0).toBeGreaterThanOrEqual(0);
        expect(measures.timeToRestoreSeconds ?? 0).toBeGreaterThanOrEqual(0);
        expect(measures.deploymentsPerDay).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});

describe('computeDora', () => {
  it('measures a failure restored by the next healthy release', () => {
    const base = { pipelineName: 'kiro', environment: 'production' as const, isRollback: false, commit: { id: 'a'.repeat(40), committedAt: '2026-01-02T09:00:00Z' } };
    const measures = computeDora(
      [
        { ...base, executionId: 'e1', status: 'succeeded', health: 'passed', startedAt: '2026-01-02T10:00:00Z', finishedAt: '2026-01-02T11:00:00Z' },
        { ...base, executionId: 'e2', status: 'failed', health: 'failed', startedAt: '2026-01-03T10:00:00Z', finishedAt: '2026-01-03T10:30:00Z' },
        { ...base, executionId: 'e3', status: 'succeeded', health: 'passed', isRollback: true, startedAt: '2026-01-03T10:35:00Z', finishedAt: '2026-01-03T10:45:00Z' },
      ],
      WINDOW,
    );
    expect(measures).toEqual({ deploymentsPerDay: 1 / 30, leadTimeSeconds: 7200, timeToRestoreSeconds: 900, changeFailureRate: 0.5 });
  });

  it('leaves out measures it has no data for', () => {
    expect(computeDora([], WINDOW)).toEqual({ deploymentsPerDay: 0 });
  });
});
