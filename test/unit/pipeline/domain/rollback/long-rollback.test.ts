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

async function world() {
  const { history, pipeline } = await stagingFailureScene();
  return rollbackWorld(history, pipeline);
}

const MINUTE = 60_000;

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
    const { deps, codepipeline, clock, notifier } = await world();
    if (path === 'restart') {
      // The pipeline changed since (no stage target); the restart deploys three environments, 500 s each: about 1500 s.
      codepipeline.changeDefinition();
      codepipeline.script = (call) => (call.variables.KIRO_ROLLBACK === 'true' && call.action === 'Deploy' ? { takesMs: 500_000 } : undefined);
    } else {
      // Every stage rollback deploys for 600 s (inside the 720 s wait); the first one (staging back to PREVIOUS) fails.
      codepipeline.script = (call) => (call.executionType === 'ROLLBACK' && call.action === 'Deploy' ? { takesMs: 10 * MINUTE, status: call.commit === 'previous' ? 'Failed' : 'Succeeded' } : undefined);
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
    const { deps, codepipeline, clock } = await world();
    codepipeline.changeDefinition();
    // The restart's first deployment hangs (CloudFormation's own timeout is three days).
    codepipeline.script = (call) => (call.variables.KIRO_ROLLBACK === 'true' && call.action === 'Deploy' ? { takesMs: 24 * 60 * MINUTE } : undefined);
    const started = clock.now().getTime();
    const outcome = await runRollback({ ...deps, timing: modelled }, request);
    expect(outcome).toMatchObject({ kind: 'failed', reason: expect.stringContaining('did not finish') });
    expect((clock.now().getTime() - started) / 1000).toBeLessThanOrEqual(modelled.followSeconds);
    expect((clock.now().getTime() - started) / 1000).toBeGreaterThan(modelled.followSeconds - modelled.reserveSeconds - modelled.pollIntervalSeconds - 1);
  });
});
