import { describe, expect, it } from 'vitest';
import { runRollback } from '../../../../../src/pipeline/domain/rollback/rollback-orchestrator.js';
import { planFromHistory } from '../../../../../src/pipeline/domain/rollback/rollback-from-history.js';
import type { RollbackRequest } from '../../../../../src/pipeline/domain/rollback/rollback-plan.js';
import type { PipelineControl } from '../../../../../src/pipeline/ports/pipeline-control.js';
import { InMemoryDeploymentHistory } from '../../../../support/fakes/in-memory-deployment-history.js';
import { LocalPipelineHarness } from '../../../../support/local-pipeline/local-pipeline-harness.js';
import { ENVIRONMENTS, PIPELINE, deploymentEvents, executionId } from './rollback-fixtures.js';
import { rollbackWorld } from './rollback-world.js';

const GOOD = executionId(1);
const PREVIOUS = executionId(2);
const CURRENT = executionId(3);

/**
 * Every environment runs GOOD; staging has since taken PREVIOUS and then CURRENT, both healthy (each
 * release stopped before production). `rollbacksFail`: every stage rollback's deployment fails.
 */
async function world(options: { readonly rollbacksFail?: boolean } = {}) {
  const history = new InMemoryDeploymentHistory([
    ...ENVIRONMENTS.flatMap((environment, i) => deploymentEvents({ execution: GOOD, environment, commit: 'good', at: `2026-03-01T0${i}:00:00.000Z`, result: 'succeeded' })),
    ...deploymentEvents({ execution: PREVIOUS, environment: 'staging', commit: 'previous', at: '2026-03-01T10:00:00.000Z', result: 'succeeded' }),
    ...deploymentEvents({ execution: CURRENT, environment: 'staging', commit: 'current', at: '2026-03-02T10:00:00.000Z', result: 'succeeded' }),
  ]);
  const pipeline = await LocalPipelineHarness.start({
    name: PIPELINE,
    environments: ENVIRONMENTS,
    script: (call) => (options.rollbacksFail === true && call.executionType === 'ROLLBACK' && call.action === 'Deploy' ? { status: 'Failed', summary: 'the stack update failed' } : undefined),
  });
  await pipeline.release('good', { id: GOOD });
  await pipeline.release('previous', { id: PREVIOUS, stopBefore: 'Production-Application' });
  await pipeline.release('current', { id: CURRENT, stopBefore: 'Production-Application' });
  return rollbackWorld(history, pipeline);
}

/** A pipeline whose every call fails the way the SDK fails on an endpoint that is not CodePipeline. */
const unreadablePipeline: PipelineControl = {
  rollbackStage: () => Promise.reject(new Error('Deserialization error')),
  redeploy: () => Promise.reject(new Error('Deserialization error')),
  executionStatus: () => Promise.reject(new Error('Deserialization error')),
  stageExecution: () => Promise.reject(new Error('GetPipelineState: Deserialization error')),
  stageRollbacksInProgress: () => Promise.reject(new Error('GetPipelineState: Deserialization error')),
};

const manual: RollbackRequest = { pipelineName: PIPELINE, environment: 'staging', stage: 'Staging-Application', executionId: CURRENT, trigger: 'manual:sre', reason: 'Manual rollback.' };

describe('a rollback that failed', () => {
  it('manual and stopped before moving anything: recorded as a rollback event, the healthy release keeps its status (issue 14, item 2)', async () => {
    const { deps, history } = await world();
    const outcome = await runRollback({ ...deps, pipeline: unreadablePipeline }, manual);
    expect(outcome.kind).toBe('failed');
    const events = (await history.timeline(CURRENT)).flatMap((event) => (event.kind === 'rollback' ? [{ phase: event.phase, movedPipeline: event.movedPipeline }] : []));
    expect(events).toContainEqual({ phase: 'failed', movedPipeline: false });
    expect(await history.latest('staging')).toMatchObject({ executionId: CURRENT, status: 'succeeded' });
  });

  it('set off by a failure: the deployment is failed even when nothing moved', async () => {
    const { deps, history } = await world();
    await runRollback({ ...deps, pipeline: unreadablePipeline }, { ...manual, trigger: 'health-check' });
    expect(await history.latest('staging')).toMatchObject({ executionId: CURRENT, status: 'failed' });
  });

  it('manual, after a stage rollback started and failed: the environment may run neither release, so it is failed', async () => {
    const { deps, history } = await world({ rollbacksFail: true });
    const outcome = await runRollback(deps, manual);
    expect(outcome.kind).toBe('failed');
    expect(await history.latest('staging')).toMatchObject({ executionId: CURRENT, status: 'failed' });
  });
});

describe('a manual rollback of an environment that runs the last known good release (issue 14, item 13)', () => {
  it('offers no full rollback "returning" production to the release it already runs', async () => {
    const { deps } = await world();
    const plan = await planFromHistory(deps, { ...manual, environment: 'production', stage: 'Production-Application', executionId: GOOD });
    // Staging runs newer releases and would return; production runs the target already.
    expect(plan.full).toMatchObject({ kind: 'full', environments: ['staging'], targetExecutionId: GOOD });
  });
});
