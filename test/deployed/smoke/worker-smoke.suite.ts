import { beforeAll, describe, expect, it } from 'vitest';
import { smokeScenario } from '../support/scenarios.js';
import { harnessFromEnvironment } from '../support/suite-context.js';
import type { WorkerHarness } from '../support/worker-harness.js';

describe('worker smoke (read-only, after the production deployment)', () => {
  let harness: WorkerHarness;
  beforeAll(async () => {
    harness = await harnessFromEnvironment();
  });

  it('finds the tables, the worker project and every alarm, with no critical alarm firing', async () => {
    const report = await smokeScenario(harness);
    expect(report.alarms.length).toBe(harness.outputs.alarms.critical.length + harness.outputs.alarms.warning.length);
  });
});
