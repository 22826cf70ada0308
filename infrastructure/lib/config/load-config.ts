import { RegionInfo } from 'aws-cdk-lib/region-info';
import { environmentsConfig } from './environments.js';
import type { DeploymentConfig, DeploymentConfigInput } from '../../../src/shared/config/schema.js';
import { validateConfig } from '../../../src/shared/config/validate.js';

/**
 * Validates `environments.ts` (or the given input) and returns the configuration with defaults filled in.
 * Regions are checked against aws-cdk-lib's maintained region list here, at synth time, and not in
 * the schema the Lambdas bundle (the list would add about 1.5 MB to each bundle).
 */
export function loadDeploymentConfig(input: DeploymentConfigInput = environmentsConfig): DeploymentConfig {
  return validateConfig(input, { knownRegions: RegionInfo.regions.map((region) => region.name) });
}
