/**
 * The health monitor's Lambda: one function, one step per state-machine task (`start`, `check`,
 * `watch`, `review`, `conclude`). Each step parses its input, calls the ports and one pure decision,
 * and returns the bake state the state machine carries to the next step.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import * as z from 'zod';
import type { EnvironmentConfig } from '../../shared/config/schema.js';
import { MalformedInputError } from '../../shared/errors.js';
import { decideHealth, type AlarmReading, type HealthVerdict, type WatchedAlarm } from '../domain/health/health-verdict.js';
import type { EnvironmentName, HealthCheckEvent } from '../domain/history-model.js';
import type { AlarmReader } from '../ports/alarm-reader.js';
import type { Clock } from '../../shared/clock.js';
import type { DeploymentHistory } from '../ports/deployment-history.js';
import type { HealthSignals } from '../ports/health-signals.js';
import type { Notifier } from '../ports/notifier.js';
import type { ReviewGate } from '../ports/review-gate.js';
import { requireEnv, type Environment } from '../../shared/environment.js';
import { DynamoDbHealthSignals } from '../adapters/aws/dynamodb-health-signals.js';
import { SfnReviewGate } from '../adapters/aws/sfn-review-gate.js';
import { systemClock } from '../../shared/clock.js';
import { alarmReaders, DEPLOYMENT_RUNTIME_ENV, environmentsFromEnv, historyAndNotifier, observerRolesFromEnv } from './deployment-runtime.js';
import { lambdaLog } from './pipeline-event-common.js';
import { FUNCTION_CALLERS } from '../../shared/aws/callers.js';
import { recordCalls } from '../../shared/aws/call-recorder.js';

/** Bake settings of one environment, from its `healthCheck` and `alarms` configuration. */
export interface BakeSettings {
  readonly intervalSeconds: number;
  readonly durationSeconds: number;
  readonly reviewTimeoutSeconds: number;
}

/** What the health monitor needs. */
export interface HealthMonitorDependencies {
  readonly pipelineName: string;
  readonly environments: readonly EnvironmentConfig[];
  /** Reads one environment's alarms (through its observer role). */
  readonly alarmReaderFor: (environment: EnvironmentName) => AlarmReader;
  readonly signals: HealthSignals;
  readonly history: DeploymentHistory;
  readonly notifier: Notifier;
  readonly gate: ReviewGate;
  readonly clock: Clock;
  /** Structured log line (one JSON object per check). */
  readonly log: (entry: Record<string, unknown>) => void;
}

const environmentName = z.enum(['test', 'staging', 'production']);
const startInput = z.object({
  step: z.literal('start'),
  environment: environmentName,
  executionId: z.string().min(1),
  commitId: z.string().min(1),
  stage: z.string().min(1),
});
const bakeState = z.object({
  environment: environmentName,
  executionId: z.string().min(1),
  commitId: z.string().min(1),
  stage: z.string().min(1),
  startedAt: z.string(),
  settings: z.object({ intervalSeconds: z.number(), durationSeconds: z.number(), reviewTimeoutSeconds: z.number() }),
  acknowledged: z.array(z.string()),
  checks: z.number().int(),
  verdict: z.custom<HealthVerdict>((value) => typeof value === 'object' && value !== null && 'kind' in value).optional(),
  review: z.object({ actor: z.string().optional(), comment: z.string().optional() }).optional(),
  failure: z.object({ Error: z.string(), Cause: z.string().optional() }).optional(),
});
/** The state the state machine carries between steps. */
export type BakeState = z.infer<typeof bakeState>;

const stepInput = z.discriminatedUnion('step', [
  startInput,
  z.object({ step: z.literal('check'), state: bakeState }),
  z.object({ step: z.literal('watch'), taskToken: z.string().min(1), state: bakeState }),
  z.object({ step: z.literal('review'), taskToken: z.string().min(1), state: bakeState }),
  z.object({ step: z.literal('conclude'), outcome: z.enum(['approved', 'failed']), state: bakeState }),
]);
/** The input of one step. */
export type HealthMonitorEvent = z.input<typeof stepInput>;

/** Watched alarms of an environment: `<stackPrefix>-<id>` with the configured severity. */
export function watchedAlarms(environment: EnvironmentConfig): WatchedAlarm[] {
  return [
    ...environment.alarms.critical.map((id) => ({ name: `${environment.stackPrefix}-${id}`, severity: 'critical' as const })),
    ...environment.alarms.warning.map((id) => ({ name: `${environment.stackPrefix}-${id}`, severity: 'warning' as const })),
  ];
}

