import { describe, expect, it } from 'vitest';
import type { EnvironmentName, HistoryEvent } from '../../../../../src/pipeline/domain/history-model.js';
import { runRollback } from '../../../../../src/pipeline/domain/rollback/rollback-orchestrator.js';
import { planFromHistory } from '../../../../../src/pipeline/domain/rollback/rollback-from-history.js';
import { initialProgress } from '../../../../../src/pipeline/domain/rollback/rollback-progress.js';
import type { RollbackRequest } from '../../../../../src/pipeline/domain/rollback/rollback-plan.js';
import { infrastructureStageName } from '../../../../../src/pipeline/domain/stage-names.js';
import { InMemoryDeploymentHistory } from '../../../../support/fakes/in-memory-deployment-history.js';
import { LocalPipelineHarness, type ActionScript } from '../../../../support/local-pipeline/local-pipeline-harness.js';
import { ENVIRONMENTS, PIPELINE, deploymentEvents, executionId } from './rollback-fixtures.js';
import { runWithOneDyingStep } from './retried-step.js';
import { rollbackWorld } from './rollback-world.js';

/** The last release whose infrastructure change reached test, before the last known good one. */
const INFRA_OLD = executionId(5);
const GOOD = executionId(1);
/** A newer release that changed test's infrastructure and reached staging. */
const PREVIOUS = executionId(2);
const FAILED = executionId(3);

function infrastructureSucceeded(execution: string, environment: EnvironmentName, at: string): HistoryEvent {
  const stage = infrastructureStageName(environment);
  return { kind: 'stage', eventId: `${execution}:${stage}:end`, pipelineName: PIPELINE, executionId: execution, at, stage, environment, state: 'SUCCEEDED' };
}

/**
 * The actions of the full rollback's pipeline: test's change detection finds an infrastructure change
 * in `old` and `previous` (and in `next`, whose infrastructure deploy takes `nextInfrastructureMs`),
 * `bad` fails its staging deployment, and the staging stage rollback (back to `previous`) fails after
 * ten seconds, which forces the full rollback.
 */
function fullRollbackScript(nextInfrastructureMs: number): ActionScript {
  return (call) => {
    if (call.action === 'Detect-test') return { outputVariables: { INFRA_TEST: ['old', 'previous', 'next'].includes(call.commit) ? 'deploy' : 'skip' } };
    if (call.action.startsWith('Detect-')) return { outputVariables: { [`INFRA_${call.action.slice('Detect-'.length).toUpperCase()}`]: 'skip' } };
    if (call.action !== 'Deploy') return undefined;
    if (call.executionType === 'STANDARD' && call.commit === 'bad' && call.stage === 'Staging-Application') return { status: 'Failed', summary: 'Deploy action failed.' };
    if (call.executionType === 'ROLLBACK' && call.commit === 'previous') return { status: 'Failed', summary: 'the stack update failed', takesMs: 10_000 };
    if (call.commit === 'next' && call.stage === 'Test-Infrastructure') return { takesMs: nextInfrastructureMs };
    return undefined;
  };
}

/**
 * History and pipeline for the full rollback: the staging stage rollback fails (its deployment fails),
 * so test and staging return to GOOD stage by stage; test's infrastructure changed since GOOD.
 */
