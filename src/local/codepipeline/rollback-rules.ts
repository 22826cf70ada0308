/**
 * Which execution a stage may roll back to
 * ([RollbackStage](https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_RollbackStage.html),
 * [stage rollback considerations](https://docs.aws.amazon.com/codepipeline/latest/userguide/stage-rollback.html)):
 * never a source stage, never while the stage runs, only a target from the current structure
 * version, never a rollback execution, and only one in which the stage succeeded.
 */
import type { StageDeclaration } from './declaration.js';
import type { ExecutionRecord } from './execution-records.js';

/** Why `target` cannot be the stage's rollback target now; undefined when it can. */
export function whyNoRollback(input: {
  readonly stage: StageDeclaration;
  readonly target: ExecutionRecord;
  readonly structureVersion: number;
  /** True while an execution holds or runs the stage. */
  readonly stageRunning: boolean;
}): string | undefined {
  const { stage, target } = input;
  if (stage.actions.some((action) => action.category === 'Source')) return 'a source stage cannot be rolled back';
  if (input.stageRunning) return 'the stage is currently running';
  if (target.structureVersion !== input.structureVersion) return 'the pipeline version has changed since the target pipeline execution was deployed';
  if (target.type === 'ROLLBACK') return 'the target pipeline execution is a rollback execution';
  if (target.stages.get(stage.name)?.status !== 'Succeeded') return 'the stage did not succeed in the target pipeline execution';
  return undefined;
}

/** The newest execution an automatic (OnFailure / OnSuccess ROLLBACK) rollback of the stage returns to. */
export function newestRollbackTarget(
  stage: StageDeclaration,
  executions: Iterable<ExecutionRecord>,
  structureVersion: number,
  excluding: string,
): ExecutionRecord | undefined {
  return [...executions]
    .filter((candidate) => candidate.id !== excluding && whyNoRollback({ stage, target: candidate, structureVersion, stageRunning: false }) === undefined)
    .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())[0];
}
