/**
 * Which notices a history fact produces (US-6, TR-6, TR-7): execution start, each environment stage
 * completion, overall success or failure, approval needed, health-check failure and review, and
 * rollback start and outcome. Pure: the caller supplies what the fact itself does not carry (the
 * execution's commit, why a stage failed) from the history.
 */
import { mergeCommit, UNKNOWN_COMMIT_ID } from '../history/deployment-fold.js';
import { canonicalEvents } from '../history/event-order.js';
import type { CommitInfo, HistoryEvent } from '../history-model.js';
import type { DeploymentNotice } from '../notice.js';
import { approvalStageName } from '../stage-names.js';

/** Facts about the execution that the event itself may not carry. */
export interface NoticeContext {
  /** The execution's commit, from the event or the history. */
  readonly commit?: CommitInfo;
  /** Link to the execution in the CodePipeline console. */
  readonly link: string;
  /** Why the execution or stage failed (the failed action and its summary), when known. */
  readonly failureReason?: string;
  /** The stage whose failure failed the execution, when known. */
  readonly failedStage?: { readonly stage: string; readonly environment?: DeploymentNotice['environment'] };
  /** The last stage of the pipeline (the production application stage), named by a success notice. */
  readonly finalStage: string;
}

/** The CodePipeline console page of one execution. */
export function executionLink(region: string, pipelineName: string, executionId: string): string {
  const pipeline = encodeURIComponent(pipelineName);
  return `https://${region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${pipeline}/executions/${executionId}/timeline?region=${region}`;
}

/** The notices one fact produces (none for most action events and intermediate states). */
export function noticesForEvent(event: HistoryEvent, context: NoticeContext): DeploymentNotice[] {
  const base = {
    pipelineName: event.pipelineName,
    executionId: event.executionId,
    at: event.at,
    link: context.link,
    ...(context.commit === undefined ? {} : { commit: context.commit }),
  };
  switch (event.kind) {
    case 'execution': {
      if (event.state === 'STARTED') {
        const trigger = event.triggerType === undefined ? 'a push to the source branch' : `trigger ${event.triggerType}`;
        return [{ ...base, kind: 'execution-started', stage: 'Source', outcome: 'STARTED', reason: `Started by ${trigger}; it deploys test, then staging, then production.` }];
      }
      if (event.state === 'SUCCEEDED') {
        return [{ ...base, kind: 'deployment-succeeded', environment: 'production', stage: context.finalStage, outcome: 'SUCCEEDED', reason: 'Every stage succeeded and every health check passed.' }];
      }
      if (event.state === 'FAILED' || event.state === 'STOPPED') {
        const failed = context.failedStage;
        return [
          {
            ...base,
            kind: 'deployment-failed',
            ...(failed?.environment === undefined ? {} : { environment: failed.environment }),
            ...(failed === undefined ? {} : { stage: failed.stage }),
            outcome: event.state,
            reason: context.failureReason ?? (event.state === 'STOPPED' ? 'The execution was stopped by a person or a newer release.' : 'A stage failed; see the execution for the failed action.'),
          },
        ];
      }
      return [];
    }
    case 'stage': {
      const environment = event.environment === undefined ? {} : { environment: event.environment };
      if (event.state === 'SUCCEEDED') {
        return [{ ...base, ...environment, kind: 'stage-succeeded', stage: event.stage, outcome: 'SUCCEEDED', reason: `Stage ${event.stage} completed.` }];
      }
      if (event.state === 'FAILED') {
        return [{ ...base, ...environment, kind: 'stage-failed', stage: event.stage, outcome: 'FAILED', reason: context.failureReason ?? `Stage ${event.stage} failed.` }];
      }
      return [];
    }
    case 'approval':
      if (event.decision !== 'requested') return [];
      return [
        {
          ...base,
          kind: 'approval-needed',
          environment: event.environment,
          stage: approvalStageName(event.environment),
          outcome: 'WAITING_FOR_APPROVAL',
          reason: `The release passed every earlier environment; deploying to ${event.environment} needs a manual approval.`,
        },
      ];
    case 'health-check': {
      const details = event.alarms.filter((alarm) => alarm.state !== 'OK').map((alarm) => `${alarm.name} (${alarm.severity}) is ${alarm.state}`);
      const common = { ...base, environment: event.environment, stage: 'Health check', reason: event.reason, details };
      if (event.verdict === 'fail') return [{ ...common, kind: 'health-check-failed', outcome: 'ROLLING_BACK' }];
      if (event.verdict === 'pause-for-review') return [{ ...common, kind: 'review-needed', outcome: 'PAUSED' }];
      return [];
    }
    case 'rollback': {
      const target = event.targetCommitId === undefined ? [] : [`Restoring commit ${event.targetCommitId}`];
      const common = {
        ...base,
        environment: event.environment,
        stage: `Rollback (${event.scope})`,
        reason: event.reason,
        details: [`Triggered by ${event.trigger}`, ...target],
      };
      if (event.phase === 'started') return [{ ...common, kind: 'rollback-started', outcome: 'ROLLING_BACK' }];
      if (event.phase === 'succeeded') return [{ ...common, kind: 'rollback-succeeded', outcome: 'ROLLED_BACK' }];
      return [{ ...common, kind: 'rollback-failed', outcome: 'ROLLBACK_FAILED' }];
    }
    case 'action':
      return [];
  }
}

/**
 * Builds the context of a notice from the execution's timeline (as recorded so far): its commit
 * (unknown stays out of the notice), and for a failure the latest failed action and its stage.
 */
export function noticeContextFromTimeline(
  timeline: readonly HistoryEvent[],
  link: string,
  finalStage: string,
): NoticeContext {
  const commit = mergeCommit(canonicalEvents(timeline));
  const failedAction = canonicalEvents(timeline)
    .filter((event) => event.kind === 'action' && event.state === 'FAILED')
    .at(-1);
  const failure =
    failedAction?.kind === 'action'
      ? {
          failureReason: `Action ${failedAction.action} in stage ${failedAction.stage} failed${failedAction.summary === undefined ? '.' : `: ${failedAction.summary}`}`,
          failedStage: { stage: failedAction.stage, ...(failedAction.environment === undefined ? {} : { environment: failedAction.environment }) },
        }
      : {};
  return { link, finalStage, ...(commit.id === UNKNOWN_COMMIT_ID ? {} : { commit }), ...failure };
}
