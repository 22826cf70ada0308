import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/schema.js';
import { ApplicationStage } from './application-stage.js';
import { InfrastructureStage } from './infrastructure-stage.js';

/** An environment's two stages, deployed in this order. */
export interface WorkerEnvironmentStages {
  readonly infrastructure: InfrastructureStage;
  readonly application: ApplicationStage;
}

/** Creates both stages of an environment under `scope` (an App, or the pipeline stack). */
export function createEnvironmentStages(scope: Construct, environment: EnvironmentConfig): WorkerEnvironmentStages {
  return {
    infrastructure: new InfrastructureStage(scope, { environment }),
    application: new ApplicationStage(scope, { environment }),
  };
}
