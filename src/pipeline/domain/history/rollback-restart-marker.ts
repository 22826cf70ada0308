/**
 * The marker that tells a full rollback's restart from a release. CodePipeline reports that restart
 * as an ordinary `StartPipelineExecution`, so the rollback orchestrator records this marker under
 * the restart's execution and the deployment fold reads it back.
 */
import type { ExecutionEvent } from '../history-model.js';

/**
 * Trigger type of the marker the rollback orchestrator records under a full rollback's restart
 * execution. CodePipeline reports that restart as an ordinary `StartPipelineExecution` (its
 * execution event carries neither the pipeline variables nor anything else that says "rollback"),
 * so without the marker the restart would count as a release.
 */
export const FULL_ROLLBACK_RESTART_TRIGGER = 'KiroFullRollbackRestart';

/**
 * Execution trigger types that mean "this execution restores an earlier release": CodePipeline's own
 * stage rollbacks (`ManualRollback`, `AutomatedRollback`) and the orchestrator's restart marker.
 */
export const ROLLBACK_TRIGGER_TYPES: readonly string[] = ['ManualRollback', 'AutomatedRollback', FULL_ROLLBACK_RESTART_TRIGGER];

/** The marker that records `executionId` as the restart of full rollback `rollbackId` (see {@link FULL_ROLLBACK_RESTART_TRIGGER}). */
export function fullRollbackRestartMarker(input: { readonly pipelineName: string; readonly executionId: string; readonly rollbackId: string; readonly commitId: string; readonly at: string }): ExecutionEvent {
  return {
    kind: 'execution',
    // Derived from the rollback id: recording it twice (a retried orchestrator) stores one fact.
    eventId: `rollback:${input.rollbackId}:restart`,
    pipelineName: input.pipelineName,
    executionId: input.executionId,
    at: input.at,
    state: 'STARTED',
    commit: { id: input.commitId },
    triggerType: FULL_ROLLBACK_RESTART_TRIGGER,
    triggerDetail: `rollback ${input.rollbackId}`,
  };
}
