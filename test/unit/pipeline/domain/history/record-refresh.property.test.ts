/**
 * The recorder leaves a stored record as it is when `leavesRecordUnchanged` says so. Checked with
 * the fold itself as the oracle: for any history, any part of it already folded into the stored
 * record, and any facts arriving later, a fact the rule lets through never changes what the full
 * fold says — so skipping its refresh leaves the final record right.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldDeployments } from '../../../../../src/pipeline/domain/history/deployment-fold.js';
import { absorbableBy, leavesRecordUnchanged, storedRecordTraits } from '../../../../../src/pipeline/domain/history/record-refresh.js';
import type { EnvironmentName, HistoryEvent } from '../../../../../src/pipeline/domain/history-model.js';
import { pipelineHistory } from './arbitraries.js';

const STAGE_PREFIX: Readonly<Record<EnvironmentName, string>> = { test: 'Test', staging: 'Staging', production: 'Production' };

/** A fact the recorder might be asked to record: an action of an environment stage or a health-check fact, at or near the time of one of `events`. */
function candidate(events: readonly HistoryEvent[]): fc.Arbitrary<HistoryEvent> {
  const executionId = events[0]?.executionId ?? 'exec-1';
  const times = events.filter((event) => event.executionId === executionId).map((event) => Date.parse(event.at));
  const base = fc.record({
    environment: fc.constantFrom<EnvironmentName>('test', 'staging', 'production'),
    second: fc.tuple(fc.nat({ max: times.length - 1 }), fc.integer({ min: -3, max: 30 })).map(([index, offset]) => (times[index] ?? 0) / 1000 + offset),
    serial: fc.integer({ min: 0, max: 999 }),
  });
  const at = (second: number): string => new Date(second * 1000).toISOString();
  const action = fc.tuple(base, fc.constantFrom<'STARTED' | 'SUCCEEDED' | 'FAILED' | 'ABANDONED'>('STARTED', 'SUCCEEDED', 'FAILED', 'ABANDONED')).map(([{ environment, second, serial }, state]): HistoryEvent => ({
    kind: 'action', pipelineName: 'kiro', executionId, eventId: `extra-${serial}`, at: at(second), stage: `${STAGE_PREFIX[environment]}-Application`, action: 'HealthCheck', environment, state,
  }));
  const health = fc.tuple(base, fc.constantFrom<'check' | 'pass' | 'fail' | 'pause-for-review'>('check', 'check', 'pass', 'fail', 'pause-for-review')).map(([{ environment, second, serial }, verdict]): HistoryEvent => ({
    kind: 'health-check', pipelineName: 'kiro', executionId, eventId: `extra-${serial}`, at: at(second), environment, verdict, reason: verdict, alarms: [],
  }));
  return fc.oneof(action, health);
}

const scene = pipelineHistory.chain((history) =>
  fc.record({
    history: fc.constant(history),
    // Which facts the stored record was folded from (the rest arrive later, in any order).
    folded: fc.array(fc.boolean(), { minLength: history.events.length, maxLength: history.events.length }),
    extra: candidate(history.events),
  }),
);

describe('leavesRecordUnchanged (the recorder skipping a refresh)', () => {
  it('never lets through a fact that would change the record of the full history', () => {
    let skipped = 0;
    fc.assert(
      fc.property(scene, ({ history, folded, extra }) => {
        const environment = absorbableBy(extra);
        if (environment === undefined) return;
        const before = history.events.filter((_, index) => folded[index] === true);
        const stored = foldDeployments(before).find((record) => record.executionId === extra.executionId && record.environment === environment);
        if (stored === undefined || !leavesRecordUnchanged(extra, storedRecordTraits(stored, before))) return;
        skipped += 1;
        // Whatever else arrives, the record with the fact equals the record without it.
        const withFact = foldDeployments([...history.events, extra]).find((record) => record.executionId === extra.executionId && record.environment === environment);
        const without = foldDeployments(history.events).find((record) => record.executionId === extra.executionId && record.environment === environment);
        expect(withFact).toEqual(without);
      }),
      { numRuns: 400 },
    );
    // The property says something only if the rule let facts through.
    expect(skipped).toBeGreaterThan(20);
  });

  it('needs the timeline for a failed action, a decision, and a fact earlier than the record', () => {
    const stored = { startedAt: '2026-01-05T09:10:00.000Z', healthVerdicts: 1 };
    const base = { pipelineName: 'kiro', executionId: 'e', eventId: 'x', at: '2026-01-05T09:11:00.000Z' } as const;
    const action = { ...base, kind: 'action', stage: 'Test-Application', action: 'Deploy', environment: 'test' } as const;
    expect(leavesRecordUnchanged({ ...action, state: 'SUCCEEDED' }, stored)).toBe(true);
    expect(leavesRecordUnchanged({ ...action, state: 'FAILED' }, stored)).toBe(false);
    expect(leavesRecordUnchanged({ ...action, state: 'SUCCEEDED', at: '2026-01-05T09:09:59.000Z' }, stored)).toBe(false);
    expect(leavesRecordUnchanged({ ...action, state: 'SUCCEEDED', commit: { id: 'abc' } }, stored)).toBe(false);
    const poll = { ...base, kind: 'health-check', environment: 'test', reason: 'r', alarms: [] } as const;
    expect(leavesRecordUnchanged({ ...poll, verdict: 'check' }, stored)).toBe(true);
    expect(leavesRecordUnchanged({ ...poll, verdict: 'check' }, { ...stored, healthVerdicts: 0 })).toBe(false);
    expect(leavesRecordUnchanged({ ...poll, verdict: 'pass' }, stored)).toBe(false);
  });
});
