/**
 * The configuration seen as what a rollback re-runs: per environment the health-check bake, the
 * post-deployment suite's timeout and the on-success alarm wait, exactly as the pipeline plan renders
 * them. Feeds the pure duration model (../rollback/rollback-duration.ts), whose
 * results size the orchestrator's waits and refuse, at synth time, a configuration that cannot roll
 * back within 15 minutes.
 *
 * Pure: no CDK, no AWS SDK, no I/O.
 */
import { ConfigurationError } from '../../../shared/errors.js';
import {
  DEFAULT_DEPLOY_ESTIMATES,
  environmentRollbackDuration,
  followSeconds,
  orchestratorWaits,
  rollbackBudgetProblems,
  rollbackPaths,
  type DeployEstimates,
  type EnvironmentRollbackDuration,
  type EnvironmentRollbackInputs,
  type RollbackPathDuration,
} from '../rollback/rollback-duration.js';
import { DEFAULT_ROLLBACK_TIMING, type RollbackTiming } from '../rollback/rollback-timing.js';
import type { DeploymentConfig } from '../../../shared/config/schema.js';
import { FINAL_ALARM_CHECK_MINUTES, nativeAlarmConditionApplies } from './stage-conditions.js';
import { ACTION_TIMEOUTS } from './time-budgets.js';

/** What the rollback model needs besides the configuration. */
export interface RollbackModelOptions {
  /** Whether the health monitor runs in each application stage (it does in the deployed app). */
  readonly healthMonitor: boolean;
  /** @default DEFAULT_DEPLOY_ESTIMATES */
  readonly estimates?: DeployEstimates;
  /** The orchestrator's retries, poll interval, budget and reserve. @default DEFAULT_ROLLBACK_TIMING */
  readonly timing?: RollbackTiming;
}

/** Per environment, what its stage rollbacks re-run (seconds), as the plan renders the stages. */
export function environmentRollbackInputs(config: DeploymentConfig, options: RollbackModelOptions): EnvironmentRollbackInputs[] {
  return config.environments.map((environment) => {
    const bakeSeconds = options.healthMonitor ? environment.healthCheck.durationSeconds : 0;
    // The plan's on-success CloudWatchAlarm condition: a last look with the monitor, the whole bake without it.
    const onSuccessWaitSeconds = !nativeAlarmConditionApplies(environment, config.pipeline)
      ? 0
      : options.healthMonitor
        ? FINAL_ALARM_CHECK_MINUTES * 60
        : Math.ceil(environment.healthCheck.durationSeconds / 60) * 60;
    return { environment: environment.name, bakeSeconds, suiteTimeoutSeconds: ACTION_TIMEOUTS.suites[environment.postDeploymentTests] * 60, onSuccessWaitSeconds };
  });
}

/** How long each environment's stage rollbacks take. */
export function environmentRollbackDurations(config: DeploymentConfig, options: RollbackModelOptions): EnvironmentRollbackDuration[] {
  return environmentRollbackInputs(config, options).map((inputs) => environmentRollbackDuration(inputs, options.estimates ?? DEFAULT_DEPLOY_ESTIMATES));
}

/**
 * The orchestrator's timing for this configuration: retries, poll interval, budget and reserve from
 * `options.timing`, both waits from the modelled stage-rollback durations, and how long to follow a
 * rollback from the longest modelled chain of paths (`followSeconds`). The Rollback construct hands
 * the deployed orchestrator the same numbers, so `kiro-cd rollback` and the state machine wait alike.
 */
export function rollbackTimingFor(config: DeploymentConfig, options: RollbackModelOptions): RollbackTiming {
  const timing = options.timing ?? DEFAULT_ROLLBACK_TIMING;
  const durations = environmentRollbackDurations(config, options);
  const withWaits = { ...timing, ...orchestratorWaits(durations) };
  return { ...withWaits, followSeconds: followSeconds(rollbackPaths(durations, withWaits, restartRunSeconds(durations)), withWaits) };
}

/**
 * How long a restart takes: a whole execution on the last known good commit (self-mutation skips
 * itself on a rollback execution): the build, the Assets stage (change detection beside the asset
 * publishing, which publishes the old commit's own assets: the longer of the two), then every
 * environment's infrastructure and application stages one after the other.
 */
export function restartRunSeconds(durations: readonly EnvironmentRollbackDuration[]): number {
  const environments = durations.reduce((sum, duration) => sum + duration.infrastructureStageSeconds + duration.applicationStageSeconds, 0);
  return (ACTION_TIMEOUTS.build + Math.max(ACTION_TIMEOUTS.changeDetection, ACTION_TIMEOUTS.assetPublishing)) * 60 + environments;
}

/** Every rollback path of this configuration, end to end (the table in docs/rollback.md). */
export function rollbackPathsFor(config: DeploymentConfig, options: RollbackModelOptions): RollbackPathDuration[] {
  const durations = environmentRollbackDurations(config, options);
  return rollbackPaths(durations, options.timing ?? DEFAULT_ROLLBACK_TIMING, restartRunSeconds(durations));
}

/**
 * Refuses a configuration whose stage rollback cannot finish within the 15-minute budget (and so in
 * one orchestrator invocation): the error names each environment, the keys, the minutes and the fix.
 */
export function assertRollbackFitsBudget(config: DeploymentConfig, options: RollbackModelOptions): void {
  const timing = options.timing ?? DEFAULT_ROLLBACK_TIMING;
  const inputs = environmentRollbackInputs(config, options);
  const problems = rollbackBudgetProblems(environmentRollbackDurations(config, options), inputs, timing);
  if (problems.length === 0) return;
  throw new ConfigurationError(
    `The configuration cannot roll back within ${timing.budgetSeconds / 60} minutes (docs/rollback.md, "End-to-end rollback time"):\n${problems.map((problem) => `  - ${problem.message}.`).join('\n')}`,
    { environments: problems.map((problem) => problem.environment) },
  );
}

const PATH_NAMES: Readonly<Record<RollbackPathDuration['path'], string>> = {
  stage: 'Stage rollback',
  full: 'Full rollback (no stage target)',
  'stage-then-full': 'Stage rollback ran and failed, then full rollback',
  restart: 'Pipeline restart (no eligible target at all)',
};

/** The end-to-end time of every path as the Markdown table docs/rollback.md carries (a test keeps them equal). */
export function rollbackTimeTable(paths: readonly RollbackPathDuration[]): string {
  const minutes = (seconds: number): string => `${(seconds / 60).toFixed(1)} min`;
  return [
    '| Path | End to end | Slowest environment | Made up of (seconds) | Within 15 min |',
    '| --- | --- | --- | --- | --- |',
    ...paths.map((path) => `| ${PATH_NAMES[path.path]} | ${path.seconds} s (${minutes(path.seconds)}) | ${path.environment} | ${path.breakdown} | ${path.withinBudget ? 'yes' : 'no: documented exception'} |`),
  ].join('\n');
}
