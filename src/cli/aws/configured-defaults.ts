/**
 * What every operational command takes from the validated configuration when no flag says
 * otherwise. Apart from the runtime clients (runtime-clients.ts), so a command that only needs the
 * region and pipeline name (approve, reject) loads no client module of another service.
 */
import { loadEnvironmentsFile } from '../../shared/config/environments-file.js';
import type { DeploymentConfig } from '../../shared/config/schema.js';

/** The stack that holds the deployment history (infrastructure/bin/app.ts). */
export const PIPELINE_RUNTIME_STACK = 'KiroCd-PipelineRuntime';

/** Defaults every operational command reads from the validated configuration. */
export async function configuredDefaults(config?: DeploymentConfig): Promise<{ readonly region: string; readonly pipelineName: string }> {
  config ??= await loadEnvironmentsFile();
  return { region: config.pipeline.region, pipelineName: config.pipeline.name };
}