const HISTORY_VERDICT: Record<HealthVerdict['kind'], HealthCheckEvent['verdict']> = {
  continue: 'check',
  pass: 'pass',
  'pause-for-review': 'check',
  rollback: 'check',
};

/** Builds the handler around its dependencies. */
export function createHandler(deps: HealthMonitorDependencies): (event: unknown) => Promise<BakeState> {
  const configOf = (name: EnvironmentName): EnvironmentConfig => {
    const found = deps.environments.find((environment) => environment.name === name);
    if (found === undefined) throw new MalformedInputError(`Environment "${name}" is not in the deployment configuration; add it to infrastructure/lib/config/environments.ts`, { environment: name });
    return found;
  };

  const record = async (state: BakeState, suffix: string, verdict: HealthCheckEvent['verdict'], reason: string, alarms: HealthCheckEvent['alarms']): Promise<void> => {
    await deps.history.record({
      kind: 'health-check',
      eventId: `health:${state.executionId}:${state.environment}:${suffix}`,
      pipelineName: deps.pipelineName,
      executionId: state.executionId,
      at: deps.clock.now().toISOString(),
      environment: state.environment,
      verdict,
      reason,
      alarms,
    });
  };

  const start = async (input: z.infer<typeof startInput>): Promise<BakeState> => {
    const environment = configOf(input.environment);
    const startedAt = deps.clock.now().toISOString();
    await deps.signals.startBake({ environment: input.environment, executionId: input.executionId, startedAt });
    deps.log({ message: 'health-check started', environment: input.environment, executionId: input.executionId });
    return {
      environment: input.environment,
      executionId: input.executionId,
      commitId: input.commitId,
      stage: input.stage,
      startedAt,
      settings: {
        intervalSeconds: environment.healthCheck.intervalSeconds,
        durationSeconds: environment.healthCheck.durationSeconds,
        reviewTimeoutSeconds: environment.healthCheck.reviewTimeoutMinutes * 60,
      },
      acknowledged: [],
      checks: 0,
    };
  };

  const check = async (state: BakeState): Promise<BakeState> => {
    const watched = watchedAlarms(configOf(state.environment));
    let readings: AlarmReading[];
    let readError: string | undefined;
    try {
      readings = await deps.alarmReaderFor(state.environment).read(watched.map((alarm) => alarm.name));
    } catch (error) {
      readings = [];
      readError = error instanceof Error ? error.message : String(error);
    }
    const fired = await deps.signals.firedCritical(state.environment, state.executionId);
    const elapsedSeconds = (deps.clock.now().getTime() - Date.parse(state.startedAt)) / 1000;
    const decided = decideHealth({ watched, readings, elapsedSeconds, durationSeconds: state.settings.durationSeconds, acknowledged: state.acknowledged, firedCritical: fired });
    const verdict: HealthVerdict = readError === undefined ? decided : { ...decided, reason: `${decided.reason} Cause: ${readError}` };
    const checks = state.checks + 1;
    deps.log({ message: 'health-check', environment: state.environment, executionId: state.executionId, check: checks, elapsedSeconds, verdict: verdict.kind, reason: verdict.reason, alarms: verdict.alarms });
    await record(state, `check:${checks}`, HISTORY_VERDICT[verdict.kind], verdict.reason, verdict.alarms);
    return { ...state, checks, verdict };
  };

  const watch = async (token: string, state: BakeState): Promise<BakeState> => {
    // Arm first, then look: the alarm-event handler marks first, then looks, so one of the two always sees the other.
    await deps.signals.armWatch(state.environment, state.executionId, token);
    const fired = await deps.signals.firedCritical(state.environment, state.executionId);
    const first = fired[0];
    if (first !== undefined) await deps.gate.interruptWatch(token, first.name, `fired at ${first.at}`);
    return state;
  };

  /** The monitor's two notices about the release under watch: a review is needed, or the check failed. */
  const notify = (state: BakeState, kind: 'review-needed' | 'health-check-failed', outcome: 'PAUSED_FOR_REVIEW' | 'ROLLING_BACK', reason: string, details: string[]): Promise<void> =>
    deps.notifier.notify({
      kind,
      pipelineName: deps.pipelineName,
      executionId: state.executionId,
      commit: { id: state.commitId },
      environment: state.environment,
      stage: state.stage,
      outcome,
      reason,
      at: deps.clock.now().toISOString(),
      details,
    });

  const review = async (token: string, state: BakeState): Promise<BakeState> => {
    const verdict = state.verdict;
    const reason = verdict?.reason ?? 'A person must review this release.';
    await record(state, `review:${state.checks}`, 'pause-for-review', reason, verdict?.alarms ?? []);
    await notify(state, 'review-needed', 'PAUSED_FOR_REVIEW', reason, [
      `Answer within ${Math.round(state.settings.reviewTimeoutSeconds / 60)} minutes; no answer rolls the release back.`,
      `Approve: kiro-cd approve --token '${token}' --comment '<why>'`,
      `Reject:  kiro-cd reject --token '${token}' --comment '<why>'`,
      `Or: aws stepfunctions send-task-success --task-token '${token}' --task-output '{"decision":"approved"}'`,
    ]);
    return state;
  };

  const conclude = async (outcome: 'approved' | 'failed', state: BakeState): Promise<BakeState> => {
    const alarms = state.verdict?.alarms ?? [];
    if (outcome === 'approved') {
      const reviewed = state.verdict?.kind === 'pause-for-review' ? state.verdict.reviewAlarms : [];
      const reason = `Approved by ${state.review?.actor ?? 'a reviewer'}${state.review?.comment === undefined ? '' : `: ${state.review.comment}`}`;
      await record(state, `approved:${state.checks}`, 'review-approved', reason, alarms);
      return { ...state, acknowledged: [...new Set([...state.acknowledged, ...reviewed])].sort() };
    }
    const failure = state.failure;
    const reason =
      failure === undefined
        ? (state.verdict?.reason ?? 'The health check failed.')
        : failure.Error === 'KiroCd.ReviewRejected'
          ? `Review rejected: ${failure.Cause ?? ''}`
          : failure.Error === 'States.Timeout'
            ? 'Nobody answered the review in time; a missing answer counts as a rejection.'
            : failure.Error === 'KiroCd.CriticalAlarm'
              ? `Critical alarm fired during the bake: ${failure.Cause ?? ''}`
              : `The health monitor itself failed (${failure.Error}): ${failure.Cause ?? ''}; failing closed.`;
    const verdict: HealthCheckEvent['verdict'] = failure?.Error === 'KiroCd.ReviewRejected' || failure?.Error === 'States.Timeout' ? 'review-rejected' : 'fail';
    deps.log({ message: 'health-check failed', environment: state.environment, executionId: state.executionId, reason });
    await record(state, 'final', verdict, reason, alarms);
    await notify(state, 'health-check-failed', 'ROLLING_BACK', reason, alarms.map((alarm) => `${alarm.name} (${alarm.severity}): ${alarm.state}`));
    return state;
  };

  return async (event: unknown): Promise<BakeState> => {
    const parsed = stepInput.safeParse(event);
    if (!parsed.success) throw new MalformedInputError(`Health monitor input is malformed: ${parsed.error.message}`, { event });
    const input = parsed.data;
    switch (input.step) {
      case 'start':
        return start(input);
      case 'check':
        return check(input.state);
      case 'watch':
        return watch(input.taskToken, input.state);
      case 'review':
        return review(input.taskToken, input.state);
      case 'conclude':
        return conclude(input.outcome, input.state);
    }
  };
}

