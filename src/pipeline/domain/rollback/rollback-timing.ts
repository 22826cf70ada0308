/**
 * The rollback's time budget (TR-6, TR-8: 15 minutes end to end). Every retry, wait and timeout
 * the orchestrator uses comes from one {@link RollbackTiming}; {@link worstCaseSeconds} adds them up
 * as if everything went wrong, and {@link budgetProblems} refuses a timing that could overrun.
 */

/** The configured retries, waits and timeouts of one rollback. All in seconds. */
export interface RollbackTiming {
  /** The whole rollback, trigger to final record (15 minutes). */
  readonly budgetSeconds: number;
  /** Kept free at the end for the final record and notice, before the Lambda's own 900 s limit. */
  readonly reserveSeconds: number;
  /** Attempts per CodePipeline call that may answer ConflictException or throttling. */
  readonly callAttempts: number;
  /** Longest a single CodePipeline call may take (the SDK request timeout). */
  readonly callTimeoutSeconds: number;
  /** First backoff wait; each next wait doubles, up to `maxDelaySeconds`. */
  readonly baseDelaySeconds: number;
  readonly maxDelaySeconds: number;
  /** How often the orchestrator looks at a running rollback execution. */
  readonly pollIntervalSeconds: number;
  /** Longest wait for the stage rollback (redeploy plus the health check it re-runs). */
  readonly stageTimeoutSeconds: number;
  /**
   * Longest wait for the full rollback's stage rollbacks, which run in parallel (every affected
   * environment, each validated by its health check). A pipeline restart, the fallback when no stage
   * target exists, may use whatever remains of the budget and is cut off at the deadline.
   */
  readonly fullTimeoutSeconds: number;
  /**
   * How long automation follows one rollback before it records it as failed and escalates: the
   * lease's lifetime and, less the reserve, the deadline every wait is cut at. The deployed rollback
   * state machine sets it from the longest modelled path (`followSeconds` in rollback-duration.ts), so
   * a stage rollback that failed followed by a full rollback, or a whole pipeline restart, is followed
   * to its end instead of being cut at one Lambda invocation's 900 s.
   */
  readonly followSeconds: number;
}

/**
 * The retries, poll interval, budget and reserve the orchestrator uses everywhere. Its two waits are
 * only the defaults of in-process callers (tests, the CLI, the rehearsal, whose stages are short):
 * the deployed Lambda replaces them with the durations modelled from the configuration
 * (rollback-duration.ts, `timingFromEnvironment` in the rollback handler), because a real stage
 * rollback re-runs a deployment, the health check and the suite and takes longer than 360 s.
 */
export const DEFAULT_ROLLBACK_TIMING: RollbackTiming = {
  budgetSeconds: 900,
  reserveSeconds: 30,
  callAttempts: 4,
  callTimeoutSeconds: 10,
  baseDelaySeconds: 2,
  maxDelaySeconds: 16,
  pollIntervalSeconds: 15,
  stageTimeoutSeconds: 360,
  fullTimeoutSeconds: 360,
  followSeconds: 900,
};

/** The waits between attempts of one call: base, 2·base, 4·base, ... capped at `maxDelaySeconds`. */
export function backoffDelays(timing: RollbackTiming): number[] {
  return Array.from({ length: Math.max(0, timing.callAttempts - 1) }, (_, attempt) =>
    Math.min(timing.maxDelaySeconds, timing.baseDelaySeconds * 2 ** attempt),
  );
}

/** Worst case of one retried call: every attempt times out and every backoff wait is taken. */
export function worstCaseCallSeconds(timing: RollbackTiming): number {
  return timing.callAttempts * timing.callTimeoutSeconds + backoffDelays(timing).reduce((sum, delay) => sum + delay, 0);
}

/**
 * Worst case of a whole rollback: a retried stage rollback call, its full wait plus one poll
 * overshoot, then the same for the full rollback, plus the reserve for the final record.
 */
export function worstCaseSeconds(timing: RollbackTiming): number {
  const stage = worstCaseCallSeconds(timing) + timing.stageTimeoutSeconds + timing.pollIntervalSeconds;
  const full = worstCaseCallSeconds(timing) + timing.fullTimeoutSeconds + timing.pollIntervalSeconds;
  return stage + full + timing.reserveSeconds;
}

/**
 * What is wrong with a timing, as fixes; empty when it fits. `validationBakeSeconds` is the longest
 * health-check bake a rollback re-runs: the stage wait must leave room for it.
 */
export function budgetProblems(timing: RollbackTiming, validationBakeSeconds: number): string[] {
  const problems: string[] = [];
  const worst = worstCaseSeconds(timing);
  if (worst > timing.budgetSeconds) {
    problems.push(
      `the worst case adds up to ${worst} s, more than the ${timing.budgetSeconds} s budget: shorten stageTimeoutSeconds or fullTimeoutSeconds, or retry less`,
    );
  }
  if (timing.stageTimeoutSeconds <= validationBakeSeconds) {
    problems.push(
      `stageTimeoutSeconds (${timing.stageTimeoutSeconds} s) leaves no time to redeploy before the ${validationBakeSeconds} s health check it re-runs: shorten healthCheck.durationSeconds or lengthen the stage wait`,
    );
  }
  if (timing.fullTimeoutSeconds <= validationBakeSeconds) {
    problems.push(
      `fullTimeoutSeconds (${timing.fullTimeoutSeconds} s) leaves no time to redeploy before the ${validationBakeSeconds} s health check each stage rollback re-runs: shorten healthCheck.durationSeconds or lengthen the full wait`,
    );
  }
  if (timing.callAttempts < 1 || timing.pollIntervalSeconds <= 0 || timing.baseDelaySeconds < 0) {
    problems.push('callAttempts must be at least 1, pollIntervalSeconds positive and baseDelaySeconds not negative');
  }
  return problems;
}
