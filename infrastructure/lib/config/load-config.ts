import { environmentsConfig } from './environments.js';
import type { DeploymentConfig, DeploymentConfigInput } from './schema.js';
import { validateConfig } from './validate.js';

/** Validates `environments.ts` (or the given input) and returns the configuration with defaults filled in. */
export function loadDeploymentConfig(input: DeploymentConfigInput = environmentsConfig): DeploymentConfig {
  return validateConfig(input);
}
