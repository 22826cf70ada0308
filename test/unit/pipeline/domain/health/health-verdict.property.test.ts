import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideHealth, STATE_RANK, VERDICT_RANK, type HealthCheckInput } from '../../../../../src/pipeline/domain/health/health-verdict.js';
import { alarmState, healthCheckInput } from './arbitraries.js';

/**
 * The rules of decideHealth's documentation, each stated as what a verdict implies about its input.
 * A reviewer's approval (`acknowledged`) excuses a warning alarm in ALARM and an alarm without data;
 * it never excuses a missing alarm or a critical one, and a critical alarm that fired between polls
 * rolls back even if it is OK again.
 */
function severityOf(input: HealthCheckInput, name: string): 'critical' | 'warning' | undefined {
  const severities = input.watched.filter((alarm) => alarm.name === name).map((alarm) => alarm.severity);
  return severities.includes('critical') ? 'critical' : severities[0];
}
function acknowledged(input: HealthCheckInput, name: string): boolean {
  return (input.acknowledged ?? []).includes(name);
}
function criticalFired(input: HealthCheckInput): boolean {
  return (input.firedCritical ?? []).some((fired) => severityOf(input, fired.name) === 'critical');
}
function mustRollBack(input: HealthCheckInput): boolean {
  return (
    criticalFired(input) ||
    input.readings.some((reading) => reading.state === 'MISSING' || (reading.state === 'ALARM' && severityOf(input, reading.name) === 'critical'))
  );
}

describe('decideHealth properties', () => {
  it('passes only after the whole bake, with every alarm OK or excused by a reviewer', () => {
    fc.assert(
      fc.property(healthCheckInput, (input) => {
        if (decideHealth(input).kind !== 'pass') return;
        expect(input.elapsedSeconds).toBeGreaterThanOrEqual(input.durationSeconds);
        for (const reading of input.readings) {
          const excused =
            acknowledged(input, reading.name) && (reading.state === 'INSUFFICIENT_DATA' || (reading.state === 'ALARM' && severityOf(input, reading.name) === 'warning'));
          expect(reading.state === 'OK' || excused).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps watching only while the bake runs', () => {
    fc.assert(
      fc.property(healthCheckInput, (input) => {
        if (decideHealth(input).kind === 'continue') expect(input.elapsedSeconds).toBeLessThan(input.durationSeconds);
      }),
      { numRuns: 300 },
    );
  });

  it('rolls back exactly when an alarm is missing or a critical alarm is (or was) in ALARM, whatever a reviewer approved', () => {
    fc.assert(
      fc.property(healthCheckInput, (input) => {
        expect(decideHealth(input).kind === 'rollback').toBe(mustRollBack(input));
      }),
      { numRuns: 300 },
    );
  });

  it('asks a person only about alarms nobody approved yet', () => {
    fc.assert(
      fc.property(healthCheckInput, (input) => {
        const verdict = decideHealth(input);
        if (verdict.kind !== 'pause-for-review') return;
        expect(verdict.reviewAlarms.length).toBeGreaterThan(0);
        for (const name of verdict.reviewAlarms) expect(acknowledged(input, name)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('an approval never makes the verdict worse, and withdrawing it never makes it better', () => {
    fc.assert(
      fc.property(healthCheckInput, (input) => {
        const without = decideHealth({ ...input, acknowledged: [] });
        expect(VERDICT_RANK[decideHealth(input).kind]).toBeLessThanOrEqual(VERDICT_RANK[without.kind]);
      }),
      { numRuns: 300 },
    );
  });

  it('a worse alarm state never gives a better verdict', () => {
    fc.assert(
      fc.property(healthCheckInput, fc.nat(), alarmState, (input, index, worse) => {
        const position = index % input.readings.length;
        const current = input.readings[position]!;
        fc.pre(STATE_RANK[worse] > STATE_RANK[current.state]);
        const worsened = input.readings.map((reading, i) => (i === position ? { ...reading, state: worse } : reading));
        expect(VERDICT_RANK[decideHealth({ ...input, readings: worsened }).kind]).toBeGreaterThanOrEqual(VERDICT_RANK[decideHealth(input).kind]);
      }),
    );
  });

  it('the verdict never depends on the order alarms, approvals or fired alarms are listed in', () => {
    fc.assert(
      fc.property(healthCheckInput, (input) => {
        const reversed = {
          ...input,
          watched: [...input.watched].reverse(),
          readings: [...input.readings].reverse(),
          acknowledged: [...(input.acknowledged ?? [])].reverse(),
          firedCritical: [...(input.firedCritical ?? [])].reverse(),
        };
        expect(decideHealth(reversed)).toEqual(decideHealth(input));
      }),
    );
  });

  it('the generator reaches the cases these rules are about (a pass excused by a reviewer, a fired critical alarm that is OK now)', () => {
    const samples = fc.sample(healthCheckInput, { numRuns: 2000, seed: 15 });
    const excusedPass = samples.some((input) => decideHealth(input).kind === 'pass' && input.readings.some((reading) => reading.state !== 'OK'));
    const firedButOk = samples.some((input) => criticalFired(input) && input.readings.every((reading) => reading.state === 'OK'));
    expect(excusedPass).toBe(true);
    expect(firedButOk).toBe(true);
  });
});
