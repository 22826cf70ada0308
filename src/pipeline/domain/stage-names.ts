import type { EnvironmentName } from './history-model.js';

/**
 * Names of the CodePipeline stages, shared by the pipeline stack that creates them and the runtime
 * code that reads events about them (recorder, health monitor, rollback). One place, so the two can
 * never drift apart.
 *
 * Per environment there are two stages: infrastructure (the core stacks; skipped by an entry
 * condition when nothing changed) then application (the worker code, its health check and its tests).
 * Production is preceded by an approval stage.
 */
export const PIPELINE_STAGES = {
  source: 'Source',
  build: 'Build',
  /** CDK Pipelines' self-mutation stage. */
  updatePipeline: 'UpdatePipeline',
  /** CDK Pipelines' asset publishing stage. */
  assets: 'Assets',
} as const;

function capitalise(environment: EnvironmentName): string {
  return environment.charAt(0).toUpperCase() + environment.slice(1);
}

/** The stage that deploys the environment's infrastructure stacks, such as `Test-Infrastructure`. */
export function infrastructureStageName(environment: EnvironmentName): string {
  return `${capitalise(environment)}-Infrastructure`;
}

/** The stage that deploys the environment's application and checks its health, such as `Test-Application`. */
export function applicationStageName(environment: EnvironmentName): string {
  return `${capitalise(environment)}-Application`;
}

/** The manual approval stage in front of an environment, such as `Approve-Production`. */
export function approvalStageName(environment: EnvironmentName): string {
  return `Approve-${capitalise(environment)}`;
}

/**
 * The stage that holds an environment's deployment window when no approval stage can (such as
 * `Test-Window`): its entry condition fails outside the window, before any stack of the environment
 * deploys, and it runs the environment's change detection, which then sees the state just before
 * the deployment.
 */
export function windowStageName(environment: EnvironmentName): string {
  return `${capitalise(environment)}-Window`;
}

/** What a stage name tells about the environment it belongs to. */
export type StageRole =
  | { readonly kind: 'infrastructure' | 'application' | 'approval' | 'window'; readonly environment: EnvironmentName }
  | { readonly kind: 'pipeline' };

/** Maps a stage name back to its environment and role; `pipeline` for Source, Build and the rest. */
export function stageRole(stageName: string, environments: readonly EnvironmentName[]): StageRole {
  for (const environment of environments) {
    if (stageName === infrastructureStageName(environment)) return { kind: 'infrastructure', environment };
    if (stageName === applicationStageName(environment)) return { kind: 'application', environment };
    if (stageName === approvalStageName(environment)) return { kind: 'approval', environment };
    if (stageName === windowStageName(environment)) return { kind: 'window', environment };
  }
  return { kind: 'pipeline' };
}
