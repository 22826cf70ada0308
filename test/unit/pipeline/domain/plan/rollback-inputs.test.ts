import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { environmentsConfig } from '../../../../../infrastructure/lib/config/environments.js';
import { loadDeploymentConfig } from '../../../../../infrastructure/lib/config/load-config.js';
import type { DeploymentConfigInput } from '../../../../../src/shared/config/schema.js';
import {
  assertRollbackFitsBudget,
  environmentRollbackDurations,
  environmentRollbackInputs,
  rollbackPathsFor,
  rollbackTimeTable,
} from '../../../../../src/pipeline/domain/plan/rollback-inputs.js';
import { orchestratorWaits } from '../../../../../src/pipeline/domain/rollback/rollback-duration.js';
import { ConfigurationError } from '../../../../../src/shared/errors.js';

const example = loadDeploymentConfig();

function withProductionBake(durationSeconds: number): ReturnType<typeof loadDeploymentConfig> {
  const input = structuredClone(environmentsConfig) as { -readonly [K in keyof DeploymentConfigInput]: DeploymentConfigInput[K] } & { environments: Record<string, unknown>[] };
  const production = input.environments.find((environment) => environment['name'] === 'production');
  if (production === undefined) throw new Error('no production in the example');
  production['healthCheck'] = { durationSeconds, intervalSeconds: 30, reviewTimeoutMinutes: 5 };
  return loadDeploymentConfig(input);
}

describe('the rollback model of the configuration', () => {
  it('reads what each stage rollback re-runs from the plan: the bake, the suite\'s CodeBuild timeout, no alarm condition for other accounts', () => {
    expect(environmentRollbackInputs(example, { healthMonitor: true })).toEqual([
      { environment: 'test', bakeSeconds: 300, suiteTimeoutSeconds: 300, onSuccessWaitSeconds: 0 },
      { environment: 'staging', bakeSeconds: 300, suiteTimeoutSeconds: 480, onSuccessWaitSeconds: 0 },
      { environment: 'production', bakeSeconds: 300, suiteTimeoutSeconds: 300, onSuccessWaitSeconds: 0 },
    ]);
  });

  it('counts the alarm condition of an environment in the pipeline\'s own account: a last look with the monitor, the whole bake without it', () => {
    const sameAccount = { ...example, environments: example.environments.map((environment) => ({ ...environment, account: example.pipeline.account })) };
    expect(environmentRollbackInputs(sameAccount, { healthMonitor: true })[0]?.onSuccessWaitSeconds).toBe(60);
    expect(environmentRollbackInputs(sameAccount, { healthMonitor: false })[0]).toMatchObject({ bakeSeconds: 0, onSuccessWaitSeconds: 300 });
  });

  it('makes the orchestrator wait 12 minutes for a stage rollback of the example, which the old fixed 360 s cut short', () => {
    const waits = orchestratorWaits(environmentRollbackDurations(example, { healthMonitor: true }));
    expect(waits).toEqual({ stageTimeoutSeconds: 720, fullTimeoutSeconds: 720 });
    expect(waits.stageTimeoutSeconds).toBeGreaterThan(360);
  });

  it('keeps the stage and full paths of the example within 15 minutes; the other two are the documented exceptions', () => {
    const paths = Object.fromEntries(rollbackPathsFor(example, { healthMonitor: true }).map((path) => [path.path, path]));
    expect(paths['stage']).toMatchObject({ seconds: 819, withinBudget: true });
    expect(paths['full']).toMatchObject({ seconds: 819, withinBudget: true });
    expect(paths['stage-then-full']).toMatchObject({ seconds: 1608, withinBudget: false });
    expect(paths['restart']?.withinBudget).toBe(false);
  });

  it('accepts the example configuration', () => {
    expect(() => { assertRollbackFitsBudget(example, { healthMonitor: true }); }).not.toThrow();
  });

  it('refuses at synth time a bake that makes a stage rollback overrun 15 minutes, naming environment, key, minutes and fix', () => {
    const refuse = (): void => { assertRollbackFitsBudget(withProductionBake(900), { healthMonitor: true }); };
    expect(refuse).toThrow(ConfigurationError);
    expect(refuse).toThrow(/cannot roll back within 15 minutes[\s\S]*environment "production".*healthCheck\.durationSeconds = 900 s.*19\.0 minutes in all.*shorten healthCheck\.durationSeconds/);
  });

  it('is the table docs/rollback.md shows', () => {
    const doc = readFileSync(new URL('../../../../../docs/rollback.md', import.meta.url), 'utf8');
    expect(doc).toContain(rollbackTimeTable(rollbackPathsFor(example, { healthMonitor: true })));
  });
});
