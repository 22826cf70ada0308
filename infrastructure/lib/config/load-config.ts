import { environmentsConfig } from './environments.js';
import type { DeploymentConfig, DeploymentConfigInput } from '../../../src/shared/config/schema.js';
import { validateConfig } from '../../../src/shared/config/validate.js';

/** Validates `environments.ts` (or the given input) and returns the configuration with defaults filled in. */
export function loadDeploymentConfig(input: DeploymentConfigInput = environmentsConfig): DeploymentConfig {
  return validateConfig(input);
}
