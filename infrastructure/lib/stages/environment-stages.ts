import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../../src/shared/config/schema.js';
import { ApplicationStage } from './application-stage.js';
import { InfrastructureStage } from './infrastructure-stage.js';

/** An environment's two stages, deployed in this order. */
export interface WorkerEnvironmentStages {
  readonly infrastructure: InfrastructureStage;
  readonly application: ApplicationStage;
}

/**
 * Creates both stages of an environment under `scope` (an App, or the pipeline stack). With
 * `pipeline`, the core stack also gives that pipeline account read access to the environment's alarms.
 */
export function createEnvironmentStages(
  scope: Construct,
  environment: EnvironmentConfig,
  pipeline?: { readonly account: string; readonly region: string },
): WorkerEnvironmentStages {
  return {
    infrastructure: new InfrastructureStage(scope, { environment, ...(pipeline === undefined ? {} : { pipeline }) }),
    application: new ApplicationStage(scope, { environment, ...(pipeline === undefined ? {} : { pipeline }) }),
  };
}
