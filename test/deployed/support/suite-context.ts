/** Builds the harness of a deployed suite from its environment variables and the configuration. */
import { randomUUID } from 'node:crypto';
import { loadDeploymentConfig } from '../../../infrastructure/lib/config/load-config.js';
import { targetFromEnvironment } from './deployed-environment.js';
import { connectHarness, type WorkerHarness } from './worker-harness.js';

/**
 * The harness for the environment named by KIRO_ENV / KIRO_STACK_PREFIX / AWS_REGION /
 * KIRO_AWS_ENDPOINT / KIRO_TEST_ROLE_ARN; a started build is awaited for at most `buildWaitMs`.
 */
export function harnessFromEnvironment(buildWaitMs?: number): Promise<WorkerHarness> {
  return connectHarness(targetFromEnvironment(process.env, loadDeploymentConfig().environments), {}, buildWaitMs);
}

/** A suffix that keeps concurrent runs' work items apart. */
export function runSuffix(): string {
  return randomUUID().slice(0, 8);
}
