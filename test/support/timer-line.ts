/**
 * The timers of a test clock on one time line: each sleep is a timer due at an instant, woken by the
 * clock when time reaches it, earliest first and, at the same instant, in the order they were set.
 * An aborted signal ends a sleep at once and drops its timer. The clocks built on it
 * (event-driven-clock.ts, local-pipeline/stepped-clock.ts) differ only in when they move time.
 */

interface Timer {
  readonly at: number;
  readonly order: number;
  readonly wake: () => void;
}

/** Lets every continuation that is already queued run (a macrotask turn: all microtasks before it are done). */
export function macrotaskTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class TimerLine {
  private timers: Timer[] = [];
  private order = 0;

  /** Resolves when the clock wakes the timer due `at`, or at once when `signal` is or becomes aborted (the timer is then dropped). */
  wait(at: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted === true) {
        resolve();
        return;
      }
      const abort = (): void => {
        this.timers = this.timers.filter((candidate) => candidate !== timer);
        resolve();
      };
      const timer: Timer = {
        at,
        order: (this.order += 1),
        wake: () => {
          signal?.removeEventListener('abort', abort);
          resolve();
        },
      };
      signal?.addEventListener('abort', abort, { once: true });
      this.timers.push(timer);
    });
  }

  /** Removes and answers the earliest timer due at or before `until` (ties in the order set), or undefined when none is. */
  takeEarliest(until: number = Number.POSITIVE_INFINITY): Pick<Timer, 'at' | 'wake'> | undefined {
    const due = this.timers.filter((timer) => timer.at <= until).sort((a, b) => a.at - b.at || a.order - b.order)[0];
    if (due !== undefined) this.timers = this.timers.filter((timer) => timer !== due);
    return due;
  }

  /** Timers still set. */
  get size(): number {
    return this.timers.length;
  }
}
