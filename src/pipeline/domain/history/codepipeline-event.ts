/**
 * Normalises CodePipeline's EventBridge events ("CodePipeline Pipeline / Stage / Action Execution
 * State Change") into history events. Shapes follow the AWS documentation, "Monitoring CodePipeline
 * events" (https://docs.aws.amazon.com/codepipeline/latest/userguide/detect-state-changes-cloudwatch-events.html);
 * the fixtures in test/fixtures/events/codepipeline-*.json are copies of those shapes.
 *
 * Where the commit comes from (see docs/observability.md): pipelines started by a connection
 * trigger carry it in `detail.execution-trigger` (`commit-id`, `commit-message`,
 * `author-display-name`, `author-date`, `full-repository-name`); every execution's source action
 * reports it in its SUCCEEDED event (`execution-result.external-execution-id`, and for connections
 * a JSON `external-execution-summary` holding `CommitMessage`). Both are taken here.
 */
import * as z from 'zod';
import type {
  ActionEvent,
  ApprovalEvent,
  ArtifactLocation,
  CommitInfo,
  EnvironmentName,
  ExecutionEvent,
  HistoryEvent,
  StageEvent,
} from '../history-model.js';
import { PIPELINE_STAGES, stageRole } from '../stage-names.js';

/** The three detail types CodePipeline emits. */
export const CODEPIPELINE_DETAIL_TYPES = {
  pipeline: 'CodePipeline Pipeline Execution State Change',
  stage: 'CodePipeline Stage Execution State Change',
  action: 'CodePipeline Action Execution State Change',
} as const;

/** The result of normalising one EventBridge event: history events, or a reason to reject it. */
export type NormalisedEvent =
  | { readonly kind: 'accepted'; readonly events: readonly HistoryEvent[] }
  /**
   * A well-formed event whose only unknown is its state: one CodePipeline may add (its API already
   * lists a `Skipped` stage status, and this pipeline skips stages by condition) and that no
   * history fact stands for. Nothing to record, and nothing wrong: no dead letter, no alarm.
   */
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'rejected'; readonly reason: string };

const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 time such as "2026-01-05T09:00:00Z"' });
const name = z.string().min(1).max(200);

const trigger = z
  .object({
    'trigger-type': z.string().optional(),
    'trigger-detail': z.string().optional(),
    'commit-id': z.string().optional(),
    'commit-message': z.string().optional(),
    'author-display-name': z.string().optional(),
    'author-date': z.string().optional(),
    'full-repository-name': z.string().optional(),
    'provider-type': z.string().optional(),
    'connection-arn': z.string().optional(),
  })
  .loose();

const commonDetail = {
  pipeline: name,
  'execution-id': z.string().regex(/^[A-Za-z0-9-]{1,100}$/, { message: 'must be a pipeline execution id' }),
};

const pipelineDetail = z
  .object({
    ...commonDetail,
    state: z.enum(['STARTED', 'RESUMED', 'STOPPING', 'STOPPED', 'CANCELED', 'SUPERSEDED', 'FAILED', 'SUCCEEDED']),
    'execution-trigger': trigger.optional(),
  })
  .loose();

const stageDetail = z
  .object({
    ...commonDetail,
    stage: name,
    state: z.enum(['STARTED', 'RESUMED', 'STOPPING', 'STOPPED', 'CANCELED', 'FAILED', 'SUCCEEDED']),
  })
  .loose();

const actionDetail = z
  .object({
    ...commonDetail,
    stage: name,
    action: name,
    state: z.enum(['STARTED', 'ABANDONED', 'CANCELED', 'FAILED', 'SUCCEEDED']),
    type: z.object({ category: z.string().optional(), provider: z.string().optional() }).loose().optional(),
    'execution-result': z
      .object({
        'external-execution-id': z.string().optional(),
        'external-execution-summary': z.string().optional(),
        'external-execution-url': z.string().optional(),
      })
      .loose()
      .optional(),
    'output-artifacts': z
      .array(z.object({ name: z.string().min(1).max(100), s3location: z.object({ bucket: z.string().min(3).max(63), key: z.string().min(1).max(1024) }).loose() }).loose())
      .optional(),
  })
  .loose();