async function world(options: { readonly mutateAfterInfraOld?: boolean; readonly nextInfrastructureMs?: number } = {}) {
  const all = ['test', 'staging', 'production'] as const;
  const history = new InMemoryDeploymentHistory([
    ...all.flatMap((environment, i) => deploymentEvents({ execution: INFRA_OLD, environment, commit: 'old', at: `2026-02-28T0${i}:00:00.000Z`, result: 'succeeded' })),
    infrastructureSucceeded(INFRA_OLD, 'test', '2026-02-28T00:00:30.000Z'),
    ...all.flatMap((environment, i) => deploymentEvents({ execution: GOOD, environment, commit: 'good', at: `2026-03-01T0${i}:00:00.000Z`, result: 'succeeded' })),
    ...(['test', 'staging'] as const).flatMap((environment, i) => deploymentEvents({ execution: PREVIOUS, environment, commit: 'previous', at: `2026-03-01T1${i}:00:00.000Z`, result: 'succeeded' })),
    infrastructureSucceeded(PREVIOUS, 'test', '2026-03-01T10:00:30.000Z'),
    ...deploymentEvents({ execution: FAILED, environment: 'test', commit: 'bad', at: '2026-03-02T09:00:00.000Z', result: 'succeeded' }),
    ...deploymentEvents({ execution: FAILED, environment: 'staging', commit: 'bad', at: '2026-03-02T09:10:00.000Z', result: 'failed' }),
  ]);
  const pipeline = await LocalPipelineHarness.start({ name: PIPELINE, environments: ENVIRONMENTS, infrastructure: ENVIRONMENTS, script: fullRollbackScript(options.nextInfrastructureMs ?? 0) });
  await pipeline.release('old', { id: INFRA_OLD });
  // A self-mutation after INFRA_OLD: its run of Test-Infrastructure is no rollback target any more.
  if (options.mutateAfterInfraOld === true) pipeline.changeDefinition();
  await pipeline.release('good', { id: GOOD });
  await pipeline.release('previous', { id: PREVIOUS, stopBefore: 'Production-Application' });
  await pipeline.release('bad', { id: FAILED });
  return rollbackWorld(history, pipeline);
}

const request: RollbackRequest = { pipelineName: PIPELINE, environment: 'staging', stage: 'Staging-Application', executionId: FAILED, trigger: 'stage-failed:Staging-Application', reason: 'Deploy action failed.' };

function rollbackCalls(codepipeline: LocalPipelineHarness): { stage: unknown; target: unknown }[] {
  return codepipeline.calls
    .filter((call) => call.operation === 'RollbackStage')
    .map((call) => {
      const input = call.input as { stageName?: string; targetPipelineExecutionId?: string };
      return { stage: input.stageName, target: input.targetPipelineExecutionId };
    });
}

/** The RollbackStage calls of a stage rollback that failed and the full rollback after it: one per stage. */
const STAGE_THEN_FULL_ROLLBACK_CALLS = [
  { stage: 'Staging-Application', target: PREVIOUS },
  { stage: 'Test-Application', target: GOOD },
  { stage: 'Test-Infrastructure', target: INFRA_OLD },
  { stage: 'Staging-Application', target: GOOD },
];

