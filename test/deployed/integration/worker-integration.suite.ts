import { beforeAll, describe, expect, it } from 'vitest';
import { integrationScenario } from '../support/scenarios.js';
import { harnessFromEnvironment, runSuffix } from '../support/suite-context.js';
import type { WorkerHarness } from '../support/worker-harness.js';

describe('worker integration (after the test deployment)', () => {
  let harness: WorkerHarness;
  beforeAll(async () => {
    harness = await harnessFromEnvironment();
  });

  it('locks a ready work item, starts an implementation build for it and records the build', async () => {
    const build = await integrationScenario(harness, runSuffix());
    expect(build.buildId).toContain(harness.outputs.implementationProjectName);
  });
});
