/**
 * The alarm-event Lambda, target of the EventBridge rule on "CloudWatch Alarm State Change" events
 * for the environments' watched alarms (forwarded from each environment account to the pipeline
 * account's default bus). It records every change in the history and, for a critical alarm entering
 * ALARM, marks it for the execution being deployed or baked and wakes a sleeping health monitor at
 * once (SendTaskFailure on its watch token) instead of at the next poll.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import * as z from 'zod';
import { MalformedInputError } from '../../shared/errors.js';
import { requireEnv, type Environment } from '../../shared/environment.js';
import { DynamoDbHealthSignals } from '../adapters/aws/dynamodb-health-signals.js';
import { SfnReviewGate } from '../adapters/aws/sfn-review-gate.js';
import { decideAlarmEvent, type AlarmEventDecision, type AlarmStateChange, type WatchedAlarmsByEnvironment } from '../domain/health/alarm-event.js';
import type { EnvironmentName } from '../domain/history-model.js';
import type { DeploymentHistory } from '../ports/deployment-history.js';
import type { HealthSignals } from '../ports/health-signals.js';
import type { ReviewGate } from '../ports/review-gate.js';
import { DEPLOYMENT_RUNTIME_ENV, environmentsFromEnv, historyAndNotifier } from './deployment-runtime.js';
import { watchedAlarms } from './health-monitor.js';
import { lambdaLog, type Log } from './pipeline-event-common.js';
import { FUNCTION_CALLERS } from '../../shared/aws/callers.js';
import { recordCalls } from '../../shared/aws/call-recorder.js';

/** What the alarm-event handler needs. */
export interface AlarmStateChangeDependencies {
  readonly pipelineName: string;
  readonly watched: WatchedAlarmsByEnvironment;
  readonly history: DeploymentHistory;
  readonly signals: HealthSignals;
  readonly gate: ReviewGate;
  readonly log: Log;
}

/** What one event led to. */
export interface AlarmStateChangeResult {
  readonly decision: AlarmEventDecision['kind'];
  /** The execution the change was recorded against, when one was running or deployed. */
  readonly executionId?: string;
  /** True when a sleeping health monitor was woken. */
  readonly interrupted: boolean;
}

const alarmState = z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']);
/** The fields of the documented event the handler uses; everything else is allowed and ignored. */
const alarmEvent = z.object({
  id: z.string().min(1),
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  source: z.literal('aws.cloudwatch'),
  account: z.string(),
  time: z.string().min(1),
  detail: z.object({
    alarmName: z.string().min(1),
    state: z.object({ value: alarmState, reason: z.string().default('') }),
    previousState: z.object({ value: alarmState }).optional(),
  }),
});

/** Parses a "CloudWatch Alarm State Change" event into the decision's input. */
export function parseAlarmEvent(event: unknown): AlarmStateChange {
  const parsed = alarmEvent.safeParse(event);
  if (!parsed.success) throw new MalformedInputError(`Not a "CloudWatch Alarm State Change" event: ${parsed.error.message}`, {});
  const { id, time, detail } = parsed.data;
  return {
    eventId: id,
    alarmName: detail.alarmName,
    state: detail.state.value,
    previousState: detail.previousState?.value ?? 'INSUFFICIENT_DATA',
    reason: detail.state.reason,
    at: new Date(Date.parse(time)).toISOString(),
  };
}