describe('full rollback', () => {
  it('returns every affected environment in parallel with RollbackStage: applications to the last known good execution, changed infrastructure to its run before it', async () => {
    const { deps, codepipeline } = await world();
    const outcome = await runRollback(deps, request);
    expect(outcome).toMatchObject({ kind: 'succeeded', scope: 'full' });
    expect(outcome.kind === 'succeeded' ? outcome.rollbackExecutionIds : []).toHaveLength(3);
    expect(rollbackCalls(codepipeline)).toEqual(STAGE_THEN_FULL_ROLLBACK_CALLS);
    // Parallel: all three full-rollback calls are made before the first of them is polled.
    const operations = codepipeline.calls.map((call) => call.operation);
    const firstFullCall = operations.indexOf('RollbackStage', operations.indexOf('GetPipelineExecution'));
    const betweenFullCalls = operations.slice(firstFullCall, operations.lastIndexOf('RollbackStage') + 1);
    expect(betweenFullCalls).toEqual(['RollbackStage', 'RollbackStage', 'RollbackStage']);
    expect(codepipeline.calls.some((call) => call.operation === 'StartPipelineExecution')).toBe(false);
  });

  it('a step retried after its parallel RollbackStage calls went through adopts those stage rollbacks: one call per stage, succeeded', async () => {
    const { deps, codepipeline } = await world();
    // The full rollback's deployments take a minute: they still run when Step Functions retries the step.
    const scene = codepipeline.script;
    codepipeline.script = (call) => (call.executionType === 'ROLLBACK' && call.action === 'Deploy' && call.commit !== 'previous' ? { takesMs: 60_000 } : scene(call));
    const plan = await planFromHistory(deps, request);
    // The step that starts the full rollback dies once its three parallel RollbackStage calls reached CodePipeline.
    const { outcome, retriedFrom } = await runWithOneDyingStep(deps, initialProgress(plan, deps.ids.next()), { count: 3, on: (_stage, target) => target !== PREVIOUS });
    expect(retriedFrom.step.kind).toBe('stage');
    expect(outcome).toMatchObject({ kind: 'succeeded', scope: 'full' });
    expect(outcome.kind === 'succeeded' ? outcome.rollbackExecutionIds : []).toHaveLength(3);
    expect(rollbackCalls(codepipeline)).toEqual(STAGE_THEN_FULL_ROLLBACK_CALLS);
    expect((await deps.ledger.get(plan.key))?.status).toBe('succeeded');
    expect(codepipeline.calls.some((call) => call.operation === 'StartPipelineExecution')).toBe(false);
  });

  it('retries one of the parallel rollbacks while its stage is busy (a newer release still deploys it) with backoff and still succeeds', async () => {
    // A newer release deploys test's infrastructure for 19 s from t0; the full rollback starts at t0 + 15 s
    // (the staging stage rollback fails after 10 s, seen at the 15 s poll): refused at +15 and +17, accepted at +21.
    const { deps, codepipeline, clock } = await world({ nextInfrastructureMs: 19_000 });
    await codepipeline.release('next', { until: () => codepipeline.pipeline.actionExecutions.some((record) => record.stageName === 'Test-Infrastructure' && record.status === 'InProgress') });
    expect(await runRollback(deps, request)).toMatchObject({ kind: 'succeeded', scope: 'full' });
    expect(rollbackCalls(codepipeline).filter((call) => call.stage === 'Test-Infrastructure')).toHaveLength(3);
    expect(clock.sleeps).toEqual(expect.arrayContaining([2000, 4000]));
  });

  it('falls back to restarting the pipeline on the last known good commit when one stage has no eligible target (UnableToRollbackStageException)', async () => {
    const { deps, codepipeline, notifier } = await world({ mutateAfterInfraOld: true });
    const outcome = await runRollback(deps, request);
    const start = codepipeline.calls.filter((call) => call.operation === 'StartPipelineExecution');
    expect(start).toHaveLength(1);
    expect(start[0]?.input).toMatchObject({ sourceRevisions: [{ revisionType: 'COMMIT_ID', revisionValue: 'good' }], variables: expect.arrayContaining([{ name: 'KIRO_ROLLBACK', value: 'true' }]) });
    expect(outcome).toMatchObject({ kind: 'succeeded', scope: 'full', rollbackExecutionIds: [expect.any(String)] });
    expect(notifier.ofKind('rollback-succeeded')).toHaveLength(1);
  });

  it('fails (and does not restart) when a parallel stage rollback runs and fails: a restart would deploy the same artifacts again', async () => {
    const { deps, codepipeline, notifier } = await world();
    // Of the three parallel stage rollbacks, test's infrastructure (back to `old`) fails.
    const scene = codepipeline.script;
    codepipeline.script = (call) => (call.executionType === 'ROLLBACK' && call.stage === 'Test-Infrastructure' && call.action === 'Deploy' ? { status: 'Failed', summary: 'the stack update failed' } : scene(call));
    const outcome = await runRollback(deps, request);
    expect(outcome).toMatchObject({ kind: 'failed', reason: expect.stringContaining('Test-Infrastructure') });
    expect(codepipeline.calls.some((call) => call.operation === 'StartPipelineExecution')).toBe(false);
    expect(notifier.ofKind('rollback-failed').at(-1)?.details).toContain('Environments: test, staging');
  });

  it('is idempotent: a second trigger for the same failure finds the lease and calls nothing', async () => {
    const { deps, codepipeline } = await world();
    await runRollback(deps, request);
    const calls = codepipeline.calls.length;
    expect(await runRollback(deps, { ...request, trigger: 'health-check' })).toMatchObject({ kind: 'duplicate' });
    expect(codepipeline.calls.length).toBe(calls);
  });
});
