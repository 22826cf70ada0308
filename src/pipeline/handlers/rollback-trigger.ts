/**
 * The rollback Lambda, target of two EventBridge rules: an environment stage of the pipeline FAILED
 * ("CodePipeline Stage Execution State Change": failed deployment, failed post-deployment tests, or
 * the health-check action failing), and the health monitor's own execution ending badly ("Step
 * Functions Execution Status Change"). Both name the same pipeline execution and environment, so
 * they share one rollback key: the ledger's lease turns them into one rollback.
 */
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import * as z from 'zod';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../../shared/config/schema.js';
import { ConfigurationError, MalformedInputError } from '../../shared/errors.js';
import { requireEnv, type Environment } from '../../shared/environment.js';
import { CodePipelineControl } from '../adapters/aws/codepipeline-control.js';
import { DynamoDbRollbackLedger } from '../adapters/aws/dynamodb-rollback-ledger.js';
import { runRollback, type RollbackDependencies, type RollbackOutcome } from '../domain/rollback/rollback-orchestrator.js';
import type { RollbackRequest } from '../domain/rollback/rollback-plan.js';
import { DEFAULT_ROLLBACK_TIMING, type RollbackTiming } from '../domain/rollback/rollback-timing.js';
import { applicationStageName, stageRole } from '../domain/stage-names.js';
import { systemClock } from '../../shared/clock.js';
import { uuidGenerator } from '../../shared/id-generator.js';
import { DEPLOYMENT_RUNTIME_ENV, historyAndNotifier } from './deployment-runtime.js';
import { lambdaLog, type Log } from './pipeline-event-common.js';
import { FUNCTION_CALLERS } from '../../shared/aws/callers.js';
import { recordCalls } from '../../shared/aws/call-recorder.js';

/** What the trigger needs: the orchestrator's dependencies, the pipeline it watches, and a log. */
export interface RollbackTriggerDependencies extends RollbackDependencies {
  readonly pipelineName: string;
  readonly log: Log;
}

/** The part of the Lambda context the handler uses: the time it has left. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

/** What one event led to. */
export type RollbackTriggerResult = { readonly kind: 'ignored'; readonly reason: string } | { readonly kind: RollbackOutcome['kind']; readonly key: string };

const stageFailed = z.object({
  id: z.string(),
  source: z.literal('aws.codepipeline'),
  'detail-type': z.literal('CodePipeline Stage Execution State Change'),
  detail: z.object({ pipeline: z.string().min(1), 'execution-id': z.string().min(1), stage: z.string().min(1), state: z.string() }),
});
const monitorEnded = z.object({
  id: z.string(),
  source: z.literal('aws.states'),
  'detail-type': z.literal('Step Functions Execution Status Change'),
  detail: z.object({ status: z.string(), executionArn: z.string(), input: z.string().nullable().optional() }),
});
const monitorInput = z.object({ environment: z.enum(ENVIRONMENT_NAMES), executionId: z.string().min(1), stage: z.string().min(1) });

/** Statuses of a health-monitor execution that mean "roll back" (SUCCEEDED and RUNNING do not). */
const MONITOR_FAILURES = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

/** Turns either event into a rollback request, or says why it needs none. */
export function requestFromEvent(event: unknown, pipelineName: string, environments: readonly EnvironmentName[]): RollbackRequest | { readonly ignore: string } {
  const stage = stageFailed.safeParse(event);
  if (stage.success) {
    const { detail } = stage.data;
    if (detail.pipeline !== pipelineName) return { ignore: `Event for pipeline ${detail.pipeline}, not ${pipelineName}.` };
    if (detail.state !== 'FAILED') return { ignore: `Stage ${detail.stage} is ${detail.state}, not FAILED.` };
    const role = stageRole(detail.stage, environments);
    if (role.kind !== 'application' && role.kind !== 'infrastructure') {
      return { ignore: `Stage ${detail.stage} deploys no environment: a failure there blocks the release, there is nothing to roll back.` };
    }
    return {
      pipelineName,
      environment: role.environment,
      stage: detail.stage,
      executionId: detail['execution-id'],
      trigger: `stage-failed:${detail.stage}`,
      reason: `Stage ${detail.stage} failed in execution ${detail['execution-id']}.`,
    };
  }
  const monitor = monitorEnded.safeParse(event);
  if (monitor.success) {
    const { detail } = monitor.data;
    if (!MONITOR_FAILURES.has(detail.status)) return { ignore: `Health monitor ${detail.status}: nothing to roll back.` };
    let input: unknown;
    try {
      input = JSON.parse(detail.input ?? '');
    } catch {
      throw new MalformedInputError(`Health monitor execution ${detail.executionArn} has no JSON input; the event cannot name the release to roll back.`, { executionArn: detail.executionArn });
    }
    const parsed = monitorInput.safeParse(input);
    if (!parsed.success) throw new MalformedInputError(`Health monitor input lacks environment, executionId or stage: ${parsed.error.message}`, { executionArn: detail.executionArn });
    return {
      pipelineName,
      environment: parsed.data.environment,
      stage: applicationStageName(parsed.data.environment),
      executionId: parsed.data.executionId,
      trigger: 'health-check',
      reason: `The health monitor ended ${detail.status} (${detail.executionArn}).`,
    };
  }
  throw new MalformedInputError('Neither a "CodePipeline Stage Execution State Change" nor a "Step Functions Execution Status Change" event; check the EventBridge rules of the rollback construct.', {});
}

