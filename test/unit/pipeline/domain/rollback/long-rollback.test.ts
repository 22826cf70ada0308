import { describe, expect, it } from 'vitest';
import { runRollback } from '../../../../../src/pipeline/domain/rollback/rollback-orchestrator.js';
import type { RollbackRequest } from '../../../../../src/pipeline/domain/rollback/rollback-plan.js';
import { DEFAULT_ROLLBACK_TIMING, type RollbackTiming } from '../../../../../src/pipeline/domain/rollback/rollback-timing.js';
import { rollbackTimingFor } from '../../../../../src/pipeline/domain/plan/rollback-inputs.js';
import { loadDeploymentConfig } from '../../../../../infrastructure/lib/config/load-config.js';
import { FAILED, PIPELINE, stagingFailureScene } from './rollback-fixtures.js';
import { rollbackWorld } from './rollback-world.js';

/**
 * Issue 11, item 3: the two rollback paths longer than one Lambda invocation (a stage rollback that
 * ran and failed followed by the full rollback; a pipeline restart) must be followed to their end.
 * Before the orchestrator became resumable, both were cut at the 900 s budget and recorded as failed
 * while the pipeline went on to finish them.
 */

function world() {
  const { history, double } = stagingFailureScene();
  return rollbackWorld(history, double);
}

const request: RollbackRequest = { pipelineName: PIPELINE, environment: 'staging', stage: 'Staging-Application', executionId: FAILED, trigger: 'stage-failed:Staging-Application', reason: 'Deploy action failed.' };
/** The timing the deployed state machine gets for the example configuration. */
const modelled: RollbackTiming = rollbackTimingFor(loadDeploymentConfig(), { healthMonitor: true });

describe('a rollback longer than one Lambda invocation', () => {
  it('is followed for the longest modelled chain of paths, not 900 s', () => {
    expect(modelled.followSeconds).toBeGreaterThan(1500);
    expect(modelled.budgetSeconds).toBe(DEFAULT_ROLLBACK_TIMING.budgetSeconds);
  });

  it.each([
    ['a pipeline restart (no eligible stage target) that finishes after 1500 s', 'restart' as const],
    ['a stage rollback that ran and failed after 600 s, then a full rollback of 600 s more', 'stage-then-full' as const],
  ])('succeeds for %s', async (_why, path) => {
    const { deps, double, clock, notifier } = world();
    if (path === 'restart') {
      // The restart finishes after 100 polls of 15 s: about 1500 s.
      double.selfMutate();
      double.pollsToFinish = 100;
    } else {
      // Every stage rollback finishes after 40 polls of 15 s (600 s, inside the 720 s wait); the first one fails.
      double.pollsToFinish = 40;
      double.rollbackOutcomes.push('Failed');
    }
    const started = clock.now().getTime();
    const outcome = await runRollback({ ...deps, timing: modelled }, request);
    const elapsed = (clock.now().getTime() - started) / 1000;
    expect(outcome).toMatchObject({ kind: 'succeeded', scope: 'full' });
    expect(elapsed).toBeGreaterThan(1100);
    expect(elapsed).toBeLessThanOrEqual(modelled.followSeconds);
    expect(notifier.notices.map((notice) => notice.kind).at(-1)).toBe('rollback-succeeded');
    expect((await deps.ledger.get(outcome.plan.key))?.status).toBe('succeeded');
  });

  it('still gives up, recorded and escalated, at the modelled deadline when the restart never ends', async () => {
    const { deps, double, clock } = world();
    double.selfMutate();
    double.outcome = { rollback: 'Succeeded', redeploy: 'InProgress' };
    const started = clock.now().getTime();
    const outcome = await runRollback({ ...deps, timing: modelled }, request);
    expect(outcome).toMatchObject({ kind: 'failed', reason: expect.stringContaining('did not finish') });
    expect((clock.now().getTime() - started) / 1000).toBeLessThanOrEqual(modelled.followSeconds);
    expect((clock.now().getTime() - started) / 1000).toBeGreaterThan(modelled.followSeconds - modelled.reserveSeconds - modelled.pollIntervalSeconds - 1);
  });
});
