/**
 * Step Functions' `Retry` rules for a Task state, as pure decisions, so the local runner can wait a
 * retrier's interval on the rehearsal clock instead of the state machine library's real timer
 * (docs/rehearsal.md, "Retry intervals"; the rules are those of
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
 */

/** One retrier of a state's `Retry` field, as the Amazon States Language writes it. */
export interface Retrier {
  readonly ErrorEquals: readonly string[];
  /** Seconds before the first retry. @default 1 */
  readonly IntervalSeconds?: number;
  /** Retries at most; 0 never retries. @default 3 */
  readonly MaxAttempts?: number;
  /** What each next interval is multiplied by. @default 2 */
  readonly BackoffRate?: number;
  /** The longest an interval may grow to. @default no limit */
  readonly MaxDelaySeconds?: number;
  /** `FULL` draws each interval at random below the computed one. @default NONE */
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

/** What to do with a failed attempt: retry after a delay (counted on the retrier), or hand the error on to `Catch`. */
export type RetryDecision = { readonly kind: 'retry'; readonly retrier: number; readonly delayMilliseconds: number } | { readonly kind: 'give-up' };

const DEFAULT_INTERVAL_SECONDS = 1;
const DEFAULT_MAX_ATTEMPTS = 3;
const DEFAULT_BACKOFF_RATE = 2;

/** Errors no retrier matches, not even `States.ALL`: the execution fails. */
const TERMINAL_ERRORS: ReadonlySet<string> = new Set(['States.Runtime', 'States.DataLimitExceeded']);

/** Whether a retrier's error name matches a Task state's error. */
function matches(retrierError: string, error: string): boolean {
  if (retrierError === error) return true;
  if (retrierError === 'States.ALL') return true;
  // On a Task state, States.TaskFailed matches any error but States.Timeout.
  return retrierError === 'States.TaskFailed' && error !== 'States.Timeout';
}

/**
 * Decides a Task state's failed attempt: the first retrier (in the order written) whose
 * `ErrorEquals` matches `error` decides alone. With `retried[i]` retries already made on retrier i
 * in this state execution, it retries after IntervalSeconds × BackoffRate^retried[i], capped at
 * MaxDelaySeconds, unless it has made MaxAttempts retries: then the error goes on to `Catch`,
 * later retriers are not consulted. `JitterStrategy: FULL` is not drawn: the delay is the computed
 * one, the longest AWS would wait, so a rehearsal is repeatable and never luckier than AWS can be.
 */
export function decideRetry(retriers: readonly Retrier[], error: string, retried: readonly number[]): RetryDecision {
  if (TERMINAL_ERRORS.has(error)) return { kind: 'give-up' };
  const index = retriers.findIndex((retrier) => retrier.ErrorEquals.some((name) => matches(name, error)));
  const retrier = retriers[index];
  if (retrier === undefined) return { kind: 'give-up' };
  const count = retried[index] ?? 0;
  if (count >= (retrier.MaxAttempts ?? DEFAULT_MAX_ATTEMPTS)) return { kind: 'give-up' };
  const computed = (retrier.IntervalSeconds ?? DEFAULT_INTERVAL_SECONDS) * (retrier.BackoffRate ?? DEFAULT_BACKOFF_RATE) ** count;
  const seconds = retrier.MaxDelaySeconds === undefined ? computed : Math.min(computed, retrier.MaxDelaySeconds);
  return { kind: 'retry', retrier: index, delayMilliseconds: seconds * 1000 };
}

/**
 * Runs `attempt` until it succeeds or {@link decideRetry} gives up, waiting each retry's delay with
 * `wait`; the counts are this call's own, so each entry into the state starts them afresh, as a new
 * state execution does on AWS. The last attempt's error is what it rethrows.
 */
export async function withRetries<T>(retriers: readonly Retrier[], attempt: () => Promise<T>, wait: (milliseconds: number) => Promise<void>): Promise<T> {
  const retried = retriers.map(() => 0);
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      const decision = decideRetry(retriers, error instanceof Error ? error.name : 'Error', retried);
      if (decision.kind === 'give-up') throw error;
      retried[decision.retrier] = (retried[decision.retrier] ?? 0) + 1;
      await wait(decision.delayMilliseconds);
    }
  }
}
