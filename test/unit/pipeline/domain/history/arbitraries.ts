import fc from 'fast-check';
import type { DeploymentStatus, EnvironmentName, HealthStatus, HistoryEvent } from '../../../../../src/pipeline/domain/history-model.js';

/**
 * Shared generators for deployment-history properties: whole pipeline histories, several
 * executions deploying test → staging → production, with health checks, reviews (approved and
 * rejected), rollbacks (succeeded and failed), a manual approval before production (approved or
 * rejected), rollback executions, and events of one execution falling in the same second.
 *
 * Each generated execution carries what the deployment records must say about it, written from the
 * rules of docs/observability.md and the history model, not from the fold: that is the oracle.
 */

/** How one environment's deployment ends. */
export type EnvironmentStory = 'healthy' | 'review-approved' | 'review-rejected' | 'unhealthy-rolled-back' | 'rollback-failed' | 'deploy-fails';

/** What the records must show for one environment of one execution. */
export interface ExpectedRecord {
  readonly executionId: string;
  readonly environment: EnvironmentName;
  readonly status: DeploymentStatus;
  readonly health: HealthStatus;
  readonly isRollback: boolean;
}

/** One generated history: the events in the order they happened, and the records they must fold into. */
export interface GeneratedHistory {
  readonly events: readonly HistoryEvent[];
  readonly expected: readonly ExpectedRecord[];
}

const ENVIRONMENTS: readonly EnvironmentName[] = ['test', 'staging', 'production'];
const STAGE_PREFIX: Readonly<Record<EnvironmentName, string>> = { test: 'Test', staging: 'Staging', production: 'Production' };

const OUTCOME: Readonly<Record<EnvironmentStory, { status: DeploymentStatus; health: HealthStatus; continues: boolean }>> = {
  healthy: { status: 'succeeded', health: 'passed', continues: true },
  'review-approved': { status: 'succeeded', health: 'passed', continues: true },
  'review-rejected': { status: 'rolled-back', health: 'failed', continues: false },
  'unhealthy-rolled-back': { status: 'rolled-back', health: 'failed', continues: false },
  'rollback-failed': { status: 'failed', health: 'failed', continues: false },
  'deploy-fails': { status: 'failed', health: 'pending', continues: false },
};

interface ExecutionPlan {
  readonly rollbackExecution: boolean;
  readonly stories: readonly EnvironmentStory[];
  readonly productionApproved: boolean;
  /** Seconds between consecutive facts: 0 puts two facts in the same second (EventBridge's resolution). */
  readonly gaps: readonly number[];
  readonly startMinute: number;
}

const environmentStory: fc.Arbitrary<EnvironmentStory> = fc.constantFrom('healthy', 'review-approved', 'review-rejected', 'unhealthy-rolled-back', 'rollback-failed', 'deploy-fails');

const executionPlan: fc.Arbitrary<ExecutionPlan> = fc.record({
  rollbackExecution: fc.boolean(),
  stories: fc.array(environmentStory, { minLength: 3, maxLength: 3 }),
  productionApproved: fc.boolean(),
  gaps: fc.array(fc.constantFrom(0, 1, 1, 2, 5), { minLength: 40, maxLength: 40 }),
  startMinute: fc.integer({ min: 0, max: 600 }),
});

