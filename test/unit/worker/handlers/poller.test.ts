import { describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '../../../../src/shared/errors.js';
import { pollCycleMetrics } from '../../../../src/worker/domain/metrics.js';
import { countOutcomes } from '../../../../src/worker/domain/poll-cycle.js';
import { POLLER_ENVIRONMENT, createHandler, dependenciesFromEnvironment, type PollerDependencies } from '../../../../src/worker/handlers/poller.js';
import { TransientError } from '../../../../src/shared/errors.js';
import { FakeBuildStates, InMemoryLockStore, InMemoryWorkItems, ManualClock, RecordingBuildStarter, readyItem, sequentialIds } from '../fakes.js';

type Line = Readonly<Record<string, unknown>>;

function dependencies(): PollerDependencies & { lines: Line[]; builds: RecordingBuildStarter; workItems: InMemoryWorkItems; locks: InMemoryLockStore; buildStates: FakeBuildStates } {
  // Log entries and published metrics in one list, in the order the handler produced them.
  const lines: Line[] = [];
  const clock = new ManualClock();
  const log = (entry: Line) => lines.push(entry);
  return {
    lines,
    workItems: new InMemoryWorkItems([readyItem('wi-1')]),
    locks: new InMemoryLockStore(),
    builds: new RecordingBuildStarter(),
    buildStates: new FakeBuildStates(),
    metrics: {
      publish: (report) => {
        lines.push({ StackPrefix: 'KiroWorker-Test', ...Object.fromEntries(pollCycleMetrics(countOutcomes(report)).map((metric) => [metric.name, metric.value])) });
        return Promise.resolve();
      },
    },
    clock,
    ids: sequentialIds('inv'),
    settings: { maxBuildsPerCycle: 5, leaseSeconds: 600, pageSize: 10, budgetMs: 30_000 },
    sweep: { olderThanSeconds: 3600, limit: 100 },
    log,
  };
}

describe('poller handler', () => {
  it('runs one cycle under a fresh owner name, logs it and publishes its metrics', async () => {
    const deps = dependencies();
    const result = await createHandler(deps)({ source: 'aws.events' });
    expect(result).toEqual({ owner: 'poller-inv-1', started: 1, contended: 0, stale: 0, rejected: 0, startFailures: 0, recordConflicts: 0, transientFaults: 0, swept: 0 });
    expect(deps.builds.started[0]?.lockOwner).toBe('poller-inv-1');
    expect(deps.lines[0]).toMatchObject({ message: 'poll cycle finished', owner: 'poller-inv-1' });
    expect(deps.lines[1]).toMatchObject({ BuildsStarted: 1, StackPrefix: 'KiroWorker-Test' });
  });

  it('fails the invocation when the cycle was aborted, so the poller-errors alarm sees it', async () => {
    const deps = dependencies();
    deps.builds.failWith = new ConfigurationError('CodeBuild project x does not exist');
    await expect(createHandler(deps)({})).rejects.toThrow(/poll cycle stopped: CodeBuild project x does not exist/);
    expect(deps.lines).toHaveLength(2);
  });

  it('names the missing environment variable', () => {
    expect(() => dependenciesFromEnvironment({ [POLLER_ENVIRONMENT.workItemsTable]: 't' }, () => undefined)).toThrow(/LOCK_TABLE is missing or empty; it is set by the application stack/);
  });

  it('builds real adapters from a complete environment, with defaults for the optional settings', () => {
    const deps = dependenciesFromEnvironment(
      { WORK_ITEMS_TABLE: 'items', LOCK_TABLE: 'locks', IMPLEMENTATION_PROJECT_NAME: 'implementation', IMPLEMENTATION_BUILDSPEC: '{"version":"0.2"}', STACK_PREFIX: 'KiroWorker-Test', MAX_BUILDS_PER_CYCLE: '3' },
      () => undefined,
    );
    expect(deps.settings).toEqual({ leaseSeconds: 900, maxBuildsPerCycle: 3, pageSize: 6, budgetMs: 30_000 });
    expect(deps.sweep).toEqual({ olderThanSeconds: 3600, limit: 100 });
  });

  it('a throttled DynamoDB does not fail the invocation (no false poller-errors, no Lambda retry), and is counted (issue 13, item 1)', async () => {
    const deps = dependencies();
    deps.workItems.faults = (operation) => (operation === 'get' ? { error: new TransientError('GetItem throttled'), when: 'before' } : undefined);
    const result = await createHandler(deps)({});
    expect(result).toMatchObject({ started: 0, transientFaults: 1 });
    expect(deps.lines[1]).toMatchObject({ TransientFaults: 1 });
    expect(deps.locks.locks.size).toBe(0);
  });

  it('sweeps items whose build ended without finishing them (issue 13, item 5)', async () => {
    const deps = dependencies();
    deps.workItems.items.set('stuck', readyItem('stuck', { status: 'in-progress', buildId: 'implementation:9', updatedAt: '2026-03-02T08:00:00.000Z' }));
    deps.buildStates.known.set('implementation:9', { kind: 'ended', status: 'TIMED_OUT' });
    const result = await createHandler(deps)({});
    expect(result.swept).toBe(1);
    expect(deps.workItems.items.get('stuck')).toMatchObject({ status: 'failed', failureReason: 'implementation build implementation:9 ended TIMED_OUT' });
  });
});

describe('Lambda entry point', () => {
  // A misconfigured function: the variable is empty, whatever the shell running the tests holds.
  it('fails the cold start with the name of the missing variable', async () => {
    vi.stubEnv('WORK_ITEMS_TABLE', '');
    try {
      const { handler } = await import('../../../../src/worker/handlers/poller.js');
      await expect(handler({})).rejects.toThrow(/WORK_ITEMS_TABLE is missing or empty/);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
