/**
 * The rehearsal clock's idle skipping (IdleSkipping): with nothing in flight it jumps to the
 * earliest sleep's end instead of waiting for it, and it keeps every rule the rehearsal relies on:
 * sleeps end in the order of their ends, never before them, never while something is in flight or
 * the clock is held, and never past the horizon. Real timers and the real performance.now(): the
 * point is what happens in real time (a 30-minute sleep at 240x would take 7.5 s without skipping).
 */
import { describe, expect, it } from 'vitest';
import { CompressedClock, type IdleSkipping } from '../../../src/local/compressed-clock.js';

const START = new Date('2026-11-01T00:00:00Z');
const MINUTE = 60_000;
const SKIPPING: IdleSkipping = { quietMs: 2 };

function skippingClock(skipping: IdleSkipping = SKIPPING): CompressedClock {
  return new CompressedClock(240, START, undefined, undefined, skipping);
}

/** Resolves after `milliseconds` of real time. */
function realDelay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** Elapsed rehearsal minutes since START. */
function minutesSinceStart(clock: CompressedClock): number {
  return (clock.now().getTime() - START.getTime()) / MINUTE;
}

describe('CompressedClock skipping idle time', () => {
  it('ends a 30-minute sleep (the unanswered review) at once when nothing is in flight, at its end', async () => {
    const clock = skippingClock();
    const started = performance.now();
    await clock.sleep(30 * MINUTE);
    // 7.5 s of real time at 240x without skipping.
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(minutesSinceStart(clock)).toBeGreaterThanOrEqual(30);
    expect(minutesSinceStart(clock)).toBeLessThan(31);
    expect(clock.skipped()).toBeGreaterThan(25 * MINUTE);
  });

  it.each([
    ['sleeps begun together end in the order of their ends, ties in the order they began (a bake polled every 30 s and its 5-minute end)', [5, 0.5, 10, 5, 1], ['0.5', '1', '5#0', '5#3', '10']],
    ['a timeout and a poll: the poll that ends first always runs first', [30, 10], ['10', '30']],
  ])('%s', async (_why, minutes, expected) => {
    const clock = skippingClock();
    const woken: { label: string; at: number }[] = [];
    const labels = minutes.map((value, index) => (minutes.filter((other) => other === value).length > 1 ? `${value}#${index}` : String(value)));
    await Promise.all(minutes.map((value, index) => clock.sleep(value * MINUTE).then(() => woken.push({ label: labels[index] as string, at: minutesSinceStart(clock) }))));
    expect(woken.map((wake) => wake.label)).toEqual(expected);
    // No sleep ends before its end.
    for (const wake of woken) expect(wake.at).toBeGreaterThanOrEqual(Number.parseFloat(wake.label));
  });

  it('does not skip while something is in flight: an answer in flight beats a 30-minute timeout', async () => {
    const clock = skippingClock();
    clock.active(true);
    let timedOut = false;
    const timeout = clock.sleep(30 * MINUTE).then(() => {
      timedOut = true;
    });
    await realDelay(100);
    expect(timedOut).toBe(false);
    // About 100 ms at 240x (24 s of rehearsal time, more on a loaded machine), not a skip to 30 minutes.
    expect(minutesSinceStart(clock)).toBeLessThan(25);
    clock.active(false);
    await timeout;
    expect(minutesSinceStart(clock)).toBeGreaterThanOrEqual(30);
  });

  it('does not skip while held (a call waits on the emulator)', async () => {
    const clock = skippingClock();
    clock.hold(true);
    let ended = false;
    const sleeping = clock.sleep(30 * MINUTE).then(() => {
      ended = true;
    });
    await realDelay(100);
    expect(ended).toBe(false);
    expect(minutesSinceStart(clock)).toBeLessThan(1);
    clock.hold(false);
    await sleeping;
    expect(minutesSinceStart(clock)).toBeGreaterThanOrEqual(30);
  });

  it('does not skip while things keep starting and ending within the quiet time', async () => {
    // A quiet time far longer than the 5 ms between two changes, even on a loaded machine.
    const clock = skippingClock({ quietMs: 250 });
    let ended = false;
    const sleeping = clock.sleep(30 * MINUTE).then(() => {
      ended = true;
    });
    for (let step = 0; step < 10; step += 1) {
      clock.active(true);
      clock.active(false);
      await realDelay(5);
    }
    expect(ended).toBe(false);
    await sleeping;
  });

  it('never skips past the horizon: a sleep beyond it waits in real time', async () => {
    const clock = skippingClock({ quietMs: 2, horizon: new Date(START.getTime() + 10 * MINUTE) });
    await clock.sleep(5 * MINUTE);
    let ended = false;
    void clock.sleep(20 * MINUTE, AbortSignal.timeout(300)).then(() => {
      ended = true;
    });
    await realDelay(100);
    expect(ended).toBe(false);
    // Not skipped to the 25-minute end (real time alone moves it about 24 s per 100 ms).
    expect(minutesSinceStart(clock)).toBeLessThan(20);
    // A sleep begun later that ends inside the horizon is skipped to as usual.
    const started = performance.now();
    await clock.sleep(2 * MINUTE);
    expect(performance.now() - started).toBeLessThan(400);
  });

  it('ends an aborted sleep at once and forgets it: the next skip goes to the sleep still pending', async () => {
    const clock = skippingClock();
    const abort = new AbortController();
    const aborted = clock.sleep(1 * MINUTE, abort.signal);
    abort.abort();
    await aborted;
    await clock.sleep(10 * MINUTE);
    expect(minutesSinceStart(clock)).toBeGreaterThanOrEqual(10);
  });

  it('skips nothing without IdleSkipping: idle time is waited for in real time, as before', async () => {
    const clock = new CompressedClock(240, START);
    let ended = false;
    void clock.sleep(30 * MINUTE, AbortSignal.timeout(300)).then(() => {
      ended = true;
    });
    await realDelay(100);
    expect(ended).toBe(false);
    expect(clock.skipped()).toBe(0);
  });
});
