import type { Clock } from '../shared/clock.js';

/** One stretch of real time during which the clock ran at one rate. */
interface Segment {
  /** Real time (performance.now() ms) the segment began. */
  readonly real: number;
  /** Rehearsal time (epoch ms) at that moment. */
  readonly rehearsal: number;
  /** Rehearsal ms per real ms: the factor, or 0 while held. */
  readonly rate: number;
}

/**
 * A clock whose time runs `factor` times faster than the wall clock, from a given start. The
 * rehearsal gives it to every piece of runtime code and divides the state machines' own waits and
 * timeouts by the same factor, so a 60-second bake takes one real second without any code path
 * knowing it is rehearsed.
 *
 * It can be held: while the local emulator is behind (a queue of calls waiting for it), rehearsal
 * time stands still, so an emulator slowed down by a busy machine does not show up as minutes of
 * rehearsal time that AWS would never take. A sleep ends when rehearsal time has reached its end,
 * however long the clock was held.
 */
export class CompressedClock implements Clock {
  private readonly wallStart: number;
  private readonly realStart: number;
  private readonly segments: Segment[];
  /** How many times the clock has been held: a sleep that saw no hold trusts its timer. */
  private holds = 0;

  constructor(
    /** How many rehearsed milliseconds pass per real millisecond. */
    readonly factor: number,
    start: Date,
    private readonly realNow: () => number = () => performance.now(),
    wallNow: () => number = () => Date.now(),
  ) {
    if (!(factor >= 1)) throw new RangeError(`The time compression factor must be at least 1, got ${factor}.`);
    this.realStart = realNow();
    this.wallStart = wallNow();
    this.segments = [{ real: this.realStart, rehearsal: start.getTime(), rate: factor }];
  }

  private at(real: number): number {
    let segment = this.segments[this.segments.length - 1] as Segment;
    for (let index = this.segments.length - 1; index > 0 && segment.real > real; index -= 1) segment = this.segments[index - 1] as Segment;
    return segment.rehearsal + (real - segment.real) * segment.rate;
  }

  /** Holds rehearsal time still (`true`) or lets it run again (`false`). */
  hold(held: boolean): void {
    const rate = held ? 0 : this.factor;
    const last = this.segments[this.segments.length - 1] as Segment;
    if (last.rate === rate) return;
    const real = this.realNow();
    this.segments.push({ real, rehearsal: this.at(real), rate });
    if (held) this.holds += 1;
  }

  private held(): boolean {
    return (this.segments[this.segments.length - 1] as Segment).rate === 0;
  }

  /** The rehearsal time of a wall-clock instant (epoch ms), such as the time SQS received a message. */
  fromWallClock(epochMilliseconds: number): Date {
    return new Date(this.at(this.realStart + (epochMilliseconds - this.wallStart)));
  }

  now(): Date {
    return new Date(this.at(this.realNow()));
  }

  /** Waits `milliseconds` of rehearsal time; an aborted `signal` ends the wait at once, so no timer outlives what it timed. */
  sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted === true) {
        resolve();
        return;
      }
      const end = this.now().getTime() + milliseconds;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stop = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const done = (): void => {
        signal?.removeEventListener('abort', stop);
        resolve();
      };
      const arm = (remaining: number): void => {
        const seen = this.holds;
        timer = setTimeout(() => {
          // Unheld all along, the timer measured the rehearsal time exactly; after a hold, re-armed for what is left.
          const left = end - this.now().getTime();
          if ((this.holds === seen && !this.held()) || left <= 0) done();
          else arm(left);
        }, Math.max(this.held() ? 5 : 0, remaining / this.factor));
      };
      signal?.addEventListener('abort', stop, { once: true });
      arm(milliseconds);
    });
  }
}
