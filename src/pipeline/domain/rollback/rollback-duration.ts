/**
 * How long each rollback path really takes, computed from what a stage rollback re-runs: CodePipeline's
 * RollbackStage runs the whole stage again with its earlier artifacts (deploy, then the health check
 * beside the post-deployment suite, then the on-success alarm condition), so the orchestrator must wait
 * for all of it. The synth-time check ({@link rollbackBudgetProblems}), the orchestrator's waits
 * ({@link orchestratorWaits}) and the table in docs/rollback.md all come from {@link rollbackPaths}.
 *
 * Pure: numbers in, numbers out. The configuration is mapped onto {@link EnvironmentRollbackInputs} by
 * the plan (src/pipeline/domain/plan/rollback-inputs.ts), so this module imports no configuration.
 */
import { worstCaseCallSeconds, type RollbackTiming } from './rollback-timing.js';

/** Lambda's hard limit on one invocation, which runs the orchestrator (Lambda quotas page). */
export const LAMBDA_MAX_SECONDS = 900;

/** What one environment's stage rollbacks re-run, in seconds. */
export interface EnvironmentRollbackInputs {
  readonly environment: string;
  /** The health check's bake (`healthCheck.durationSeconds`); 0 when no health monitor runs. */
  readonly bakeSeconds: number;
  /** The post-deployment suite's CodeBuild timeout: it runs beside the health check. */
  readonly suiteTimeoutSeconds: number;
  /** The on-success CloudWatchAlarm condition's WaitTime, in seconds; 0 when the stage has none. */
  readonly onSuccessWaitSeconds: number;
}

/**
 * How long the deployment part of a stage takes: change set creation and execution (and, for the
 * application, CodeDeploy's all-at-once alias shift). Estimates, not measurements: replace them with
 * the durations the deployment history records once the pipeline runs on AWS.
 */
export interface DeployEstimates {
  readonly applicationDeploySeconds: number;
  readonly infrastructureDeploySeconds: number;
}

/** The estimates used until measured durations exist (docs/rollback.md, "End-to-end rollback time"). */
export const DEFAULT_DEPLOY_ESTIMATES: DeployEstimates = { applicationDeploySeconds: 240, infrastructureDeploySeconds: 300 };

/** How long rolling back one environment's stages takes. */
export interface EnvironmentRollbackDuration {
  readonly environment: string;
  /** The application stage re-run: deploy, then max(health check, suite), then the on-success wait. */
  readonly applicationStageSeconds: number;
  /** The infrastructure stage re-run: its deployment only. */
  readonly infrastructureStageSeconds: number;
}

/** One rollback path, end to end (trigger to final record), for the slowest environment. */
export interface RollbackPathDuration {
  readonly path: 'stage' | 'full' | 'stage-then-full' | 'restart';
  readonly seconds: number;
  /** Which environment makes it that long. */
  readonly environment: string;
  /** True when it fits in the 15-minute budget (and therefore in one Lambda invocation). */
  readonly withinBudget: boolean;
  /** How the number is made up, for the table in docs/rollback.md. */
  readonly breakdown: string;
}

/** The stage-rollback durations of one environment. */
export function environmentRollbackDuration(inputs: EnvironmentRollbackInputs, estimates: DeployEstimates = DEFAULT_DEPLOY_ESTIMATES): EnvironmentRollbackDuration {
  return {
    environment: inputs.environment,
    // The health check and the suite are parallel actions of one run order: the slower decides.
    applicationStageSeconds: estimates.applicationDeploySeconds + Math.max(inputs.bakeSeconds, inputs.suiteTimeoutSeconds) + inputs.onSuccessWaitSeconds,
    infrastructureStageSeconds: estimates.infrastructureDeploySeconds,
  };
}

/** The waits the orchestrator needs: long enough for the slowest stage rollback it may start. */
export function orchestratorWaits(durations: readonly EnvironmentRollbackDuration[]): { readonly stageTimeoutSeconds: number; readonly fullTimeoutSeconds: number } {
  if (durations.length === 0) throw new RangeError('orchestratorWaits needs at least one environment');
  return {
    // The stage step rolls back the failed stage, which may be any environment's application stage.
    stageTimeoutSeconds: Math.max(...durations.map((duration) => Math.max(duration.applicationStageSeconds, duration.infrastructureStageSeconds))),
    // The full step's stage rollbacks (every environment, application and changed infrastructure
    // stages alike) start together and run in parallel (rollback-plan.ts): the slowest one decides.
    fullTimeoutSeconds: Math.max(...durations.map((duration) => Math.max(duration.applicationStageSeconds, duration.infrastructureStageSeconds))),
  };
}

/**
 * Every rollback path, end to end, for the slowest environment:
 * - `stage`: one retried RollbackStage, the wait for the stage to re-run, one poll overshoot, the reserve;
 * - `full`: no stage target, so straight to the parallel stage rollbacks of every environment;
 * - `stage-then-full`: the stage rollback ran and failed at its very end, then the full rollback;
 * - `restart`: a new execution of the whole pipeline (build, change detection, every environment).
 * `pipelineRunSeconds` is the restart's own duration (sum of the action timeouts it may use).
 */
