import { describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../../../../infrastructure/lib/config/load-config.js';
import { backoffDelays, budgetProblems, DEFAULT_ROLLBACK_TIMING, worstCaseSeconds } from '../../../../../src/pipeline/domain/rollback/rollback-timing.js';

describe('rollback timing', () => {
  it('fits the configured retries, waits and timeouts in 15 minutes, even if everything goes wrong', () => {
    expect(DEFAULT_ROLLBACK_TIMING.budgetSeconds).toBe(15 * 60);
    expect(worstCaseSeconds(DEFAULT_ROLLBACK_TIMING)).toBeLessThanOrEqual(15 * 60);
    // Pinned so a change to the numbers is a deliberate one: (40 + 14) + 360 + 15, twice, plus 30.
    expect(worstCaseSeconds(DEFAULT_ROLLBACK_TIMING)).toBe(888);
    const longestBake = Math.max(...loadDeploymentConfig().environments.map((environment) => environment.healthCheck.durationSeconds));
    expect(budgetProblems(DEFAULT_ROLLBACK_TIMING, longestBake)).toEqual([]);
  });

  it('backs off exponentially up to the cap', () => {
    expect(backoffDelays(DEFAULT_ROLLBACK_TIMING)).toEqual([2, 4, 8]);
    expect(backoffDelays({ ...DEFAULT_ROLLBACK_TIMING, callAttempts: 7 })).toEqual([2, 4, 8, 16, 16, 16]);
  });

  it.each([
    ['a full-rollback wait that overruns the budget', { ...DEFAULT_ROLLBACK_TIMING, fullTimeoutSeconds: 600 }, 300, 'more than the 900 s budget'],
    ['a stage wait too short for the health check it re-runs', DEFAULT_ROLLBACK_TIMING, 600, 'stageTimeoutSeconds (360 s) leaves no time'],
    ['a full-rollback wait too short for the health checks its stage rollbacks re-run', { ...DEFAULT_ROLLBACK_TIMING, fullTimeoutSeconds: 200 }, 300, 'fullTimeoutSeconds (200 s) leaves no time'],
    ['no attempt at all', { ...DEFAULT_ROLLBACK_TIMING, callAttempts: 0 }, 60, 'callAttempts must be at least 1'],
  ])('refuses %s', (_why, timing, bake, problem) => {
    expect(budgetProblems(timing, bake).join('\n')).toContain(problem);
  });
});
