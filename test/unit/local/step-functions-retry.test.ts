/**
 * Step Functions' Retry rules for a Task state (decideRetry, withRetries), row by row; each row says
 * which rule of the error-handling page it pins.
 */
import { describe, expect, it } from 'vitest';
import { decideRetry, withRetries, type Retrier, type RetryDecision } from '../../../src/local/step-functions-retry.js';

const ROLLBACK_STEP: Retrier = { ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 10, MaxAttempts: 3, BackoffRate: 2 };
const retry = (retrier: number, seconds: number): RetryDecision => ({ kind: 'retry', retrier, delayMilliseconds: seconds * 1000 });
const GIVE_UP: RetryDecision = { kind: 'give-up' };

describe('decideRetry', () => {
  it.each<[string, readonly Retrier[], string, readonly number[], RetryDecision]>([
    ['the first retry waits IntervalSeconds', [ROLLBACK_STEP], 'Lease.Busy', [0], retry(0, 10)],
    ['each next one is multiplied by BackoffRate', [ROLLBACK_STEP], 'Lease.Busy', [1], retry(0, 20)],
    ['... and again', [ROLLBACK_STEP], 'Lease.Busy', [2], retry(0, 40)],
    ['after MaxAttempts retries the error goes on to Catch', [ROLLBACK_STEP], 'Lease.Busy', [3], GIVE_UP],
    ['MaxAttempts 0 never retries', [{ ErrorEquals: ['E'], MaxAttempts: 0 }], 'E', [0], GIVE_UP],
    ['defaults: 1 s, backoff 2, 3 attempts', [{ ErrorEquals: ['E'] }], 'E', [2], retry(0, 4)],
    ['defaults: no fourth retry', [{ ErrorEquals: ['E'] }], 'E', [3], GIVE_UP],
    ['MaxDelaySeconds caps the grown interval', [{ ErrorEquals: ['E'], IntervalSeconds: 10, BackoffRate: 3, MaxDelaySeconds: 25 }], 'E', [1], retry(0, 25)],
    ['JitterStrategy FULL: the rehearsal waits the computed interval, the longest AWS would', [{ ErrorEquals: ['E'], IntervalSeconds: 8, JitterStrategy: 'FULL' }], 'E', [1], retry(0, 16)],
    ['the first matching retrier decides, in the order written', [{ ErrorEquals: ['E'], IntervalSeconds: 5 }, { ErrorEquals: ['States.ALL'], IntervalSeconds: 1 }], 'E', [0, 0], retry(0, 5)],
    ['an exhausted first match does not fall through to a later retrier', [{ ErrorEquals: ['E'], MaxAttempts: 1 }, { ErrorEquals: ['States.ALL'] }], 'E', [1, 0], GIVE_UP],
    ['States.ALL (last) takes what no earlier retrier names', [{ ErrorEquals: ['E'] }, { ErrorEquals: ['States.ALL'], IntervalSeconds: 2 }], 'Other', [0, 0], retry(1, 2)],
    ['no matching retrier: on to Catch', [{ ErrorEquals: ['E'] }], 'Other', [0], GIVE_UP],
    ['States.TaskFailed matches any Task error ...', [ROLLBACK_STEP], 'Lambda.Unknown', [0], retry(0, 10)],
    ['... but not States.Timeout', [ROLLBACK_STEP], 'States.Timeout', [0], GIVE_UP],
    ['States.Timeout named or under States.ALL is retried', [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 3 }], 'States.Timeout', [0], retry(0, 3)],
    ['States.Runtime is never retried, not even by States.ALL', [{ ErrorEquals: ['States.ALL'] }], 'States.Runtime', [0], GIVE_UP],
    ['States.DataLimitExceeded is never retried', [{ ErrorEquals: ['States.ALL'] }], 'States.DataLimitExceeded', [0], GIVE_UP],
  ])('%s', (_why, retriers, error, retried, expected) => {
    expect(decideRetry(retriers, error, retried)).toEqual(expected);
  });
});

describe('withRetries', () => {
  it('waits each decided delay before the next attempt and rethrows the last error when it gives up', async () => {
    const waits: number[] = [];
    let attempts = 0;
    const failing = (): Promise<never> => {
      attempts += 1;
      return Promise.reject(Object.assign(new Error(`attempt ${attempts}`), { name: 'Lease.Busy' }));
    };
    await expect(withRetries([ROLLBACK_STEP], failing, (milliseconds) => (waits.push(milliseconds), Promise.resolve()))).rejects.toThrow('attempt 4');
    expect(waits).toEqual([10_000, 20_000, 40_000]);
    expect(attempts).toBe(4);
  });

  it('answers the first success without waiting', async () => {
    const waits: number[] = [];
    expect(await withRetries([ROLLBACK_STEP], () => Promise.resolve('done'), (milliseconds) => (waits.push(milliseconds), Promise.resolve()))).toBe('done');
    expect(waits).toEqual([]);
  });
});
