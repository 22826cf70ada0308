import { setTimeout as realSleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { EventDrivenClock } from '../../support/event-driven-clock.js';

const START = new Date('2026-03-02T10:00:00Z');

/** Milliseconds on the clock since START. */
function elapsed(clock: EventDrivenClock): number {
  return clock.now().getTime() - START.getTime();
}

describe('EventDrivenClock', () => {
  it('wakes sleepers in the order they are due, ties in the order they were set, each at its own instant', async () => {
    const clock = new EventDrivenClock(START);
    const woke: string[] = [];
    const sleeper = (name: string, ms: number) => clock.sleep(ms).then(() => woke.push(`${name}@${String(elapsed(clock))}`));
    const all = Promise.all([sleeper('late', 500_000), sleeper('first', 15_000), sleeper('tie-a', 30_000), sleeper('tie-b', 30_000)]);
    await clock.runUntil(all);
    expect(woke).toEqual(['first@15000', 'tie-a@30000', 'tie-b@30000', 'late@500000']);
  });

  it('lets a sleeper that wakes set the next timer from its own instant (a wait loop)', async () => {
    const clock = new EventDrivenClock(START);
    const loop = async (): Promise<number> => {
      let rounds = 0;
      while (elapsed(clock) < 1_500_000) {
        await clock.sleep(15_000);
        rounds += 1;
      }
      return rounds;
    };
    expect(await clock.runUntil(loop())).toBe(100);
    expect(elapsed(clock)).toBe(1_500_000);
  });

  it('keeps time still while busy work runs, however long it takes in real time', async () => {
    const clock = new EventDrivenClock(START);
    const seen: number[] = [];
    const work = async (): Promise<void> => {
      await clock.sleep(10_000);
      await clock.busyWhile(async () => {
        await realSleep(30);
        seen.push(elapsed(clock));
      });
      // The deadline armed before could not overtake the busy step.
      seen.push(elapsed(clock));
    };
    const deadline = clock.sleep(10_001).then(() => seen.push(-1));
    await clock.runUntil(Promise.all([work(), deadline]));
    expect(seen).toEqual([10_000, 10_000, -1]);
  });

  it('drops the timer of an aborted sleep, which ends at once', async () => {
    const clock = new EventDrivenClock(START);
    const stop = new AbortController();
    const aborted = clock.sleep(60_000, stop.signal);
    expect(clock.pendingTimers).toBe(1);
    stop.abort();
    await aborted;
    expect(clock.pendingTimers).toBe(0);
    expect(elapsed(clock)).toBe(0);
  });

  it('refuses to wait forever: nothing runs, no timer is set, and the awaited work has not ended', async () => {
    const clock = new EventDrivenClock(START);
    await expect(clock.runUntil(new Promise<void>(() => undefined))).rejects.toThrow(/wait forever/);
  });
});
