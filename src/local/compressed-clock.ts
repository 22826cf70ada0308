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

/** One pending sleep: woken by its timer, or at once when a skip reaches its end. */
interface Sleeper {
  /** Rehearsal time (epoch ms) at which it ends. */
  readonly end: number;
  /** Order of the call, so sleeps ending at the same instant wake in the order they began. */
  readonly order: number;
  timer?: ReturnType<typeof setTimeout>;
  readonly wake: () => void;
}

/**
 * When the clock may skip idle time: nothing in flight (see {@link CompressedClock.active}), not
 * held, and that for `quietMs` of real time and two turns of the event loop.
 */
export interface IdleSkipping {
  /** Real milliseconds of quiet before a skip: what a continuation may take to start its next call unseen. */
  readonly quietMs: number;
  /** Rehearsal time a skip never carries the clock past (the closed deployment window's span). @default no limit */
  readonly horizon?: Date;
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
 *
 * With {@link IdleSkipping} it also skips idle time, as a discrete-event simulation does: when
 * nothing is in flight (no call, no action's stand-in at work; the owner says so with
 * {@link active}) and only sleeps are pending, no sleeper can be woken by anything but time, so
 * rehearsal time jumps to the earliest sleep's end instead of waiting for it in real time. Sleeps
 * still end in the order of their ends, and a timeout still fires only when nothing answered first.
 */
export class CompressedClock implements Clock {
  private readonly wallStart: number;
  private readonly realStart: number;
  private readonly segments: Segment[];
  /** How many times the clock has been held: a sleep that saw no hold trusts its timer. */
  private holds = 0;
  private readonly sleepers = new Set<Sleeper>();
  private order = 0;
  private inFlight = false;
  /** Bumped whenever something happens that a pending skip must not overlook. */
  private epoch = 0;
  private checking = false;
  private skippedMs = 0;
  private skips = 0;

  constructor(
    /** How many rehearsed milliseconds pass per real millisecond. */
    readonly factor: number,
    start: Date,
    private readonly realNow: () => number = () => performance.now(),
    wallNow: () => number = () => Date.now(),
    /** Skips idle time when given. @default idle time is waited for in real time */
    private readonly skipping?: IdleSkipping,
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
    this.epoch += 1;
    this.considerSkip();
  }

  /**
   * Tells whether anything is in flight (a call, an action's stand-in at work): rehearsal time runs
   * meanwhile, but idle time is not skipped, since what is in flight may wake a sleeper or start one.
   */
  active(inFlight: boolean): void {
    if (this.inFlight === inFlight) return;
    this.inFlight = inFlight;
    this.epoch += 1;
    this.considerSkip();
  }

  /** Rehearsal milliseconds skipped so far (idle time not waited for); {@link skipCount} says in how many skips. */
  skipped(): number {
    return this.skippedMs;
  }

  /** How many times idle time was skipped so far: each cost a quiet time of real time. */
  skipCount(): number {
    return this.skips;
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
      const finish = (): void => {
        clearTimeout(sleeper.timer);
        this.sleepers.delete(sleeper);
        signal?.removeEventListener('abort', finish);
        resolve();
      };
      const sleeper: Sleeper = { end: this.now().getTime() + milliseconds, order: (this.order += 1), wake: finish };
      signal?.addEventListener('abort', finish, { once: true });
      this.sleepers.add(sleeper);
      this.arm(sleeper);
      this.epoch += 1;
      this.considerSkip();
    });
  }

  /** Sets the sleeper's real timer for the rehearsal time it has left. */
  private arm(sleeper: Sleeper): void {
    const seen = this.holds;
    clearTimeout(sleeper.timer);
    const remaining = sleeper.end - this.now().getTime();
    sleeper.timer = setTimeout(() => {
      // Unheld all along, the timer measured the rehearsal time exactly; after a hold, re-armed for what is left.
      if ((this.holds === seen && !this.held()) || sleeper.end - this.now().getTime() <= 0) sleeper.wake();
      else this.arm(sleeper);
    }, Math.max(this.held() ? 5 : 0, remaining / this.factor));
  }

  /**
   * Starts a quiet check when a skip could be due: sleepers pending, nothing in flight, not held.
   * The check skips only if nothing happened meanwhile (the epoch did not move).
   */
  private considerSkip(): void {
    const skipping = this.skipping;
    if (skipping === undefined || this.checking || this.sleepers.size === 0 || this.inFlight || this.held()) return;
    this.checking = true;
    const epoch = this.epoch;
    setTimeout(() => {
      // Two more turns of the event loop: I/O already answered (a poll phase) runs its callbacks first.
      setImmediate(() => {
        setImmediate(() => {
          this.checking = false;
          // Past the horizon nothing is skipped: the next sleep begun (or a change) looks again.
          if (epoch === this.epoch && !this.inFlight && !this.held() && !this.skipToEarliest()) return;
          this.considerSkip();
        });
      });
    }, skipping.quietMs);
  }

  /**
   * Moves rehearsal time to the earliest sleep's end and wakes every sleep due then, earliest first;
   * answers false, and moves nothing, when that end is past the horizon.
   */
  private skipToEarliest(): boolean {
    const pending = [...this.sleepers].sort((a, b) => a.end - b.end || a.order - b.order);
    const earliest = pending[0];
    if (earliest === undefined) return true;
    const real = this.realNow();
    const now = this.at(real);
    const horizon = this.skipping?.horizon?.getTime() ?? Number.POSITIVE_INFINITY;
    if (earliest.end > now) {
      if (earliest.end > horizon) return false;
      this.segments.push({ real, rehearsal: earliest.end, rate: this.factor });
      this.skippedMs += earliest.end - now;
      this.skips += 1;
    }
    this.epoch += 1;
    const target = Math.max(now, earliest.end);
    for (const sleeper of pending) {
      if (sleeper.end <= target) sleeper.wake();
      else this.arm(sleeper);
    }
    return true;
  }
}