export function rollbackPaths(durations: readonly EnvironmentRollbackDuration[], timing: RollbackTiming, pipelineRunSeconds: number): RollbackPathDuration[] {
  const waits = orchestratorWaits(durations);
  const call = worstCaseCallSeconds(timing);
  const overhead = call + timing.pollIntervalSeconds;
  const slowest = (measure: (duration: EnvironmentRollbackDuration) => number): EnvironmentRollbackDuration =>
    durations.reduce((worst, duration) => (measure(duration) > measure(worst) ? duration : worst));
  const environment = slowest((duration) => Math.max(duration.applicationStageSeconds, duration.infrastructureStageSeconds)).environment;
  const path = (kind: RollbackPathDuration['path'], seconds: number, environment: string, breakdown: string): RollbackPathDuration => ({
    path: kind,
    seconds,
    environment,
    withinBudget: seconds <= timing.budgetSeconds,
    breakdown,
  });
  return [
    path('stage', overhead + waits.stageTimeoutSeconds + timing.reserveSeconds, environment, `${call} calls + ${waits.stageTimeoutSeconds} stage re-run + ${timing.pollIntervalSeconds} poll + ${timing.reserveSeconds} reserve`),
    path('full', overhead + waits.fullTimeoutSeconds + timing.reserveSeconds, environment, `${call} calls + ${waits.fullTimeoutSeconds} parallel stage re-runs + ${timing.pollIntervalSeconds} poll + ${timing.reserveSeconds} reserve`),
    path(
      'stage-then-full',
      2 * overhead + waits.stageTimeoutSeconds + waits.fullTimeoutSeconds + timing.reserveSeconds,
      environment,
      `stage path without reserve + ${call} calls + ${waits.fullTimeoutSeconds} parallel stage re-runs + ${timing.pollIntervalSeconds} poll + ${timing.reserveSeconds} reserve`,
    ),
    path('restart', call + pipelineRunSeconds + timing.reserveSeconds, environment, `${call} call + ${pipelineRunSeconds} whole pipeline run + ${timing.reserveSeconds} reserve`),
  ];
}

/**
 * How long automation follows one rollback before it gives up: the longest chain one rollback can
 * take. Either the stage rollback runs and fails, then the full rollback (`stage-then-full`), or the
 * stage rollback runs and fails, the full rollback's calls are refused (no eligible target), and the
 * pipeline restarts (stage path without its reserve + one retried call + the restart path). The
 * lease lasts this long; the rollback state machine times out a margin after it.
 */
export function followSeconds(paths: readonly RollbackPathDuration[], timing: RollbackTiming): number {
  const seconds = (kind: RollbackPathDuration['path']): number => {
    const found = paths.find((path) => path.path === kind);
    if (found === undefined) throw new RangeError(`followSeconds needs the ${kind} path`);
    return found.seconds;
  };
  const stageThenRestart = seconds('stage') - timing.reserveSeconds + worstCaseCallSeconds(timing) + seconds('restart');
  return Math.max(seconds('stage-then-full'), stageThenRestart);
}

/** One reason the configuration cannot roll back within the budget, with its fix. */
export interface RollbackBudgetProblem {
  readonly environment: string;
  readonly message: string;
}

/**
 * What makes the stage path (the one every automatic rollback starts with) overrun the 15-minute
 * budget, per environment, each naming the configuration keys and the minutes. The other paths are
 * documented exceptions (docs/rollback.md), not refused: they exist only when the stage path failed.
 */
export function rollbackBudgetProblems(durations: readonly EnvironmentRollbackDuration[], inputs: readonly EnvironmentRollbackInputs[], timing: RollbackTiming): RollbackBudgetProblem[] {
  const overhead = worstCaseCallSeconds(timing) + timing.pollIntervalSeconds + timing.reserveSeconds;
  const room = Math.min(timing.budgetSeconds, LAMBDA_MAX_SECONDS) - overhead;
  return durations.flatMap((duration) => {
    const input = inputs.find((candidate) => candidate.environment === duration.environment);
    const longest = Math.max(duration.applicationStageSeconds, duration.infrastructureStageSeconds);
    if (input === undefined || longest <= room) return [];
    const minutes = (seconds: number): string => (seconds / 60).toFixed(1);
    return [
      {
        environment: duration.environment,
        message:
          `environment "${duration.environment}": rolling back its application stage re-runs the deployment, the health check (healthCheck.durationSeconds = ${input.bakeSeconds} s) beside the ${input.suiteTimeoutSeconds / 60}-minute post-deployment suite (postDeploymentTests) and the on-success alarm wait, ` +
          `${minutes(longest)} minutes in all, but a rollback must finish within ${minutes(timing.budgetSeconds)} minutes and leaves ${minutes(room)} for it; ` +
          'shorten healthCheck.durationSeconds or choose a shorter postDeploymentTests suite for this environment',
      },
    ];
  });
}