const SET_BY = 'the HealthMonitor construct (infrastructure/lib/constructs/health-monitor)';

/** Builds the production dependencies from the Lambda environment (once per cold start). */
export function dependenciesFromEnvironment(environment: Environment): HealthMonitorDependencies {
  const environments = environmentsFromEnv(environment, SET_BY);
  const { history, notifier, documents } = historyAndNotifier(environment, SET_BY, FUNCTION_CALLERS.healthMonitorStep);
  return {
    pipelineName: requireEnv(environment, DEPLOYMENT_RUNTIME_ENV.pipelineName, SET_BY),
    environments,
    alarmReaderFor: alarmReaders(environments, observerRolesFromEnv(environment, SET_BY), FUNCTION_CALLERS.healthMonitorStep, environment),
    signals: new DynamoDbHealthSignals(documents, requireEnv(environment, DEPLOYMENT_RUNTIME_ENV.ledgerTable, SET_BY)),
    history,
    notifier,
    gate: new SfnReviewGate(recordCalls(new SFNClient({}), FUNCTION_CALLERS.healthMonitorStep, environment)),
    clock: systemClock,
    log: lambdaLog,
  };
}

let cached: ((event: unknown) => Promise<BakeState>) | undefined;

/** Lambda entry point of every health-monitor step; dependencies are built once per cold start. */
export const handler = (event: unknown): Promise<BakeState> => {
  cached ??= createHandler(dependenciesFromEnvironment(process.env));
  return cached(event);
};