const envelope = z
  .object({
    id: z.string().min(1).max(200),
    source: z.literal('aws.codepipeline', { message: 'must be "aws.codepipeline"' }),
    'detail-type': z.enum(Object.values(CODEPIPELINE_DETAIL_TYPES), {
      message: `must be one of: ${Object.values(CODEPIPELINE_DETAIL_TYPES).join('; ')}`,
    }),
    time: isoTime,
    detail: z.unknown(),
  })
  .loose();

const SHA = /^[0-9a-f]{40}$/;

/**
 * `ignored` when the detail's only problem is a state outside the modelled set (and the state looks
 * like one of CodePipeline's: capitals, so it is safe to name in a log), else `rejected`.
 */
function notAccepted(error: z.ZodError, detail: unknown, detailType: string): Exclude<NormalisedEvent, { kind: 'accepted' }> {
  const onlyTheState = error.issues.every((issue) => issue.path.length === 1 && issue.path[0] === 'state' && issue.code === 'invalid_value');
  const state = typeof detail === 'object' && detail !== null && 'state' in detail ? detail.state : undefined;
  if (onlyTheState && typeof state === 'string' && /^[A-Z_]{1,40}$/.test(state)) {
    return { kind: 'ignored', reason: `a "${detailType}" event in state ${state}, which no history fact stands for` };
  }
  return { kind: 'rejected', reason: describeIssues(error, 'detail') };
}

function describeIssues(error: z.ZodError, prefix: string): string {
  return error.issues
    .map((issue) => `${[prefix, ...issue.path.map(String)].filter((part) => part !== '').join('.')}: ${issue.message}`)
    .join('; ');
}

function githubCommitUrl(repository: string | undefined, commitId: string): string | undefined {
  return repository === undefined ? undefined : `https://github.com/${repository}/commit/${commitId}`;
}

function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

function commitFromTrigger(value: z.infer<typeof trigger> | undefined): CommitInfo | undefined {
  const id = value?.['commit-id'];
  if (value === undefined || id === undefined || !SHA.test(id)) return undefined;
  const isGitHub = value['provider-type'] === undefined || value['provider-type'].startsWith('GitHub');
  return compact({
    id,
    message: value['commit-message'],
    author: value['author-display-name'],
    committedAt: value['author-date'],
    url: isGitHub ? githubCommitUrl(value['full-repository-name'], id) : undefined,
  });
}

const connectionSummary = z.object({ CommitMessage: z.string().optional(), ProviderType: z.string().optional() }).loose();

function commitFromSourceAction(detail: z.infer<typeof actionDetail>): CommitInfo | undefined {
  const result = detail['execution-result'];
  const id = result?.['external-execution-id'];
  if (detail.type?.category !== 'Source' || detail.state !== 'SUCCEEDED' || id === undefined || !SHA.test(id)) return undefined;
  const summary = result?.['external-execution-summary'];
  let message = summary;
  let provider: string | undefined;
  if (summary?.startsWith('{') === true) {
    try {
      const parsed = connectionSummary.safeParse(JSON.parse(summary));
      message = parsed.success ? parsed.data.CommitMessage : undefined;
      provider = parsed.success ? parsed.data.ProviderType : undefined;
    } catch {
      message = summary;
    }
  }
  const repository = result?.['external-execution-url']?.match(/[?&]FullRepositoryId=([^&]+)/)?.[1];
  const url = provider === 'GitHub' && repository !== undefined ? githubCommitUrl(decodeURIComponent(repository), id) : undefined;
  return compact({ id, message, url });
}

/**
 * The S3 locations of a SUCCEEDED Build-stage action's output artifacts (documented in the action
 * event's `output-artifacts`, API type ArtifactDetail). Other actions' artifacts (the source
 * checkout, deployment outputs) are not kept: the history records the build's, which holds the SBOMs.
 */
function buildArtifacts(detail: z.infer<typeof actionDetail>): ArtifactLocation[] | undefined {
  const artifacts = detail['output-artifacts'];
  if (detail.stage !== PIPELINE_STAGES.build || detail.state !== 'SUCCEEDED' || artifacts === undefined || artifacts.length === 0) return undefined;
  return artifacts.map((artifact) => ({ name: artifact.name, bucket: artifact.s3location.bucket, key: artifact.s3location.key }));
}

