import { advanceRollback, type RollbackDependencies, type RollbackOutcome } from '../../../../../src/pipeline/domain/rollback/rollback-orchestrator.js';
import type { RollbackProgress } from '../../../../../src/pipeline/domain/rollback/rollback-progress.js';
import type { PipelineControl } from '../../../../../src/pipeline/ports/pipeline-control.js';

const DIED = Symbol('step died');

/**
 * Runs the rollback as the state machine does, except that the step whose RollbackStage calls matching
 * `dies` went through (`count` of them returned from CodePipeline) dies before it hands its progress back,
 * as a Lambda invocation that times out does. Step Functions then retries that step with the progress
 * it was given; this runs the retry and the following steps to the end with the unbroken pipeline.
 */
export async function runWithOneDyingStep(deps: RollbackDependencies, start: RollbackProgress, dies: { readonly count: number; readonly on: (stage: string, target: string) => boolean }): Promise<{ readonly outcome: RollbackOutcome; readonly retriedFrom: RollbackProgress }> {
  let returned = 0;
  let signal: () => void = () => undefined;
  const died = new Promise<typeof DIED>((resolve) => (signal = () => { resolve(DIED); }));
  const real = deps.pipeline;
  const dying: PipelineControl = {
    rollbackStage: async (stage, target) => {
      const executionId = await real.rollbackStage(stage, target);
      if (!dies.on(stage, target)) return executionId;
      returned += 1;
      if (returned >= dies.count) signal();
      // The invocation never answers: the call reached CodePipeline, its id is lost with the step.
      return new Promise<string>(() => undefined);
    },
    redeploy: (request) => real.redeploy(request),
    executionStatus: (id) => real.executionStatus(id),
    stageExecution: (stage) => real.stageExecution(stage),
    stageRollbacksInProgress: () => real.stageRollbacksInProgress(),
  };
  let progress = start;
  let retriedFrom: RollbackProgress | undefined;
  for (;;) {
    const result = retriedFrom === undefined ? await Promise.race([advanceRollback({ ...deps, pipeline: dying }, progress), died]) : await advanceRollback(deps, progress);
    if (result === DIED) {
      retriedFrom = progress;
      continue;
    }
    if ('done' in result) {
      if (retriedFrom === undefined) throw new Error('the rollback ended before any step died');
      return { outcome: result.done, retriedFrom };
    }
    progress = result.progress;
    await deps.clock.sleep(Math.max(1000, Math.ceil(result.waitSeconds) * 1000));
  }
}
