/**
 * Expectations on the executions a scenario left, read back over the CodePipeline API
 * (`ExecutionView`): how each racing commit's execution ended, and which stage rollbacks CodePipeline
 * started by itself. Pure: the views are read elsewhere (world/engine-read-back.ts).
 */
import type { CommitInfo } from '../../pipeline/domain/history-model.js';
import { releaseExecution, type ExecutionView } from '../world/engine-read-back.js';

/**
 * How each racing commit's execution ended (GetPipelineExecution) against the expected statuses,
 * in push order. Nothing expected, nothing compared.
 */
export function compareRacingStatuses(expected: readonly string[] | undefined, racing: readonly CommitInfo[], executions: readonly ExecutionView[]): string[] {
  if (expected === undefined) return [];
  if (racing.length !== expected.length) return [`expected ${expected.length} racing commit(s), ${racing.length} were pushed.`];
  return racing.flatMap((commit, index) => {
    const status = releaseExecution(executions, commit.id)?.status ?? 'no execution';
    const wanted = expected[index];
    return status === wanted ? [] : [`racing commit ${index + 1} (${commit.id.slice(0, 8)}): expected its execution ${wanted ?? ''}, GetPipelineExecution shows ${status}.`];
  });
}

/** The trigger type CodePipeline gives a rollback execution it starts itself (a stage's OnFailure or OnSuccess ROLLBACK). */
export const AUTOMATED_ROLLBACK_TRIGGER = 'AutomatedRollback';

/**
 * The stages CodePipeline rolled back by itself (ROLLBACK executions whose trigger is
 * `AutomatedRollback`, ListPipelineExecutions) against the expected ones. A rollback the
 * orchestrator or an operator asked for with RollbackStage has another trigger, so a stage whose
 * OnFailure no longer rolls back is caught even though the orchestrator still rolls it back.
 */
export function compareAutomatedRollbacks(expected: readonly string[] | undefined, executions: readonly ExecutionView[]): string[] {
  if (expected === undefined) return [];
  const automated = [...new Set(executions.filter((execution) => execution.type === 'ROLLBACK' && execution.triggerType === AUTOMATED_ROLLBACK_TRIGGER).flatMap((execution) => Object.keys(execution.stages)))].sort();
  const wanted = [...expected].sort();
  return JSON.stringify(automated) === JSON.stringify(wanted) ? [] : [`stage rollbacks CodePipeline started itself (trigger ${AUTOMATED_ROLLBACK_TRIGGER}): expected [${wanted.join(', ')}], it started [${automated.join(', ')}].`];
}