/** Builds the handler around its dependencies. */
export function createHandler(deps: RollbackTriggerDependencies): (event: unknown, context?: InvocationContext) => Promise<RollbackTriggerResult> {
  return async (event, context) => {
    const request = requestFromEvent(event, deps.pipelineName, deps.environments);
    if ('ignore' in request) {
      deps.log({ level: 'info', message: request.ignore });
      return { kind: 'ignored', reason: request.ignore };
    }
    const latest = (await deps.history.list({ environment: request.environment })).find((record) => record.executionId === request.executionId);
    if (latest?.isRollback === true) {
      const reason = `Execution ${request.executionId} is itself a rollback; the orchestrator that started it handles its failure.`;
      deps.log({ level: 'info', message: reason });
      return { kind: 'ignored', reason };
    }
    // The budget never outlives the invocation: Lambda stops at its timeout, records included.
    const remaining = context === undefined ? deps.timing.budgetSeconds : Math.floor(context.getRemainingTimeInMillis() / 1000);
    const timing: RollbackTiming = { ...deps.timing, budgetSeconds: Math.min(deps.timing.budgetSeconds, remaining) };
    const outcome = await runRollback({ ...deps, timing }, request);
    deps.log({ level: outcome.kind === 'failed' ? 'error' : 'info', message: `Rollback ${outcome.kind}.`, key: outcome.plan.key, environment: request.environment, executionId: request.executionId, trigger: request.trigger });
    return { kind: outcome.kind, key: outcome.plan.key };
  };
}

const SET_BY = 'the Rollback construct (infrastructure/lib/constructs/rollback)';

/** A wait in whole seconds, from the variable the Rollback construct computes from the configuration. */
function waitSeconds(environment: Environment, key: string): number {
  const raw = requireEnv(environment, key, SET_BY);
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigurationError(`Environment variable ${key} must be a positive whole number of seconds, got ${JSON.stringify(raw)}; it is set by ${SET_BY}.`, { key, value: raw });
  }
  return value;
}

/**
 * The orchestrator's timing: retries, poll interval, budget and reserve from the defaults, and the two
 * waits from the stage-rollback durations the construct modelled for this configuration
 * (rollback-duration.ts): a fixed wait shorter than a real stage rollback sent a full rollback into a
 * stage that was still rolling back.
 */
export function timingFromEnvironment(environment: Environment): RollbackTiming {
  return {
    ...DEFAULT_ROLLBACK_TIMING,
    stageTimeoutSeconds: waitSeconds(environment, DEPLOYMENT_RUNTIME_ENV.stageRollbackWait),
    fullTimeoutSeconds: waitSeconds(environment, DEPLOYMENT_RUNTIME_ENV.fullRollbackWait),
  };
}

/** Builds the production dependencies from the Lambda environment (once per cold start). */
export function dependenciesFromEnvironment(environment: Environment): RollbackTriggerDependencies {
  const pipelineName = requireEnv(environment, DEPLOYMENT_RUNTIME_ENV.pipelineName, SET_BY);
  const { history, notifier, documents } = historyAndNotifier(environment, SET_BY, FUNCTION_CALLERS.rollbackOrchestrator);
  const sourceAction = requireEnv(environment, DEPLOYMENT_RUNTIME_ENV.sourceAction, SET_BY);
  return {
    pipelineName,
    history,
    notifier,
    ledger: new DynamoDbRollbackLedger(documents, requireEnv(environment, DEPLOYMENT_RUNTIME_ENV.ledgerTable, SET_BY)),
    pipeline: new CodePipelineControl(recordCalls(new CodePipelineClient({ requestHandler: { requestTimeout: DEFAULT_ROLLBACK_TIMING.callTimeoutSeconds * 1000 } }), FUNCTION_CALLERS.rollbackOrchestrator, environment), pipelineName, sourceAction),
    clock: systemClock,
    ids: uuidGenerator,
    timing: timingFromEnvironment(environment),
    environments: ENVIRONMENT_NAMES,
    log: lambdaLog,
  };
}

let cached: ((event: unknown, context?: InvocationContext) => Promise<RollbackTriggerResult>) | undefined;

/** Lambda entry point; dependencies are built once per cold start. */
export const handler = (event: unknown, context?: InvocationContext): Promise<RollbackTriggerResult> => {
  cached ??= createHandler(dependenciesFromEnvironment(process.env));
  return cached(event, context);
};
