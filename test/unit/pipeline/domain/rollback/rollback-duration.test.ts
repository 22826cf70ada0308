import { describe, expect, it } from 'vitest';
import {
  environmentRollbackDuration,
  followSeconds,
  orchestratorWaits,
  rollbackBudgetProblems,
  rollbackPaths,
  type EnvironmentRollbackInputs,
} from '../../../../../src/pipeline/domain/rollback/rollback-duration.js';
import { DEFAULT_ROLLBACK_TIMING } from '../../../../../src/pipeline/domain/rollback/rollback-timing.js';

const estimates = { applicationDeploySeconds: 240, infrastructureDeploySeconds: 300 };
const inputs = (environment: string, bakeSeconds: number, suiteTimeoutSeconds: number, onSuccessWaitSeconds = 0): EnvironmentRollbackInputs => ({
  environment,
  bakeSeconds,
  suiteTimeoutSeconds,
  onSuccessWaitSeconds,
});

describe('environmentRollbackDuration', () => {
  it.each([
    ['the suite is longer than the bake (staging e2e): the suite decides', inputs('staging', 300, 480), 240 + 480],
    ['the bake is longer than the suite: the bake decides', inputs('test', 600, 300), 240 + 600],
    ['an on-success alarm wait comes after both', inputs('test', 300, 300, 60), 240 + 300 + 60],
    ['no health monitor: only the suite and the alarm condition (the bake) remain', inputs('test', 0, 300, 300), 240 + 300 + 300],
  ])('%s', (_why, environment, applicationStageSeconds) => {
    expect(environmentRollbackDuration(environment, estimates)).toEqual({ environment: environment.environment, applicationStageSeconds, infrastructureStageSeconds: 300 });
  });
});

describe('orchestratorWaits', () => {
  it('waits as long as the slowest stage any step may roll back, never the old fixed 360 s', () => {
    const durations = [inputs('test', 300, 300), inputs('staging', 300, 480)].map((environment) => environmentRollbackDuration(environment, estimates));
    expect(orchestratorWaits(durations)).toEqual({ stageTimeoutSeconds: 720, fullTimeoutSeconds: 720 });
  });

  it('counts an infrastructure stage that takes longer than the application one', () => {
    expect(orchestratorWaits([environmentRollbackDuration(inputs('test', 60, 300), { applicationDeploySeconds: 60, infrastructureDeploySeconds: 500 })])).toEqual({ stageTimeoutSeconds: 500, fullTimeoutSeconds: 500 });
  });

  it('refuses an empty list instead of waiting -Infinity', () => {
    expect(() => orchestratorWaits([])).toThrow(RangeError);
  });
});

describe('rollbackPaths', () => {
  const durations = [inputs('test', 300, 300), inputs('staging', 300, 480), inputs('production', 300, 300)].map((environment) => environmentRollbackDuration(environment, estimates));
  const paths = rollbackPaths(durations, DEFAULT_ROLLBACK_TIMING, 4000);
  const byPath = Object.fromEntries(paths.map((path) => [path.path, path]));

  it('adds retried calls (54 s), the wait, one poll (15 s) and the reserve (30 s) to the stage path', () => {
    expect(byPath['stage']).toMatchObject({ seconds: 54 + 720 + 15 + 30, environment: 'staging', withinBudget: true });
  });

  it('lets the full rollback wait for its slowest parallel stage only', () => {
    expect(byPath['full']).toMatchObject({ seconds: 54 + 720 + 15 + 30, withinBudget: true });
  });

  it('shows that a stage rollback that ran and failed, then a full rollback, cannot fit in 15 minutes', () => {
    expect(byPath['stage-then-full']).toMatchObject({ seconds: 2 * (54 + 15) + 720 + 720 + 30, withinBudget: false });
  });

  it('counts the whole pipeline run for a restart', () => {
    expect(byPath['restart']).toMatchObject({ seconds: 54 + 4000 + 30, withinBudget: false });
  });
});

describe('followSeconds', () => {
  const durations = [inputs('test', 300, 300), inputs('staging', 300, 480)].map((environment) => environmentRollbackDuration(environment, estimates));

  it.each([
    ['a long restart: the stage rollback ran and failed, the full rollback was refused, then the whole pipeline ran', 4000, 54 + 720 + 15 + 54 + 54 + 4000 + 30],
    ['a restart shorter than a full rollback (a tiny pipeline): stage then full is the longest chain', 100, 2 * (54 + 15) + 720 + 720 + 30],
  ])('follows %s', (_why, pipelineRunSeconds, expected) => {
    expect(followSeconds(rollbackPaths(durations, DEFAULT_ROLLBACK_TIMING, pipelineRunSeconds), DEFAULT_ROLLBACK_TIMING)).toBe(expected);
  });

  it('is longer than one Lambda invocation for the example configuration: the waiting cannot live in the Lambda', () => {
    expect(followSeconds(rollbackPaths(durations, DEFAULT_ROLLBACK_TIMING, 4000), DEFAULT_ROLLBACK_TIMING)).toBeGreaterThan(900);
  });

  it('refuses paths without the ones it adds up', () => {
    expect(() => followSeconds([], DEFAULT_ROLLBACK_TIMING)).toThrow(RangeError);
  });
});

describe('rollbackBudgetProblems', () => {
  it('accepts the example configuration (staging: 12 minutes for its stage rollback)', () => {
    const all = [inputs('test', 300, 300), inputs('staging', 300, 480)];
    expect(rollbackBudgetProblems(all.map((environment) => environmentRollbackDuration(environment, estimates)), all, DEFAULT_ROLLBACK_TIMING)).toEqual([]);
  });

  it('refuses a bake that makes the stage rollback overrun, naming environment, keys, minutes and fix', () => {
    const all = [inputs('test', 300, 300), inputs('production', 900, 300)];
    const problems = rollbackBudgetProblems(all.map((environment) => environmentRollbackDuration(environment, estimates)), all, DEFAULT_ROLLBACK_TIMING);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.environment).toBe('production');
    expect(problems[0]?.message).toMatch(/environment "production".*healthCheck\.durationSeconds = 900 s.*postDeploymentTests.*19\.0 minutes in all.*within 15\.0 minutes and leaves 13\.3 for it; shorten healthCheck\.durationSeconds or choose a shorter postDeploymentTests suite/);
  });

  it('takes the tighter of the budget and Lambda\'s 900 s', () => {
    const all = [inputs('test', 600, 300)];
    const problems = rollbackBudgetProblems(all.map((environment) => environmentRollbackDuration(environment, estimates)), all, { ...DEFAULT_ROLLBACK_TIMING, budgetSeconds: 3600 });
    expect(problems).toHaveLength(1);
  });
});
