/**
 * Time for tests that follow a rollback of many minutes in milliseconds: the code under test sleeps
 * and time jumps ahead at once (as the rollback fixtures' ManualClock does), while the local
 * CodePipeline's actions wait on the same time line through {@link SteppedClock.pipelineClock}. An
 * action that takes ten minutes therefore ends after ten minutes of the orchestrator's sleeps, never
 * earlier: every pipeline timer due within a jump fires, in order, before the jump returns.
 */
import type { Clock } from '../../../src/shared/clock.js';
import type { PipelineClock } from '../../../src/local/codepipeline/local-codepipeline.js';

interface Timer {
  readonly at: number;
  readonly order: number;
  readonly wake: () => void;
}

/** Lets every continuation of a timer that just fired run (they are promise chains, no I/O). */
function drain(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A clock whose sleeps jump ahead; the pipeline's sleeps wait for those jumps. */
export class SteppedClock implements Clock {
  /** Every sleep of the code under test, in order (milliseconds). */
  readonly sleeps: number[] = [];
  private current: number;
  private timers: Timer[] = [];
  private order = 0;

  constructor(start: number = Date.parse('2026-03-02T10:00:00Z')) {
    this.current = start;
  }

  now(): Date {
    return new Date(this.current);
  }

  /** The code under test sleeps: time jumps ahead, and the pipeline actions due meanwhile end first. */
  async sleep(milliseconds: number): Promise<void> {
    this.sleeps.push(milliseconds);
    await this.advance(milliseconds);
  }

  /** Moves time ahead, waking each pipeline timer due on the way at its own instant. */
  async advance(milliseconds: number): Promise<void> {
    const end = this.current + milliseconds;
    for (;;) {
      const due = this.timers.filter((timer) => timer.at <= end).sort((a, b) => a.at - b.at || a.order - b.order)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      this.current = Math.max(this.current, due.at);
      due.wake();
      await drain();
    }
    this.current = end;
    await drain();
  }

  /** Pipeline timers still waiting (an action running, an action timeout armed). */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** The local CodePipeline's view: a sleep ends once time has reached its end, or when its signal aborts. */
  readonly pipelineClock: PipelineClock = {
    now: () => this.now(),
    sleep: (milliseconds: number, signal?: AbortSignal) =>
      new Promise<void>((resolve) => {
        if (signal?.aborted === true) {
          resolve();
          return;
        }
        const timer: Timer = {
          at: this.current + milliseconds,
          order: (this.order += 1),
          wake: () => {
            signal?.removeEventListener('abort', abort);
            resolve();
          },
        };
        const abort = (): void => {
          this.timers = this.timers.filter((candidate) => candidate !== timer);
          resolve();
        };
        signal?.addEventListener('abort', abort, { once: true });
        this.timers.push(timer);
      }),
  };
}
