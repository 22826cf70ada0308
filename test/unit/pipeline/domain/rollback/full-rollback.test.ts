import { describe, expect, it } from 'vitest';
import type { EnvironmentName, HistoryEvent } from '../../../../../src/pipeline/domain/history-model.js';
import { runRollback } from '../../../../../src/pipeline/domain/rollback/rollback-orchestrator.js';
import type { RollbackRequest } from '../../../../../src/pipeline/domain/rollback/rollback-plan.js';
import { applicationStageName, infrastructureStageName } from '../../../../../src/pipeline/domain/stage-names.js';
import { CodePipelineDouble } from '../../../../../src/local/codepipeline-double.js';
import { InMemoryDeploymentHistory } from '../../../../support/fakes/in-memory-deployment-history.js';
import { ENVIRONMENTS, PIPELINE, deploymentEvents, executionId } from './rollback-fixtures.js';
import { rollbackWorld } from './rollback-world.js';

const STAGES = ENVIRONMENTS.flatMap((environment) => [infrastructureStageName(environment), applicationStageName(environment)]);
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
 * History and pipeline for the full rollback: the staging stage rollback fails (its target ends Failed),
 * so test and staging return to GOOD stage by stage; test's infrastructure changed since GOOD.
 */
function world(options: { readonly mutateAfterInfraOld?: boolean } = {}) {
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
  const double = new CodePipelineDouble(PIPELINE, STAGES);
  const apps = (environments: readonly EnvironmentName[]) => Object.fromEntries(environments.map((environment) => [applicationStageName(environment), 'Succeeded' as const]));
  double.seed(INFRA_OLD, { ...apps(all), 'Test-Infrastructure': 'Succeeded' });
  if (options.mutateAfterInfraOld === true) double.selfMutate();
  double.seed(GOOD, apps(all));
  double.seed(PREVIOUS, { ...apps(['test', 'staging']), 'Test-Infrastructure': 'Succeeded' });
  double.seed(FAILED, { 'Test-Application': 'Succeeded', 'Staging-Application': 'Failed' }, { status: 'Failed' });
  // The first rollback execution is the staging stage rollback: it fails, which forces the full rollback.
  double.rollbackOutcomes.push('Failed');
  return rollbackWorld(history, double);
}

const request: RollbackRequest = { pipelineName: PIPELINE, environment: 'staging', stage: 'Staging-Application', executionId: FAILED, trigger: 'stage-failed:Staging-Application', reason: 'Deploy action failed.' };

function rollbackCalls(double: CodePipelineDouble): { stage: unknown; target: unknown }[] {
  return double.calls
    .filter((call) => call.operation === 'RollbackStage')
    .map((call) => {
      const input = call.input as { stageName?: string; targetPipelineExecutionId?: string };
      return { stage: input.stageName, target: input.targetPipelineExecutionId };
    });
}

describe('full rollback', () => {
  it('returns every affected environment in parallel with RollbackStage: applications to the last known good execution, changed infrastructure to its run before it', async () => {
    const { deps, double } = world();
    const outcome = await runRollback(deps, request);
    expect(outcome).toMatchObject({ kind: 'succeeded', scope: 'full' });
    expect(outcome.kind === 'succeeded' ? outcome.rollbackExecutionIds : []).toHaveLength(3);
    expect(rollbackCalls(double)).toEqual([
      { stage: 'Staging-Application', target: PREVIOUS },
      { stage: 'Test-Application', target: GOOD },
      { stage: 'Test-Infrastructure', target: INFRA_OLD },
      { stage: 'Staging-Application', target: GOOD },
    ]);
    // Parallel: all three full-rollback calls are made before the first of them is polled.
    const operations = double.calls.map((call) => call.operation);
    const firstFullCall = operations.indexOf('RollbackStage', operations.indexOf('GetPipelineExecution'));
    const betweenFullCalls = operations.slice(firstFullCall, operations.lastIndexOf('RollbackStage') + 1);
    expect(betweenFullCalls).toEqual(['RollbackStage', 'RollbackStage', 'RollbackStage']);
    expect(double.calls.some((call) => call.operation === 'StartPipelineExecution')).toBe(false);
  });

  it('retries a ConflictException on one of the parallel rollbacks with backoff and still succeeds', async () => {
    const { deps, double, clock } = world();
    double.busyByStage.set('Test-Infrastructure', 2);
    expect(await runRollback(deps, request)).toMatchObject({ kind: 'succeeded', scope: 'full' });
    expect(rollbackCalls(double).filter((call) => call.stage === 'Test-Infrastructure')).toHaveLength(3);
    expect(clock.sleeps).toEqual(expect.arrayContaining([2000, 4000]));
  });

  it('falls back to restarting the pipeline on the last known good commit when one stage has no eligible target (UnableToRollbackStageException)', async () => {
    const { deps, double, notifier } = world({ mutateAfterInfraOld: true });
    const outcome = await runRollback(deps, request);
    const start = double.calls.filter((call) => call.operation === 'StartPipelineExecution');
    expect(start).toHaveLength(1);
    expect(start[0]?.input).toMatchObject({ sourceRevisions: [{ revisionType: 'COMMIT_ID', revisionValue: 'good' }], variables: expect.arrayContaining([{ name: 'KIRO_ROLLBACK', value: 'true' }]) });
    expect(outcome).toMatchObject({ kind: 'succeeded', scope: 'full', rollbackExecutionIds: [expect.any(String)] });
    expect(notifier.ofKind('rollback-succeeded')).toHaveLength(1);
  });

  it('fails (and does not restart) when a parallel stage rollback runs and fails: a restart would deploy the same artifacts again', async () => {
    const { deps, double, notifier } = world();
    double.rollbackOutcomes.push('Succeeded', 'Failed', 'Succeeded');
    const outcome = await runRollback(deps, request);
    expect(outcome).toMatchObject({ kind: 'failed', reason: expect.stringContaining('Test-Infrastructure') });
    expect(double.calls.some((call) => call.operation === 'StartPipelineExecution')).toBe(false);
    expect(notifier.ofKind('rollback-failed').at(-1)?.details).toContain('Environments: test, staging');
  });

  it('is idempotent: a second trigger for the same failure finds the lease and calls nothing', async () => {
    const { deps, double } = world();
    await runRollback(deps, request);
    const calls = double.calls.length;
    expect(await runRollback(deps, { ...request, trigger: 'health-check' })).toMatchObject({ kind: 'duplicate' });
    expect(double.calls.length).toBe(calls);
  });
});
