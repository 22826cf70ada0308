import { describe, expect, it } from 'vitest';
import { decideHealth, type AlarmReading, type WatchedAlarm } from '../../../../../src/pipeline/domain/health/health-verdict.js';

const watched: WatchedAlarm[] = [
  { name: 'Env-poller-errors', severity: 'critical' },
  { name: 'Env-lock-contention', severity: 'warning' },
];
const ok: AlarmReading[] = watched.map((alarm) => ({ name: alarm.name, state: 'OK' }));
const set = (name: string, state: AlarmReading['state']): AlarmReading[] => ok.map((reading) => (reading.name === name ? { ...reading, state } : reading));

describe('decideHealth', () => {
  it.each([
    ['all OK before the end keeps watching', ok, 60, [], 'continue'],
    ['all OK at the end passes', ok, 300, [], 'pass'],
    ['a critical alarm in ALARM rolls back at once, even on the first poll', set('Env-poller-errors', 'ALARM'), 0, [], 'rollback'],
    ['a warning alarm in ALARM pauses for review', set('Env-lock-contention', 'ALARM'), 30, [], 'pause-for-review'],
    ['an approved warning does not pause the bake again', set('Env-lock-contention', 'ALARM'), 300, ['Env-lock-contention'], 'pass'],
    ['a missing alarm fails closed', ok.slice(0, 1), 30, [], 'rollback'],
    ['an alarm read as MISSING fails closed, whatever its severity', set('Env-lock-contention', 'MISSING'), 30, [], 'rollback'],
    ['insufficient data is tolerated while alarms warm up', set('Env-poller-errors', 'INSUFFICIENT_DATA'), 30, [], 'continue'],
    ['insufficient data at the end asks a person instead of passing', set('Env-poller-errors', 'INSUFFICIENT_DATA'), 300, [], 'pause-for-review'],
  ] as const)('%s', (_why, readings, elapsedSeconds, acknowledged, expected) => {
    expect(decideHealth({ watched, readings, elapsedSeconds, durationSeconds: 300, acknowledged }).kind).toBe(expected);
  });

  it('rolls back for a critical alarm that fired between polls even if it is OK again now', () => {
    const verdict = decideHealth({ watched, readings: ok, elapsedSeconds: 300, durationSeconds: 300, firedCritical: [{ name: 'Env-poller-errors', at: '2026-01-01T00:00:00Z' }] });
    expect(verdict).toMatchObject({ kind: 'rollback', reason: 'Critical alarm Env-poller-errors in ALARM.' });
  });

  it('ignores a fired alarm that is not a watched critical one', () => {
    const verdict = decideHealth({ watched, readings: ok, elapsedSeconds: 0, durationSeconds: 300, firedCritical: [{ name: 'Env-lock-contention', at: '2026-01-01T00:00:00Z' }] });
    expect(verdict.kind).toBe('continue');
  });

  it('fails closed when no alarm is configured', () => {
    expect(decideHealth({ watched: [], readings: [], elapsedSeconds: 300, durationSeconds: 300 }).kind).toBe('rollback');
  });

  it('names the unreadable alarm and what fired, so the notice says why', () => {
    expect(decideHealth({ watched, readings: ok.slice(0, 1), elapsedSeconds: 0, durationSeconds: 300 }).reason).toBe(
      'Alarm Env-lock-contention could not be read (missing or unreadable); failing closed.',
    );
    const paused = decideHealth({ watched, readings: set('Env-lock-contention', 'ALARM'), elapsedSeconds: 0, durationSeconds: 300 });
    expect(paused).toMatchObject({ kind: 'pause-for-review', reviewAlarms: ['Env-lock-contention'] });
  });

  it('treats an alarm listed as both critical and warning as critical (the safer reading)', () => {
    const both: WatchedAlarm[] = [...watched, { name: 'Env-lock-contention', severity: 'critical' }];
    expect(decideHealth({ watched: both, readings: set('Env-lock-contention', 'ALARM'), elapsedSeconds: 0, durationSeconds: 300 }).kind).toBe('rollback');
  });
});
