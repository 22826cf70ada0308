import fc from 'fast-check';
import type { AlarmReading, WatchedAlarm } from '../../../../../src/pipeline/domain/health/health-verdict.js';
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
