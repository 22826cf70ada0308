import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideHealth, STATE_RANK, VERDICT_RANK } from '../../../../../src/pipeline/domain/health/health-verdict.js';
import { alarmPicture, alarmState } from './arbitraries.js';

const timing = fc.record({ elapsedSeconds: fc.integer({ min: 0, max: 600 }), durationSeconds: fc.integer({ min: 1, max: 600 }) });

describe('decideHealth properties', () => {
  it('a worse alarm state never gives a better verdict', () => {
    fc.assert(
      fc.property(alarmPicture, timing, fc.nat(), alarmState, (picture, time, index, worse) => {
        const position = index % picture.readings.length;
        const current = picture.readings[position]!;
        fc.pre(STATE_RANK[worse] > STATE_RANK[current.state]);
        const worsened = picture.readings.map((reading, i) => (i === position ? { ...reading, state: worse } : reading));
        const before = decideHealth({ ...picture, ...time });
        const after = decideHealth({ watched: picture.watched, readings: worsened, ...time });
        expect(VERDICT_RANK[after.kind]).toBeGreaterThanOrEqual(VERDICT_RANK[before.kind]);
      }),
    );
  });

  it('the verdict never depends on the order alarms are listed in', () => {
    fc.assert(
      fc.property(alarmPicture, timing, fc.infiniteStream(fc.nat()), (picture, time, seeds) => {
        const shuffle = <T>(items: T[]): T[] => {
          const copy = [...items];
          const random = seeds[Symbol.iterator]();
          for (let i = copy.length - 1; i > 0; i -= 1) {
            const j = random.next().value % (i + 1);
            [copy[i], copy[j]] = [copy[j]!, copy[i]!];
          }
          return copy;
        };
        const original = decideHealth({ ...picture, ...time });
        const shuffled = decideHealth({ watched: shuffle(picture.watched), readings: shuffle(picture.readings), ...time });
        expect(shuffled).toEqual(original);
      }),
    );
  });

  it('never passes while any watched alarm is not OK (unless a reviewer approved it)', () => {
    fc.assert(
      fc.property(alarmPicture, timing, (picture, time) => {
        const verdict = decideHealth({ ...picture, ...time });
        if (verdict.kind === 'pass') expect(picture.readings.every((reading) => reading.state === 'OK')).toBe(true);
      }),
    );
  });
});
