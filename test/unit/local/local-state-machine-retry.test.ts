/**
 * A `Retry`'s intervals on the rehearsal clock (runLocally with a clock): the wait before each retried
 * attempt is rehearsal time, so a skipping clock sees it and neither waits it in real time nor jumps
 * over it to a later sleep. Real timers and a real skipping CompressedClock: the point is the order
 * of events in rehearsal time and what that costs in real time.
 */
import { describe, expect, it } from 'vitest';
import { CompressedClock } from '../../../src/local/compressed-clock.js';
import { runLocally, type AslDefinition } from '../../../src/local/local-state-machine.js';
import { TaskFailure, TaskTokenBroker } from '../../../src/local/task-token-broker.js';

const FN = 'arn:aws:lambda:us-east-1:111111111111:function:step';
const START = new Date('2026-11-01T00:00:00Z');
/** 10 s, then 20 s, then 40 s: the rollback step's retrier (rollback.ts). */
const RETRIER = { ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 10, BackoffRate: 2, MaxAttempts: 3 };

function skippingClock(): CompressedClock {
  return new CompressedClock(240, START, undefined, undefined, { quietMs: 2 });
}

function secondsSinceStart(clock: CompressedClock): number {
  return (clock.now().getTime() - START.getTime()) / 1000;
}

/**
 * The rehearsal seconds in `actual` are those expected: each gap since the previous one (the first
 * since the start) is at least the gap expected, never shorter, and at most a little longer, since
 * JavaScript between two events runs at 240x (a few real milliseconds are a second or so).
 */
function expectSeconds(actual: readonly number[], expected: readonly number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((second, index) => {
    const gap = second - (actual[index - 1] ?? 0);
    const expectedGap = (expected[index] ?? 0) - (expected[index - 1] ?? 0);
    expect(gap).toBeGreaterThanOrEqual(expectedGap);
    expect(gap).toBeLessThan(expectedGap + SLACK_SECONDS);
  });
}

/** Rehearsal seconds of unskipped JavaScript tolerated between two events (20 ms of real time at 240x). */
const SLACK_SECONDS = 5;

