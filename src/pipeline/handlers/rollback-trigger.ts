/**
 * The rollback trigger Lambda, target of two EventBridge rules: an environment stage of the pipeline
 * FAILED ("CodePipeline Stage Execution State Change": failed deployment, failed post-deployment tests,
 * or the health-check action failing), and the health monitor's own execution ending badly ("Step
 * Functions Execution Status Change"). Both name the same pipeline execution and environment, so they
 * share one rollback key. The trigger does not wait for the rollback: it plans it and starts the
 * rollback state machine under a name derived from the key (rollback-advance.ts does the steps), so a
 * second trigger for the same release finds the first execution (or its lease) and does nothing.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../../shared/config/schema.js';
import { MalformedInputError } from '../../shared/errors.js';
import { requireEnv, type Environment } from '../../shared/environment.js';
import { DynamoDbDeploymentHistory } from '../adapters/aws/dynamodb-deployment-history.js';
import { DynamoDbRollbackLedger } from '../adapters/aws/dynamodb-rollback-ledger.js';
import { SfnRollbackExecutions } from '../adapters/aws/sfn-rollback-executions.js';
import { planFromHistory, type RollbackHistory } from '../domain/rollback/rollback-from-history.js';
import type { RollbackRequest } from '../domain/rollback/rollback-plan.js';
import { initialProgress } from '../domain/rollback/rollback-progress.js';
import { applicationStageName, stageRole } from '../domain/stage-names.js';
import type { RollbackExecutions } from '../ports/rollback-executions.js';
import type { RollbackLedger } from '../ports/rollback-ledger.js';
import { systemClock, type Clock } from '../../shared/clock.js';
import { uuidGenerator, type IdGenerator } from '../../shared/id-generator.js';
import { DEPLOYMENT_RUNTIME_ENV } from './deployment-runtime.js';
import { lambdaLog, type Log } from './pipeline-event-common.js';
import { FUNCTION_CALLERS } from '../../shared/aws/callers.js';
import { recordCalls } from '../../shared/aws/call-recorder.js';

/** What the trigger needs: the history to plan from, the ledger to check, and where rollbacks run. */
export interface RollbackTriggerDependencies extends RollbackHistory {
  readonly pipelineName: string;
  readonly ledger: RollbackLedger;
  readonly executions: RollbackExecutions;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly log: Log;
}

/** What one event led to: nothing, a started rollback execution, or one that exists already. */
export type RollbackTriggerResult =
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'started'; readonly key: string; readonly executionArn: string }
  | { readonly kind: 'duplicate'; readonly key: string };

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
export function createHandler(deps: RollbackTriggerDependencies): (event: unknown) => Promise<RollbackTriggerResult> {
  return async (event) => {
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
    const plan = await planFromHistory(deps, request);
    // A lease that finished, or that a running rollback (a manual one, another trigger's) still holds,
    // means this rollback is done or under way: the same rule as the ledger's conditional write.
    const lease = await deps.ledger.get(plan.key);
    const context = { key: plan.key, environment: request.environment, executionId: request.executionId, trigger: request.trigger };
    if (lease !== undefined && !(lease.status === 'running' && lease.expiresAt < deps.clock.now().toISOString())) {
      deps.log({ level: 'info', message: `Rollback ${lease.status} already (${lease.rollbackId}): nothing to start.`, ...context });
      return { kind: 'duplicate', key: plan.key };
    }
    const started = await deps.executions.start(plan.key, initialProgress(plan, deps.ids.next()));
    if (started.kind === 'exists') {
      deps.log({ level: 'info', message: 'The rollback execution for this key exists already: nothing to start.', ...context });
      return { kind: 'duplicate', key: plan.key };
    }
    deps.log({ level: 'info', message: `Rollback started (${started.executionArn}).`, ...context });
    return { kind: 'started', key: plan.key, executionArn: started.executionArn };
  };
}

const SET_BY = 'the Rollback construct (infrastructure/lib/constructs/rollback)';

/** Builds the production dependencies from the Lambda environment (once per cold start). */
export function dependenciesFromEnvironment(environment: Environment): RollbackTriggerDependencies {
  // The trigger only reads: the history to plan from and the lease. It notifies nobody; the state machine's steps do.
  const dynamodb = recordCalls(new DynamoDBClient({}), FUNCTION_CALLERS.rollbackOrchestrator, environment);
  return {
    pipelineName: requireEnv(environment, DEPLOYMENT_RUNTIME_ENV.pipelineName, SET_BY),
    history: new DynamoDbDeploymentHistory({ client: dynamodb, tableName: requireEnv(environment, DEPLOYMENT_RUNTIME_ENV.historyTable, SET_BY), clock: systemClock }),
    ledger: new DynamoDbRollbackLedger(DynamoDBDocumentClient.from(dynamodb), requireEnv(environment, DEPLOYMENT_RUNTIME_ENV.ledgerTable, SET_BY)),
    executions: new SfnRollbackExecutions(recordCalls(new SFNClient({}), FUNCTION_CALLERS.rollbackOrchestrator, environment), requireEnv(environment, DEPLOYMENT_RUNTIME_ENV.rollbackStateMachine, SET_BY)),
    clock: systemClock,
    ids: uuidGenerator,
    environments: ENVIRONMENT_NAMES,
    log: lambdaLog,
  };
}

let cached: ((event: unknown) => Promise<RollbackTriggerResult>) | undefined;

/** Lambda entry point; dependencies are built once per cold start. */
export const handler = (event: unknown): Promise<RollbackTriggerResult> => {
  cached ??= createHandler(dependenciesFromEnvironment(process.env));
  return cached(event);
};