/** Token errors that only mean the watch already ended (it timed out into its next check, or the bake finished). */
const STALE_TOKEN_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/** Builds the handler around its dependencies. */
export function createHandler(deps: AlarmStateChangeDependencies): (event: unknown) => Promise<AlarmStateChangeResult> {
  /** The execution a change belongs to: the deployment running in the environment, else the bake running there. */
  const currentExecution = async (environment: EnvironmentName): Promise<{ executionId?: string; watchToken?: string }> => {
    const latest = await deps.history.latest(environment);
    const bake = await deps.signals.activeBake(environment);
    if (latest?.status === 'in-progress' && latest.executionId !== bake?.executionId) return { executionId: latest.executionId };
    if (bake !== undefined) return { executionId: bake.executionId, ...(bake.watchToken === undefined ? {} : { watchToken: bake.watchToken }) };
    return latest === undefined ? {} : { executionId: latest.executionId };
  };

  return async (event) => {
    let change: AlarmStateChange;
    try {
      change = parseAlarmEvent(event);
    } catch (error) {
      deps.log({ level: 'error', message: 'Rejected a malformed alarm event; it goes to the dead-letter queue.', reason: error instanceof Error ? error.message : String(error) });
      throw error;
    }
    const decision = decideAlarmEvent(change, deps.watched);
    if (decision.kind === 'ignore') {
      deps.log({ level: 'info', message: decision.reason, alarm: change.alarmName, eventId: change.eventId });
      return { decision: decision.kind, interrupted: false };
    }
    const { executionId, watchToken } = await currentExecution(decision.environment);
    deps.log({ level: decision.kind === 'interrupt' ? 'warn' : 'info', message: decision.reason, environment: decision.environment, executionId, eventId: change.eventId });
    if (executionId === undefined) return { decision: decision.kind, interrupted: false };

    await deps.history.record({
      kind: 'health-check',
      eventId: `alarm:${change.eventId}`,
      pipelineName: deps.pipelineName,
      executionId,
      at: change.at,
      environment: decision.environment,
      verdict: 'check',
      reason: decision.reason,
      alarms: [{ name: decision.alarm.name, severity: decision.alarm.severity, state: change.state }],
    });
    if (decision.kind !== 'interrupt') return { decision: decision.kind, executionId, interrupted: false };

    // Mark first, then wake: a monitor arming its watch after this mark still sees it (it reads after arming).
    await deps.signals.markCritical(decision.environment, executionId, { name: decision.alarm.name, at: change.at });
    if (watchToken === undefined) return { decision: decision.kind, executionId, interrupted: false };
    try {
      await deps.gate.interruptWatch(watchToken, decision.alarm.name, `went to ALARM at ${change.at}`);
      return { decision: decision.kind, executionId, interrupted: true };
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      if (!STALE_TOKEN_ERRORS.has(name)) throw error;
      // The watch already ended; its next check reads the mark above and fails.
      deps.log({ level: 'info', message: 'The health monitor was not asleep; its next check sees the critical alarm.', environment: decision.environment, executionId, awsError: name });
      return { decision: decision.kind, executionId, interrupted: false };
    }
  };
}

const SET_BY = 'the HealthMonitor construct (infrastructure/lib/constructs/health-monitor)';

/** Builds the production dependencies from the Lambda environment (once per cold start). */
export function dependenciesFromEnvironment(environment: Environment): AlarmStateChangeDependencies {
  const environments = environmentsFromEnv(environment, SET_BY);
  const { history, documents } = historyAndNotifier(environment, SET_BY, FUNCTION_CALLERS.alarmStateChange);
  return {
    pipelineName: requireEnv(environment, DEPLOYMENT_RUNTIME_ENV.pipelineName, SET_BY),
    watched: Object.fromEntries(environments.map((config) => [config.name, watchedAlarms(config)])),
    history,
    signals: new DynamoDbHealthSignals(documents, requireEnv(environment, DEPLOYMENT_RUNTIME_ENV.ledgerTable, SET_BY)),
    gate: new SfnReviewGate(recordCalls(new SFNClient({}), FUNCTION_CALLERS.alarmStateChange, environment)),
    log: lambdaLog,
  };
}

let cached: ((event: unknown) => Promise<AlarmStateChangeResult>) | undefined;

/** Lambda entry point; dependencies are built once per cold start. */
export const handler = (event: unknown): Promise<AlarmStateChangeResult> => {
  cached ??= createHandler(dependenciesFromEnvironment(process.env));
  return cached(event);
};
