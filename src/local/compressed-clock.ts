import type { Clock } from '../shared/clock.js';

/**
 * A clock whose time runs `factor` times faster than the wall clock, from a given start. The
 * rehearsal gives it to every piece of runtime code and divides the state machines' own waits and
 * timeouts by the same factor, so a 60-second bake takes one real second without any code path
 * knowing it is rehearsed.
 */
export class CompressedClock implements Clock {
  private readonly realStart: number;
  private readonly wallStart: number;

  constructor(
    /** How many rehearsed milliseconds pass per real millisecond. */
    readonly factor: number,
    private readonly start: Date,
    private readonly realNow: () => number = () => performance.now(),
    wallNow: () => number = () => Date.now(),
  ) {
    if (!(factor >= 1)) throw new RangeError(`The time compression factor must be at least 1, got ${factor}.`);
    this.realStart = realNow();
    this.wallStart = wallNow();
  }

  /** The rehearsal time of a wall-clock instant (epoch ms), such as the time SQS received a message. */
  fromWallClock(epochMilliseconds: number): Date {
    return new Date(this.start.getTime() + (epochMilliseconds - this.wallStart) * this.factor);
  }

  now(): Date {
    return new Date(this.start.getTime() + (this.realNow() - this.realStart) * this.factor);
  }

  sleep(milliseconds: number): Promise<void> {
    return new Promise((resolve) => {
      setTimeout(resolve, milliseconds / this.factor);
    });
  }
}
