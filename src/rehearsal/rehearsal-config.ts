import { importEnvironmentsFile } from '../shared/config/environments-file.js';
import type { DeploymentConfig, DeploymentConfigInput } from '../shared/config/schema.js';
import { validateConfig } from '../shared/config/validate.js';

/**
 * The rehearsal's health-check settings: a one-minute bake polled every ten seconds (the shortest
 * the schema allows), and a five-minute review window. The rehearsal clock then runs
 * {@link REHEARSAL_TIME_FACTOR} times faster, so each bake takes about a second of real time.
 */
export const REHEARSAL_HEALTH_CHECK = { durationSeconds: 60, intervalSeconds: 10, reviewTimeoutMinutes: 5 } as const;

/** How much faster than the wall clock rehearsal time runs. */
export const REHEARSAL_TIME_FACTOR = 120;

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
