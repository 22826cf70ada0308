/**
 * Time for tests that follow a rollback of many minutes in milliseconds: the code under test sleeps
 * and time jumps ahead at once (as the rollback fixtures' ManualClock does), while the local
 * CodePipeline's actions wait on the same time line through {@link SteppedClock.pipelineClock}. An
 * action that takes ten minutes therefore ends after ten minutes of the orchestrator's sleeps, never
 * earlier: every pipeline timer due within a jump fires, in order, before the jump returns.
 */
import type { Clock } from '../../../src/shared/clock.js';
import type { PipelineClock } from '../../../src/local/codepipeline/local-codepipeline.js';
import { macrotaskTurn, TimerLine } from '../timer-line.js';

/** A clock whose sleeps jump ahead; the pipeline's sleeps wait for those jumps. */
export class SteppedClock implements Clock {
  /** Every sleep of the code under test, in order (milliseconds). */
  readonly sleeps: number[] = [];
  private current: number;
  private readonly timers = new TimerLine();

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
      const due = this.timers.takeEarliest(end);
      if (due === undefined) break;
      this.current = Math.max(this.current, due.at);
      due.wake();
      await macrotaskTurn();
    }
    this.current = end;
    await macrotaskTurn();
  }

  /** Pipeline timers still waiting (an action running, an action timeout armed). */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** The local CodePipeline's view: a sleep ends once time has reached its end, or when its signal aborts. */
  readonly pipelineClock: PipelineClock = {
    now: () => this.now(),
    sleep: (milliseconds: number, signal?: AbortSignal) => this.timers.wait(this.current + milliseconds, signal),
  };
}
