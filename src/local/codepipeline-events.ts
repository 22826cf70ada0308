/**
 * Builds EventBridge events shaped exactly like CodePipeline's ("CodePipeline Pipeline/Stage/Action
 * Execution State Change", the shapes kept as fixtures in test/fixtures/events), so the rehearsal
 * feeds the real recorder and notifier the same input AWS would.
 */
import type { ActionState, ExecutionState, StageState } from '../pipeline/domain/history-model.js';
import { CODEPIPELINE_DETAIL_TYPES } from '../pipeline/domain/history/codepipeline-event.js';
import type { IdGenerator } from '../shared/id-generator.js';

/** Where events come from: the pipeline, its account and region, and the event ids. */
export interface EventOrigin {
  readonly pipelineName: string;
  readonly account: string;
  readonly region: string;
  readonly ids: IdGenerator;
}

/** The commit a webhook-started execution carries in `execution-trigger`. */
export interface TriggerCommit {
  readonly id: string;
  readonly message: string;
  readonly author: string;
  /** ISO-8601 commit time. */
  readonly committedAt: string;
  /** `owner/repository`. */
  readonly repository: string;
}

/** One EventBridge event. */
export interface CodePipelineEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: 'aws.codepipeline';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
}

function envelope(origin: EventOrigin, detailType: string, at: Date, detail: Record<string, unknown>): CodePipelineEvent {
  return {
    version: '0',
    id: origin.ids.next(),
    'detail-type': detailType,
    source: 'aws.codepipeline',
    account: origin.account,
    // EventBridge times have second precision; the detail keeps the execution's own order.
    time: at.toISOString(),
    region: origin.region,
    resources: [`arn:aws:codepipeline:${origin.region}:${origin.account}:${origin.pipelineName}`],
    detail: { pipeline: origin.pipelineName, ...detail, version: 1, 'pipeline-execution-attempt': 1 },
  };
}

/** "CodePipeline Pipeline Execution State Change". */
export function executionEvent(
  origin: EventOrigin,
  at: Date,
  executionId: string,
  state: ExecutionState,
  trigger: { readonly type: string; readonly detail?: string; readonly commit?: TriggerCommit },
): CodePipelineEvent {
  const commit = trigger.commit;
  return envelope(origin, CODEPIPELINE_DETAIL_TYPES.pipeline, at, {
    'execution-id': executionId,
    'start-time': at.toISOString(),
    state,
    'execution-trigger': {
      'trigger-type': trigger.type,
      ...(trigger.detail === undefined ? {} : { 'trigger-detail': trigger.detail }),
      ...(commit === undefined
        ? {}
        : {
            'commit-id': commit.id,
            'commit-message': commit.message,
            'author-display-name': commit.author,
            'author-date': commit.committedAt,
            'full-repository-name': commit.repository,
            'provider-type': 'GitHub',
          }),
    },
  });
}

/** "CodePipeline Stage Execution State Change". */
export function stageEvent(origin: EventOrigin, at: Date, executionId: string, stage: string, state: StageState): CodePipelineEvent {
  return envelope(origin, CODEPIPELINE_DETAIL_TYPES.stage, at, { 'execution-id': executionId, stage, state });
}

/** "CodePipeline Action Execution State Change". */
export function actionEvent(
  origin: EventOrigin,
  at: Date,
  executionId: string,
  stage: string,
  action: string,
  state: ActionState,
  type: { readonly category: string; readonly provider: string },
  summary?: string,
  externalExecutionId?: string,
): CodePipelineEvent {
  return envelope(origin, CODEPIPELINE_DETAIL_TYPES.action, at, {
    'execution-id': executionId,
    stage,
    action,
    'action-execution-id': origin.ids.next(),
    state,
    region: origin.region,
    type: { owner: 'AWS', category: type.category, provider: type.provider, version: '1' },
    ...(summary === undefined && externalExecutionId === undefined
      ? {}
      : { 'execution-result': { ...(summary === undefined ? {} : { 'external-execution-summary': summary }), ...(externalExecutionId === undefined ? {} : { 'external-execution-id': externalExecutionId }) } }),
  });
}
