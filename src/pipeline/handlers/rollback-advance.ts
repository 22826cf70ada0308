/**
 * The rollback state machine's one step: takes the rollback's progress one bounded step further
 * (take the lease; start a stage rollback, a full rollback or a restart; or poll what runs) and hands
 * back the new progress with how long to wait, or how the rollback ended. The state machine waits
 * between steps, so a rollback longer than one Lambda invocation is followed to its end.
 */
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import * as z from 'zod';
import { ENVIRONMENT_NAMES } from '../../shared/config/schema.js';
import { ConfigurationError, MalformedInputError } from '../../shared/errors.js';
import { requireEnv, type Environment } from '../../shared/environment.js';
import { CodePipelineControl } from '../adapters/aws/codepipeline-control.js';
import { DynamoDbRollbackLedger } from '../adapters/aws/dynamodb-rollback-ledger.js';
import { advanceRollback, type RollbackDependencies } from '../domain/rollback/rollback-orchestrator.js';
import type { RollbackProgress } from '../domain/rollback/rollback-progress.js';
import { DEFAULT_ROLLBACK_TIMING, type RollbackTiming } from '../domain/rollback/rollback-timing.js';
import { systemClock } from '../../shared/clock.js';
import { uuidGenerator } from '../../shared/id-generator.js';
import { DEPLOYMENT_RUNTIME_ENV, historyAndNotifier } from './deployment-runtime.js';
import { FUNCTION_CALLERS } from '../../shared/aws/callers.js';
import { recordCalls } from '../../shared/aws/call-recorder.js';

/** What the state machine's Choice reads: go on after `waitSeconds`, or the end. */
export type AdvanceStepResult =
  | { readonly progress: RollbackProgress; readonly waitSeconds: number }
  | {
      readonly done: {
        readonly kind: 'duplicate' | 'succeeded' | 'failed';
        readonly key: string;
        readonly rollbackId?: string;
        readonly scope?: 'stage' | 'full';
        readonly rollbackExecutionIds?: readonly string[];
        readonly reason?: string;
      };
    };

const call = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('starting'), attempt: z.number().int().nonnegative(), nextAt: z.iso.datetime() }),
  z.object({ kind: z.literal('waiting'), executionId: z.string().min(1), until: z.iso.datetime(), nextPollAt: z.iso.datetime(), timeoutSeconds: z.number() }),
  z.object({ kind: z.literal('done'), result: z.object({ ok: z.boolean() }).loose() }),
]);
/** The progress as the previous step (or the trigger) wrote it; the plan is the planner's own output, checked for its key. */
const progressEvent = z.object({
  progress: z.object({
    plan: z.object({ key: z.string().min(1), request: z.object({ pipelineName: z.string(), environment: z.enum(ENVIRONMENT_NAMES) }).loose() }).loose(),
    rollbackId: z.string().min(1),
    deadlineAt: z.iso.datetime().optional(),
    movedPipeline: z.boolean(),
    reasons: z.array(z.string()),
    step: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('acquire') }),
      z.object({ kind: z.literal('stage'), call }),
      z.object({ kind: z.literal('full'), calls: z.array(call) }),
      z.object({ kind: z.literal('restart'), call }),
    ]),
  }),
});

/** Builds the step around its dependencies. */
export function createHandler(deps: RollbackDependencies): (event: unknown) => Promise<AdvanceStepResult> {
  return async (event) => {
    const parsed = progressEvent.safeParse(event);
    if (!parsed.success) throw new MalformedInputError(`The rollback step needs { progress } as the trigger and the previous step write it: ${parsed.error.message}`, {});
    const result = await advanceRollback(deps, parsed.data.progress as unknown as RollbackProgress);
    // A Wait state takes whole seconds; at least one, so a step that is due at once never spins.
    if (!('done' in result)) return { progress: result.progress, waitSeconds: Math.max(1, Math.ceil(result.waitSeconds)) };
    const outcome = result.done;
    const key = outcome.plan.key;
    switch (outcome.kind) {
      case 'succeeded':
        return { done: { kind: 'succeeded', key, rollbackId: outcome.rollbackId, scope: outcome.scope, rollbackExecutionIds: outcome.rollbackExecutionIds } };
      case 'failed':
        return { done: { kind: 'failed', key, rollbackId: outcome.rollbackId, reason: outcome.reason } };
      case 'duplicate':
        return { done: { kind: 'duplicate', key, rollbackId: outcome.lease.rollbackId } };
      case 'planned':
        throw new MalformedInputError('A dry run never reaches the rollback state machine.', { key });
    }
  };
}

const SET_BY = 'the Rollback construct (infrastructure/lib/constructs/rollback)';

/** A duration in whole seconds, from a variable the Rollback construct computes from the configuration. */
function wholeSeconds(environment: Environment, key: string): number {
  const raw = requireEnv(environment, key, SET_BY);
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigurationError(`Environment variable ${key} must be a positive whole number of seconds, got ${JSON.stringify(raw)}; it is set by ${SET_BY}.`, { key, value: raw });
  }
  return value;
}

/**
 * The orchestrator's timing: retries, poll interval, budget and reserve from the defaults; the two
 * waits and how long to follow a rollback from the durations the construct modelled for this
 * configuration (rollback-duration.ts): a fixed wait shorter than a real stage rollback sent a full
 * rollback into a stage that was still rolling back, and a 900 s cut failed healthy restarts.
 */
export function timingFromEnvironment(environment: Environment): RollbackTiming {
  return {
    ...DEFAULT_ROLLBACK_TIMING,
    stageTimeoutSeconds: wholeSeconds(environment, DEPLOYMENT_RUNTIME_ENV.stageRollbackWait),
    fullTimeoutSeconds: wholeSeconds(environment, DEPLOYMENT_RUNTIME_ENV.fullRollbackWait),
    followSeconds: wholeSeconds(environment, DEPLOYMENT_RUNTIME_ENV.rollbackFollow),
  };
}

/** Builds the production dependencies from the Lambda environment (once per cold start). */
export function dependenciesFromEnvironment(environment: Environment): RollbackDependencies {
  const pipelineName = requireEnv(environment, DEPLOYMENT_RUNTIME_ENV.pipelineName, SET_BY);
  const { history, notifier, documents } = historyAndNotifier(environment, SET_BY, FUNCTION_CALLERS.rollbackAdvance);
  const sourceAction = requireEnv(environment, DEPLOYMENT_RUNTIME_ENV.sourceAction, SET_BY);
  return {
    history,
    notifier,
    ledger: new DynamoDbRollbackLedger(documents, requireEnv(environment, DEPLOYMENT_RUNTIME_ENV.ledgerTable, SET_BY)),
    pipeline: new CodePipelineControl(recordCalls(new CodePipelineClient({ requestHandler: { requestTimeout: DEFAULT_ROLLBACK_TIMING.callTimeoutSeconds * 1000 } }), FUNCTION_CALLERS.rollbackAdvance, environment), pipelineName, sourceAction),
    clock: systemClock,
    ids: uuidGenerator,
    timing: timingFromEnvironment(environment),
    environments: ENVIRONMENT_NAMES,
  };
}

let cached: ((event: unknown) => Promise<AdvanceStepResult>) | undefined;

/** Lambda entry point; dependencies are built once per cold start. */
export const handler = (event: unknown): Promise<AdvanceStepResult> => {
  cached ??= createHandler(dependenciesFromEnvironment(process.env));
  return cached(event);
};