/** The events of one execution and what its records must be. */
function execution(executionId: string, plan: ExecutionPlan): GeneratedHistory {
  const base = { pipelineName: 'kiro', executionId };
  let second = 0;
  let step = 0;
  let serial = 0;
  const events: HistoryEvent[] = [];
  const next = (): { eventId: string; at: string } => {
    second += plan.gaps[step % plan.gaps.length] ?? 1;
    step += 1;
    serial += 1;
    return { eventId: `${executionId}-${String(serial).padStart(3, '0')}`, at: new Date(Date.UTC(2026, 0, 5, 9, plan.startMinute, second)).toISOString() };
  };
  const expected: ExpectedRecord[] = [];
  events.push({
    ...base,
    ...next(),
    kind: 'execution',
    state: 'STARTED',
    triggerType: plan.rollbackExecution ? 'AutomatedRollback' : 'Webhook',
    commit: { id: executionId.padEnd(40, '0').slice(0, 40), message: 'change', author: 'Ada' },
  });
  for (const [index, environment] of ENVIRONMENTS.entries()) {
    const story = plan.stories[index] ?? 'healthy';
    if (environment === 'production') {
      events.push({ ...base, ...next(), kind: 'approval', environment, decision: 'requested' });
      if (!plan.productionApproved) {
        events.push({ ...base, ...next(), kind: 'approval', environment, decision: 'rejected', actor: 'reviewer', comment: 'not today' });
        events.push({ ...base, ...next(), kind: 'execution', state: 'FAILED' });
        return { events, expected };
      }
      events.push({ ...base, ...next(), kind: 'approval', environment, decision: 'approved', actor: 'reviewer' });
    }
    const infrastructure = `${STAGE_PREFIX[environment]}-Infrastructure`;
    const application = `${STAGE_PREFIX[environment]}-Application`;
    events.push({ ...base, ...next(), kind: 'stage', stage: infrastructure, environment, state: 'STARTED' });
    events.push({ ...base, ...next(), kind: 'stage', stage: infrastructure, environment, state: 'SUCCEEDED' });
    events.push({ ...base, ...next(), kind: 'stage', stage: application, environment, state: 'STARTED' });
    const health = (verdict: 'check' | 'pass' | 'fail' | 'pause-for-review' | 'review-approved' | 'review-rejected'): void => {
      events.push({ ...base, ...next(), kind: 'health-check', environment, verdict, reason: verdict, alarms: [] });
    };
    const rollback = (phase: 'started' | 'succeeded' | 'failed'): void => {
      events.push({ ...base, ...next(), kind: 'rollback', rollbackId: `${executionId}-${environment}`, scope: 'stage', phase, environment, trigger: 'health-check', reason: `rollback ${phase}` });
    };
    const stageEnds = (state: 'SUCCEEDED' | 'FAILED'): void => {
      events.push({ ...base, ...next(), kind: 'stage', stage: application, environment, state });
    };
    switch (story) {
      case 'healthy':
        health('check');
        health('pass');
        stageEnds('SUCCEEDED');
        break;
      case 'review-approved':
        health('check');
        health('pause-for-review');
        health('review-approved');
        stageEnds('SUCCEEDED');
        break;
      case 'review-rejected':
        health('pause-for-review');
        health('review-rejected');
        rollback('started');
        rollback('succeeded');
        stageEnds('FAILED');
        break;
      case 'unhealthy-rolled-back':
        health('check');
        health('fail');
        rollback('started');
        rollback('succeeded');
        stageEnds('FAILED');
        break;
      case 'rollback-failed':
        health('fail');
        rollback('started');
        rollback('failed');
        stageEnds('FAILED');
        break;
      case 'deploy-fails':
        events.push({ ...base, ...next(), kind: 'action', stage: application, action: 'Deploy', environment, state: 'FAILED', summary: 'Deployment failed' });
        stageEnds('FAILED');
        break;
    }
    const outcome = OUTCOME[story];
    expected.push({ executionId, environment, status: outcome.status, health: outcome.health, isRollback: plan.rollbackExecution });
    if (!outcome.continues) {
      events.push({ ...base, ...next(), kind: 'execution', state: 'FAILED' });
      return { events, expected };
    }
  }
  events.push({ ...base, ...next(), kind: 'execution', state: 'SUCCEEDED' });
  return { events, expected };
}

/** A history of one to four executions (possibly overlapping in time), each with its expected records. */
export const pipelineHistory: fc.Arbitrary<GeneratedHistory> = fc.array(executionPlan, { minLength: 1, maxLength: 4 }).map((plans) => {
  const parts = plans.map((plan, index) => execution(`exec-${String(index + 1)}`, plan));
  return { events: parts.flatMap((part) => part.events), expected: parts.flatMap((part) => part.expected) };
});

/** Any re-delivery of the events: every event at least once, some several times, in any order. */
export function redeliveries<T>(events: readonly T[]): fc.Arbitrary<T[]> {
  return fc
    .array(fc.integer({ min: 1, max: 3 }), { minLength: events.length, maxLength: events.length })
    .chain((copies) => {
      const delivered = events.flatMap((event, index) => Array.from({ length: copies[index] ?? 1 }, () => event));
      return fc.shuffledSubarray(delivered, { minLength: delivered.length, maxLength: delivered.length });
    });
}

/** A history together with one re-delivery of its events. */
export const redeliveredHistory: fc.Arbitrary<{ history: GeneratedHistory; delivered: HistoryEvent[] }> = pipelineHistory.chain((history) =>
  redeliveries(history.events).map((delivered) => ({ history, delivered })),
);
