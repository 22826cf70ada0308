/**
 * Time for tests that follow a long run of timed steps (a rollback state machine looping for half an
 * hour of pipeline time) in milliseconds of real time, without compressing it: every sleep, the
 * state machine's Wait states and timeouts as much as the local CodePipeline's actions, is a timer on
 * one time line, and time moves only when nothing else can happen. {@link EventDrivenClock.runUntil}
 * lets the work in flight finish (the Lambda steps, with their HTTP calls to the local endpoints,
 * declared with {@link EventDrivenClock.busyWhile}), then jumps to the earliest timer and wakes it,
 * one timer at a time, in the order they are due (ties in the order they were set).
 *
 * Unlike the rehearsal's CompressedClock, no real millisecond ever counts as rehearsal time, so a
 * slow machine changes nothing about what the test sees; unlike the stepped clock of the local
 * pipeline harness, no sleeper moves time by itself, so a timeout armed at the start (the state
 * machine's own TimeoutSeconds) waits its turn like any other timer.
 *
 * It relies on what runs between two timers being promise chains and declared busy work: a
 * continuation that waits on a real timer or on I/O outside {@link EventDrivenClock.busyWhile}
 * would be overtaken by the next jump.
 */
import type { Clock } from '../../src/shared/clock.js';
import { macrotaskTurn, TimerLine } from './timer-line.js';

/** A clock whose sleeps all wait on one time line that {@link runUntil} moves forward. */
export class EventDrivenClock implements Clock {
  private current: number;
  private readonly timers = new TimerLine();
  private busy = 0;
  private idle: Promise<void> = Promise.resolve();
  private becameIdle: () => void = () => undefined;

  constructor(start: Date) {
    this.current = start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  /** Waits until time reaches `milliseconds` from now; an aborted `signal` ends the wait at once and drops its timer. */
  sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
    return this.timers.wait(this.current + Math.max(0, milliseconds), signal);
  }

  /** Runs `work` (a Lambda step and the calls it makes) while time stands still. */
  async busyWhile<T>(work: () => Promise<T>): Promise<T> {
    if (this.busy === 0) this.idle = new Promise((resolve) => (this.becameIdle = resolve));
    this.busy += 1;
    try {
      return await work();
    } finally {
      this.busy -= 1;
      if (this.busy === 0) this.becameIdle();
    }
  }

  /** Timers still set. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /**
   * Moves time from timer to timer until `done` settles, and answers what it settled with. Throws
   * when nothing is running, no timer is set and `done` has not settled: it would wait forever.
   */
  async runUntil<T>(done: Promise<T>): Promise<T> {
    const state = { settled: false };
    const settle = (): void => {
      state.settled = true;
    };
    void done.then(settle, settle);
    for (;;) {
      await this.quiet();
      if (state.settled) return done;
      const next = this.timers.takeEarliest();
      if (next === undefined) throw new Error('Nothing runs and no timer is set, but the awaited work has not ended: it would wait forever.');
      this.current = Math.max(this.current, next.at);
      next.wake();
    }
  }

  /** Returns once no busy work runs and the continuations queued so far have run. */
  private async quiet(): Promise<void> {
    for (;;) {
      await macrotaskTurn();
      if (this.busy === 0) return;
      await this.idle;
    }
  }
}
