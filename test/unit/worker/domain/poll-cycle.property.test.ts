/**
 * The lock protocol under any interleaving: several pollers (each listing items from a possibly stale
 * view) and the builds they start (finishing items and releasing locks) run concurrently, with
 * fast-check's scheduler choosing the order of every store operation. No item is ever built twice.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runPollCycle } from '../../../../src/worker/domain/poll-cycle.js';
import { runWorkItem } from '../../../../src/worker/handlers/run-work-item.js';
import { InMemoryLockStore, InMemoryWorkItems, ManualClock, RecordingBuildStarter, ScriptedCommandRunner, readyItem } from '../fakes.js';

describe('poll cycle under concurrency', () => {
  it('never starts two builds for the same item, and starts every ready item at most once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 2, max: 4 }),
        fc.boolean(),
        async (s, itemCount, pollerCount, buildsFinish) => {
          const yieldPoint = () => s.schedule(Promise.resolve());
          const items = Array.from({ length: itemCount }, (_, index) => readyItem(`wi-${index}`));
          const workItems = new InMemoryWorkItems(items, yieldPoint);
          const locks = new InMemoryLockStore(yieldPoint);
          const builds = new RecordingBuildStarter(yieldPoint);
          const clock = new ManualClock();
          const deps = { workItems, locks, builds, clock };

          const pollers = Array.from({ length: pollerCount }, (_, index) =>
            runPollCycle(deps, { maxBuildsPerCycle: 10, leaseSeconds: 3600, pageSize: 10, budgetMs: 30_000 }, `poller-${index}`).then(async (report) => {
              // Each started build runs the worker concurrently with the other pollers: it finishes
              // the item and releases the lock, the case where a stale candidate list could restart it.
              if (buildsFinish) {
                const started = report.outcomes.flatMap((outcome) => (outcome.kind === 'started' ? [outcome] : []));
                await Promise.all(
                  started.map((outcome) =>
                    runWorkItem(
                      { workItems, locks, clock, runner: new ScriptedCommandRunner({ exitCode: 0, signal: null }), implementationCommand: 'implement', recordWaitAttempts: 1, recordWaitMs: 1, log: () => undefined },
                      { workItemId: outcome.workItemId, buildId: outcome.buildId, lockOwner: report.owner, repository: 'r', branch: 'b' },
                    ),
                  ),
                );
              }
              return report;
            }),
          );
          await s.waitFor(Promise.all(pollers));

          const startsPerItem = new Map<string, number>();
          for (const build of builds.started) startsPerItem.set(build.workItemId, (startsPerItem.get(build.workItemId) ?? 0) + 1);
          for (const [, count] of startsPerItem) expect(count).toBe(1);
          // Every item was started by someone: losing races never starves an item.
          expect(startsPerItem.size).toBe(itemCount);
          for (const item of workItems.items.values()) {
            expect(item.status).toBe(buildsFinish ? 'done' : 'build-started');
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
