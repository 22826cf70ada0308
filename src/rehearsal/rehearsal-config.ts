import { importEnvironmentsFile } from '../shared/config/environments-file.js';
import type { DeploymentConfig, DeploymentConfigInput } from '../shared/config/schema.js';
import { validateConfig } from '../shared/config/validate.js';

/**
 * The rehearsal's health-check settings: a one-minute bake polled every ten seconds (the shortest
 * the schema allows), and a five-minute review window. The rehearsal clock then runs
 * {@link REHEARSAL_TIME_FACTOR} times faster and skips the waits between polls when nothing is in
 * flight, so a bake takes well under a second of real time beyond its calls.
 */
export const REHEARSAL_HEALTH_CHECK = { durationSeconds: 60, intervalSeconds: 10, reviewTimeoutMinutes: 5 } as const;

/**
 * How much faster than the wall clock rehearsal time runs while something is in flight. What depends
 * on it: a wait that is not skipped (idle time is: REHEARSAL_QUIET_MS) is rehearsal time divided by
 * it (bakes of REHEARSAL_HEALTH_CHECK, the health monitor's polls, the synthesized 30-minute review
 * timeout, approval and action timeouts, the orchestrator's polls); JavaScript running between
 * emulator calls is not held, so on a loaded machine it becomes more rehearsal time the higher the
 * factor (docs/rehearsal.md, Time); and the closed-window variant must stay closed for factor x the
 * real-time budget (WINDOW_CLOSED_FOR_HOURS), the horizon no skip passes.
 */
export const REHEARSAL_TIME_FACTOR = 240;

/**
 * Real milliseconds of quiet (nothing in flight, the clock not held) after which the rehearsal clock
 * skips to the end of the earliest sleep instead of waiting for it (IdleSkipping in
 * src/local/compressed-clock.ts). Work the clock is not told about, a continuation between two
 * calls, has this long (and two turns of the event loop) to start its next call before a skip; at
 * REHEARSAL_TIME_FACTOR the quiet itself is about a second of rehearsal time.
 */
export const REHEARSAL_QUIET_MS = 4;

/**
 * The deployment configuration with the rehearsal's health-check settings in every environment,
 * validated by the same schema as the real one: everything else (alarms and their severities,
 * approvals, stack prefixes) is the real configuration.
 */
export function rehearsalConfig(input: DeploymentConfigInput): DeploymentConfig {
  return validateConfig({
    pipeline: input.pipeline,
    environments: input.environments.map((environment) => ({ ...environment, healthCheck: REHEARSAL_HEALTH_CHECK })),
  });
}

/** {@link rehearsalConfig} over the repository's configuration file (or the given one), loaded by path. */
export async function loadRehearsalConfig(file?: string): Promise<DeploymentConfig> {
  const input = await importEnvironmentsFile(file);
  // validateConfig checks the shape before anything trusts it; this only lets the map above run on a list.
  return rehearsalConfig({ pipeline: input.pipeline, environments: Array.isArray(input.environments) ? input.environments : [] } as DeploymentConfigInput);
}

/** How many hours a day the closed-window variant's production window is open. */
const WINDOW_OPEN_HOURS = 2;

/**
 * How long after the rehearsal clock's start production's window first opens: more than the
 * rehearsal can take (REHEARSAL_REAL_BUDGET_MS x REHEARSAL_TIME_FACTOR, 20 hours). With the open
 * hours, less than a day: a daily window closed longer would reopen within the rehearsal.
 */
export const WINDOW_CLOSED_FOR_HOURS = 21;

/**
 * The configuration of the closed-deployment-window scenario: the repository's configuration
 * (`input`, not yet validated) with a production deployment window that opens at the
 * first full hour at least {@link WINDOW_CLOSED_FOR_HOURS} hours after `closedFrom` (UTC), for
 * {@link WINDOW_OPEN_HOURS} hours a day. The rehearsal clock starts at `closedFrom` and its whole run
 * (REHEARSAL_REAL_BUDGET_MS x REHEARSAL_TIME_FACTOR, 20 hours) falls outside the window. The window
 * is written as a user would write it (an EventBridge cron and a time zone) and goes through the one
 * schema, so the DeploymentWindow rule the scenario meets is what the CDK code synthesizes from it.
 */
export function closedProductionWindowConfig(input: { readonly pipeline: unknown; readonly environments: unknown }, closedFrom: Date): DeploymentConfigInput {
  // The hour after the one WINDOW_CLOSED_FOR_HOURS later: the window opens no sooner than that many hours after closedFrom.
  const first = (closedFrom.getUTCHours() + WINDOW_CLOSED_FOR_HOURS + 1) % 24;
  const hours = Array.from({ length: WINDOW_OPEN_HOURS }, (_, offset) => (first + offset) % 24).sort((a, b) => a - b);
  const environments = (Array.isArray(input.environments) ? input.environments : []) as DeploymentConfigInput['environments'];
  return {
    pipeline: input.pipeline as DeploymentConfigInput['pipeline'],
    environments: environments.map((environment) => (environment.name === 'production' ? { ...environment, deploymentWindow: { cron: `cron(* ${hours.join(',')} ? * * *)`, timeZone: 'UTC' } } : environment)),
  };
}
