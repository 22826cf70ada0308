import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../src/shared/errors.js';
import { DEPLOYED_ENVIRONMENT } from '../support/deployed-environment.js';
import { endToEndScenario } from '../support/scenarios.js';
import { harnessFromEnvironment, runSuffix } from '../support/suite-context.js';
import type { WorkerHarness } from '../support/worker-harness.js';

describe('worker end to end (after the staging deployment)', () => {
  let harness: WorkerHarness;
  let repository: string;
  beforeAll(async () => {
    const fixture = process.env[DEPLOYED_ENVIRONMENT.e2eRepository];
    if (fixture === undefined) {
      throw new ConfigurationError(`Set ${DEPLOYED_ENVIRONMENT.e2eRepository} to the owner/name of the fixture repository whose implementation succeeds.`);
    }
    repository = fixture;
    harness = await harnessFromEnvironment();
  });

  it('takes a work item from ready to done through the poller and the worker build', async () => {
    const finished = await endToEndScenario(harness, runSuffix(), repository, process.env[DEPLOYED_ENVIRONMENT.e2eBranch] ?? 'main');
    expect(finished.status).toBe('done');
  }, 25 * 60_000);
});
