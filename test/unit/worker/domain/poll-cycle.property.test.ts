/**
 * The lock protocol under any interleaving: several pollers (each listing items from a possibly stale
 * view) and the builds they start (whose state-change events finish the items and release the locks)
 * run concurrently, with fast-check's scheduler choosing the order of every store operation. No item
 * is ever built twice.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runPollCycle } from '../../../../src/worker/domain/poll-cycle.js';
import { createBuildStateChangeHandler } from '../../../../src/worker/handlers/build-state-change.js';
import { IMPLEMENTATION_PROJECT, InMemoryLockStore, InMemoryWorkItems, ManualClock, RecordingBuildStarter, buildStateEvent, readyItem } from '../fakes.js';

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
          const events = createBuildStateChangeHandler({ workItems, locks, clock, projectName: IMPLEMENTATION_PROJECT, log: () => undefined });

          const pollers = Array.from({ length: pollerCount }, (_, index) =>
            runPollCycle(deps, { maxBuildsPerCycle: 10, leaseSeconds: 3600, pageSize: 10, budgetMs: 30_000 }, `poller-${index}`).then(async (report) => {
              // Each started build runs and ends concurrently with the other pollers: its events finish
              // the item and release the lock, the case where a stale candidate list could restart it.
              if (buildsFinish) {
                const started = builds.started.filter((build) => build.lockOwner === report.owner);
                await Promise.all(started.map(async (build) => {
                  await events(buildStateEvent(build, 'IN_PROGRESS'));
                  await events(buildStateEvent(build, 'SUCCEEDED'));
                }));
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
          if (buildsFinish) expect(locks.locks.size).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });
});
