import fc from 'fast-check';
import type { AlarmReading, FiredCriticalAlarm, HealthCheckInput, WatchedAlarm } from '../../../../../src/pipeline/domain/health/health-verdict.js';
import type { AlarmStateValue } from '../../../../../src/pipeline/domain/history-model.js';

/** Shared generators for health-monitor properties. */
export const alarmState: fc.Arbitrary<AlarmStateValue> = fc.constantFrom('OK', 'INSUFFICIENT_DATA', 'ALARM', 'MISSING');

/** A set of watched alarms with unique names, each with a reading. */
export const alarmPicture: fc.Arbitrary<{ watched: WatchedAlarm[]; readings: AlarmReading[] }> = fc
  .uniqueArray(fc.record({ name: fc.stringMatching(/^[a-z]{1,8}$/), severity: fc.constantFrom<'critical' | 'warning'>('critical', 'warning'), state: alarmState }), {
    minLength: 1,
    maxLength: 6,
    selector: (alarm) => alarm.name,
  })
  .map((alarms) => ({
    watched: alarms.map(({ name, severity }) => ({ name, severity })),
    readings: alarms.map(({ name, state }) => ({ name, state })),
  }));

/** Where the bake stands; the last moment of the bake (elapsed = duration) is generated on purpose. */
export const bakeTiming: fc.Arbitrary<{ elapsedSeconds: number; durationSeconds: number }> = fc.oneof(
  fc.record({ elapsedSeconds: fc.integer({ min: 0, max: 600 }), durationSeconds: fc.integer({ min: 1, max: 600 }) }),
  fc.integer({ min: 1, max: 600 }).map((duration) => ({ elapsedSeconds: duration, durationSeconds: duration })),
);

/**
 * A whole health-check input: alarms and timing, plus what a reviewer already approved during the
 * bake (`acknowledged`, some of the watched alarms and sometimes a name nobody watches) and the
 * critical alarms EventBridge saw fire between polls (`firedCritical`, any watched alarm, critical
 * or not, and sometimes an unknown one), so that "unless a reviewer approved" is explored.
 */
export const healthCheckInput: fc.Arbitrary<HealthCheckInput> = fc
  .tuple(alarmPicture, bakeTiming)
  .chain(([picture, timing]) => {
    const names = picture.watched.map((alarm) => alarm.name);
    const someNames = fc.subarray([...names, 'unwatched']);
    const fired: fc.Arbitrary<FiredCriticalAlarm[]> = fc.oneof(
      { weight: 2, arbitrary: fc.constant<FiredCriticalAlarm[]>([]) },
      { weight: 1, arbitrary: someNames.map((chosen) => chosen.map((name) => ({ name, at: '2026-01-01T00:00:00.000Z' }))) },
    );
    return fc.record({ acknowledged: someNames, firedCritical: fired }).map(({ acknowledged, firedCritical }) => ({ ...picture, ...timing, acknowledged, firedCritical }));
  });