/** One Lambda task with `retriers`, caught by `Caught` (States.ALL), else `Done`. */
function stepWith(retriers: readonly unknown[]): AslDefinition {
  return {
    StartAt: 'Step',
    States: {
      Step: { Type: 'Task', Resource: FN, Retry: retriers, Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Caught' }], End: true } as never,
      Caught: { Type: 'Pass', End: true },
    },
  };
}

/** A handler that fails with each of `errors` in turn, then succeeds, recording the rehearsal second of every attempt. */
function failing(clock: CompressedClock, errors: readonly (string | undefined)[]): { attempts: number[]; lambda: (payload: unknown) => Promise<unknown> } {
  const attempts: number[] = [];
  return {
    attempts,
    lambda: (payload) => {
      attempts.push(secondsSinceStart(clock));
      const error = errors[attempts.length - 1];
      return error === undefined ? Promise.resolve({ ...(payload as object), ok: true }) : Promise.reject(new TaskFailure(error, `attempt ${attempts.length} failed`));
    },
  };
}

describe('runLocally with a clock: Retry intervals on the clock', () => {
  it('retries at +10 s and +30 s rehearsal time, before a 60-s sleep beside it, without waiting real seconds', { timeout: 5_000 }, async () => {
    const clock = skippingClock();
    const events: string[] = [];
    const { attempts, lambda } = failing(clock, ['Lease.Busy', 'Lease.Busy']);
    let sleepEnded = Number.NaN;
    const beside = clock.sleep(60_000).then(() => {
      sleepEnded = secondsSinceStart(clock);
      events.push('sleep ended');
    });
    const started = performance.now();
    const result = await runLocally({
      definition: stepWith([RETRIER]),
      input: { n: 1 },
      lambdaFor: () => (payload) => lambda(payload).finally(() => events.push('attempt')),
      broker: new TaskTokenBroker(),
      factor: 240,
      clock,
    });
    await beside;
    expect(result).toEqual({ kind: 'succeeded', output: { n: 1, ok: true } });
    expect(events).toEqual(['attempt', 'attempt', 'attempt', 'sleep ended']);
    expectSeconds(attempts, [0, 10, 30]);
    // The sleep began at the start: it ends at +60 s, after the retries, not earlier because of them.
    expect(sleepEnded).toBeGreaterThanOrEqual(60);
    expect(sleepEnded).toBeLessThan(60 + SLACK_SECONDS);
    // Without the clock the library waited 10 + 20 real seconds.
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('gives up after MaxAttempts retries and lets Catch take the last error, at +10, +30 and +70 s', { timeout: 5_000 }, async () => {
    const clock = skippingClock();
    const { attempts, lambda } = failing(clock, ['E1', 'E2', 'E3', 'E4']);
    const result = await runLocally({ definition: stepWith([RETRIER]), input: {}, lambdaFor: () => lambda, broker: new TaskTokenBroker(), factor: 240, clock });
    expectSeconds(attempts, [0, 10, 30, 70]);
    expect(result).toEqual({ kind: 'succeeded', output: { error: { Error: 'E4', Cause: 'attempt 4 failed' } } });
  });

  it('uses the first retrier whose ErrorEquals matches, each with its own count, capped by MaxDelaySeconds', { timeout: 5_000 }, async () => {
    const clock = skippingClock();
    const { attempts, lambda } = failing(clock, ['Throttled', 'Throttled', 'Other', 'Throttled']);
    const retriers = [
      { ErrorEquals: ['Throttled'], IntervalSeconds: 5, BackoffRate: 10, MaxDelaySeconds: 20, MaxAttempts: 5 },
      { ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 1 },
    ];
    const result = await runLocally({ definition: stepWith(retriers), input: {}, lambdaFor: () => lambda, broker: new TaskTokenBroker(), factor: 240, clock });
    // Throttled: 5 s, then 50 s capped to 20 s; Other: the States.ALL retrier's 1 s; Throttled again: its third, 500 s capped to 20 s.
    expectSeconds(attempts, [0, 5, 25, 26, 46]);
    expect(result.kind).toBe('succeeded');
  });

  it('does not retry States.Timeout on States.TaskFailed, and times each attempt of a callback task anew', { timeout: 5_000 }, async () => {
    const clock = skippingClock();
    const broker = new TaskTokenBroker();
    const issued: number[] = [];
    const definition: AslDefinition = {
      StartAt: 'Review',
      States: {
        Review: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: { FunctionName: FN, Payload: { 'taskToken.$': '$$.Task.Token' } },
          TimeoutSeconds: 30,
          Retry: [RETRIER, { ErrorEquals: ['States.Timeout'], IntervalSeconds: 5, MaxAttempts: 1 }],
          End: true,
        },
      },
    };
    const result = await runLocally({ definition, input: {}, lambdaFor: () => () => (issued.push(secondsSinceStart(clock)), Promise.resolve({})), broker, factor: 240, clock });
    // Timed out at 30 s, retried 5 s later by the States.Timeout retrier, timed out again 30 s after that.
    expectSeconds(issued, [0, 35]);
    expect(result).toMatchObject({ kind: 'failed', error: 'States.Timeout' });
    expectSeconds([secondsSinceStart(clock)], [65]);
  });

  it('starts the counts afresh each time the state is entered again, as a new state execution', { timeout: 5_000 }, async () => {
    const clock = skippingClock();
    // Three failures and a success, twice: the second entry gets all three retries again.
    const { attempts, lambda } = failing(clock, ['E', 'E', 'E', undefined, 'E', 'E', 'E']);
    const definition: AslDefinition = {
      StartAt: 'Step',
      States: {
        Step: { Type: 'Task', Resource: FN, Retry: [RETRIER], Next: 'Again' },
        Again: { Type: 'Choice', Choices: [{ Variable: '$.second', IsPresent: true, Next: 'Done' }], Default: 'Mark' } as never,
        Mark: { Type: 'Pass', Result: true, ResultPath: '$.second', Next: 'Step' } as never,
        Done: { Type: 'Succeed' },
      },
    };
    const result = await runLocally({ definition, input: {}, lambdaFor: () => lambda, broker: new TaskTokenBroker(), factor: 240, clock });
    expectSeconds(attempts, [0, 10, 30, 70, 70, 80, 100, 140]);
    expect(result).toEqual({ kind: 'succeeded', output: { ok: true, second: true } });
  });

  it('refuses a Retry on a state it cannot time on the clock (Parallel, Map) rather than wait it in real time', async () => {
    const definition: AslDefinition = {
      StartAt: 'Fan',
      States: { Fan: { Type: 'Parallel', Branches: [], Retry: [RETRIER], End: true } as never },
    };
    await expect(runLocally({ definition, input: {}, lambdaFor: () => undefined, broker: new TaskTokenBroker(), factor: 240, clock: skippingClock() })).rejects.toThrow(/times retries of Task states only/);
  });

  it('makes no attempt after the execution was stopped during a retry interval', async () => {
    let attempts = 0;
    const sleeping: number[] = [];
    // A clock whose sleeps end only when aborted: the stop comes while the retry waits.
    const clock = { sleep: (milliseconds: number, signal?: AbortSignal) => new Promise<void>((resolve) => (sleeping.push(milliseconds), signal?.addEventListener('abort', () => { resolve(); }, { once: true }))) };
    const stop = new AbortController();
    const running = runLocally({
      definition: stepWith([RETRIER]),
      input: {},
      lambdaFor: () => () => ((attempts += 1), Promise.reject(new TaskFailure('Lease.Busy', 'busy'))),
      broker: new TaskTokenBroker(),
      factor: 240,
      clock,
      signal: stop.signal,
    });
    await expect.poll(() => sleeping).toEqual([10_000]);
    stop.abort();
    expect(await running).toMatchObject({ kind: 'failed', error: 'States.Aborted' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(attempts).toBe(1);
  });
});
