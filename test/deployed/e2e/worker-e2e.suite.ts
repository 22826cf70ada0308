import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../src/shared/errors.js';
import { DEPLOYED_ENVIRONMENT } from '../support/deployed-environment.js';
import { endToEndScenario } from '../support/scenarios.js';
import { harnessFromEnvironment, runSuffix } from '../support/suite-context.js';
import type { WorkerHarness } from '../support/worker-harness.js';

/**
 * How long the run waits for the worker build of its fixture. The pipeline's e2e action has 8
 * minutes (ACTION_TIMEOUTS.suites.e2e): its own install, this wait, and the clean-up must fit.
 */
const BUILD_WAIT_MS = 6 * 60_000;

describe('worker end to end (after the staging deployment)', () => {
  let harness: WorkerHarness;
  let repository: string;
  beforeAll(async () => {
    const fixture = process.env[DEPLOYED_ENVIRONMENT.e2eRepository];
    if (fixture === undefined) {
      throw new ConfigurationError(`Set ${DEPLOYED_ENVIRONMENT.e2eRepository} to the owner/name of the fixture repository whose implementation succeeds.`);
    }
    repository = fixture;
    harness = await harnessFromEnvironment(BUILD_WAIT_MS);
  });

  it('takes a work item from ready to done through the poller and the worker build', async () => {
    const finished = await endToEndScenario(harness, runSuffix(), repository, process.env[DEPLOYED_ENVIRONMENT.e2eBranch] ?? 'main');
    expect(finished.status).toBe('done');
  }, BUILD_WAIT_MS + 60_000);
});