function environmentOf(stage: string, environments: readonly EnvironmentName[]): EnvironmentName | undefined {
  const role = stageRole(stage, environments);
  return role.kind === 'pipeline' ? undefined : role.environment;
}

const APPROVAL_DECISIONS: Readonly<Partial<Record<ActionEvent['state'], ApprovalEvent['decision']>>> = {
  STARTED: 'requested',
  SUCCEEDED: 'approved',
  // CodePipeline reports both a rejection and an expired approval as FAILED.
  FAILED: 'rejected',
};

/**
 * Turns one raw EventBridge event into history events. An approval action yields its action event
 * and an approval audit event (id `<event id>:approval`). Anything that is not a CodePipeline event
 * of the documented shape is rejected with a reason naming the offending field (values are never
 * echoed, so a reason is safe to log).
 */
export function normaliseCodePipelineEvent(raw: unknown, environments: readonly EnvironmentName[]): NormalisedEvent {
  const outer = envelope.safeParse(raw);
  if (!outer.success) return { kind: 'rejected', reason: describeIssues(outer.error, '') };
  const { id: eventId, time: at } = outer.data;

  switch (outer.data['detail-type']) {
    case CODEPIPELINE_DETAIL_TYPES.pipeline: {
      const parsed = pipelineDetail.safeParse(outer.data.detail);
      if (!parsed.success) return notAccepted(parsed.error, outer.data.detail, outer.data['detail-type']);
      const detail = parsed.data;
      const commit = commitFromTrigger(detail['execution-trigger']);
      const triggerType = detail['execution-trigger']?.['trigger-type'];
      const triggerDetail = detail['execution-trigger']?.['trigger-detail'] ?? detail['execution-trigger']?.['connection-arn'];
      const event: ExecutionEvent = compact({
        kind: 'execution' as const,
        eventId,
        at,
        pipelineName: detail.pipeline,
        executionId: detail['execution-id'],
        state: detail.state,
        commit,
        triggerType,
        triggerDetail,
      });
      return { kind: 'accepted', events: [event] };
    }
    case CODEPIPELINE_DETAIL_TYPES.stage: {
      const parsed = stageDetail.safeParse(outer.data.detail);
      if (!parsed.success) return notAccepted(parsed.error, outer.data.detail, outer.data['detail-type']);
      const detail = parsed.data;
      const event: StageEvent = compact({
        kind: 'stage' as const,
        eventId,
        at,
        pipelineName: detail.pipeline,
        executionId: detail['execution-id'],
        stage: detail.stage,
        environment: environmentOf(detail.stage, environments),
        state: detail.state,
      });
      return { kind: 'accepted', events: [event] };
    }
    case CODEPIPELINE_DETAIL_TYPES.action: {
      const parsed = actionDetail.safeParse(outer.data.detail);
      if (!parsed.success) return notAccepted(parsed.error, outer.data.detail, outer.data['detail-type']);
      const detail = parsed.data;
      const environment = environmentOf(detail.stage, environments);
      const action: ActionEvent = compact({
        kind: 'action' as const,
        eventId,
        at,
        pipelineName: detail.pipeline,
        executionId: detail['execution-id'],
        stage: detail.stage,
        action: detail.action,
        environment,
        state: detail.state,
        summary: detail['execution-result']?.['external-execution-summary'],
        category: detail.type?.category,
        commit: commitFromSourceAction(detail),
        outputArtifacts: buildArtifacts(detail),
      });
      const decision = APPROVAL_DECISIONS[detail.state];
      if (detail.type?.category !== 'Approval' || environment === undefined || decision === undefined) {
        return { kind: 'accepted', events: [action] };
      }
      const approval: ApprovalEvent = compact({
        kind: 'approval' as const,
        eventId: `${eventId}:approval`,
        at,
        pipelineName: detail.pipeline,
        executionId: detail['execution-id'],
        environment,
        decision,
        comment: action.summary,
      });
      return { kind: 'accepted', events: [action, approval] };
    }
  }
}
