import { describe, expect, it } from 'vitest';
import { environmentsConfig } from '../../../infrastructure/lib/config/environments.js';
import { insideDeploymentWindow } from '../../../src/local/codepipeline/deployment-window.js';
import { deploymentWindowCron } from '../../../src/pipeline/domain/plan/stage-conditions.js';
import { closedProductionWindowConfig, REHEARSAL_TIME_FACTOR, WINDOW_CLOSED_FOR_HOURS } from '../../../src/rehearsal/rehearsal-config.js';
import { REHEARSAL_REAL_BUDGET_MS } from '../../../src/rehearsal/run-rehearsal.js';
import { validateConfig } from '../../../src/shared/config/validate.js';

const HOUR = 3_600_000;

describe('closedProductionWindowConfig: the closed-deployment-window scenario\'s configuration', () => {
  it.each([
    ['a start early in the day', '2026-12-07T03:17:00Z'],
    ['a start whose window wraps past midnight', '2026-12-07T15:40:00Z'],
    ['a start at the last hour of the day', '2026-12-07T23:59:59Z'],
  ])('gives production alone a window the schema accepts, closed for the whole rehearsal and open afterwards (%s)', (_why, start) => {
    const closedFrom = new Date(start);
    const config = validateConfig(closedProductionWindowConfig(environmentsConfig, closedFrom));
    const windows = Object.fromEntries(config.environments.map((environment) => [environment.name, environment.deploymentWindow]));
    expect(windows.test).toBeUndefined();
    expect(windows.staging).toBeUndefined();
    const window = windows.production;
    expect(window?.timeZone).toBe('UTC');
    // The rule the CDK code renders from it, evaluated as the local CodePipeline evaluates it.
    const cron = deploymentWindowCron(window?.cron ?? '');
    const rehearsalHours = (REHEARSAL_REAL_BUDGET_MS * REHEARSAL_TIME_FACTOR) / HOUR;
    expect(rehearsalHours).toBeLessThan(WINDOW_CLOSED_FOR_HOURS);
    for (let minutes = 0; minutes < WINDOW_CLOSED_FOR_HOURS * 60; minutes += 7) {
      expect(insideDeploymentWindow(cron, 'UTC', new Date(closedFrom.getTime() + minutes * 60_000))).toBe(false);
    }
    const opens = new Date(Math.ceil((closedFrom.getTime() + WINDOW_CLOSED_FOR_HOURS * HOUR) / HOUR) * HOUR);
    expect(insideDeploymentWindow(cron, 'UTC', opens)).toBe(true);
  });
});
