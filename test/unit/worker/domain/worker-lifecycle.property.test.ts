/**
 * The whole worker under any interleaving (issue 13, "Done when"): several pollers, the implementation
 * builds they start (which succeed, fail, die before running, time out or are stopped), transient
 * faults and lost answers injected into the stores, the build-state-change handler (whose events may
 * be lost or arrive out of order) and the sweep, all interleaved by fast-check's scheduler; then later
 * polls and sweeps without faults until nothing moves. Every item must end `done` or `failed` exactly
 * once, with at most one build recorded for it.
 *
 * The model follows issue 13, item 9: the customer's command runs in the implementation project and
 * writes nothing; the item's bookkeeping comes only from the build's state-change events and the sweep.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TransientError } from '../../../../src/shared/errors.js';
import { runSweep } from '../../../../src/worker/domain/build-end.js';
import { runPollCycle } from '../../../../src/worker/domain/poll-cycle.js';
import { createBuildStateChangeHandler } from '../../../../src/worker/handlers/build-state-change.js';
import { FakeBuildStates, IMPLEMENTATION_PROJECT, InMemoryLockStore, InMemoryWorkItems, ManualClock, RecordingBuildStarter, buildStateEvent, readyItem, type FaultPlan, type YieldPoint } from '../fakes.js';

/** How a build goes: the statuses CodeBuild reports for it, in order (its last one is how it ended). */
const BEHAVIOURS = {
  succeeds: ['IN_PROGRESS', 'SUCCEEDED'],
  'command-fails': ['IN_PROGRESS', 'FAILED'],
  'dies-before-running': ['FAULT'],
  'times-out-running': ['IN_PROGRESS', 'TIMED_OUT'],
  'stopped-running': ['IN_PROGRESS', 'STOPPED'],
} as const;
type Behaviour = keyof typeof BEHAVIOURS;
const OPERATIONS = ['listReady', 'get', 'markBuildStarted', 'markInProgress', 'markFinished', 'acquire', 'release'] as const;

/** Faults that each fire once, the first time their operation meets their item. */
function oneShotFaults(faults: readonly { operation: string; item: number; when: 'before' | 'lost-response' }[]): FaultPlan {
  const fired = new Set<number>();
  return (operation, workItemId) => {
    const index = faults.findIndex((fault, at) => !fired.has(at) && fault.operation === operation && (operation === 'listReady' || workItemId === `wi-${fault.item}`));
    if (index < 0) return undefined;
    fired.add(index);
    return { error: new TransientError(`injected ${faults[index]!.when} on ${operation}`), when: faults[index]!.when };
  };
}

const settings = { maxBuildsPerCycle: 10, leaseSeconds: 900, pageSize: 2, budgetMs: 30_000 };

describe('worker lifecycle under faults and interleavings', () => {
  it('every item ends done or failed exactly once, with at most one build recorded', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.constantFrom(...(Object.keys(BEHAVIOURS) as Behaviour[])), { minLength: 12, maxLength: 12 }),
        fc.array(fc.record({ operation: fc.constantFrom(...OPERATIONS), item: fc.integer({ min: 0, max: 3 }), when: fc.constantFrom<'before' | 'lost-response'>('before', 'lost-response') }), { maxLength: 5 }),
        fc.array(fc.constantFrom('delivered', 'lost', 'reversed'), { minLength: 12, maxLength: 12 }),
        async (s, itemCount, pollerCount, behaviours, faults, delivery) => {
          const yieldPoint: YieldPoint = () => s.schedule(Promise.resolve());
          const workItems = new InMemoryWorkItems(Array.from({ length: itemCount }, (_, index) => readyItem(`wi-${index}`)), yieldPoint);
          const locks = new InMemoryLockStore(yieldPoint);
          const plan = oneShotFaults(faults);
          workItems.faults = plan;
          locks.faults = plan;
          const states = new FakeBuildStates(yieldPoint);
          const starter = new RecordingBuildStarter(yieldPoint);
          const builds = {
            start: async (request: Parameters<RecordingBuildStarter['start']>[0]) => {
              const started = await starter.start(request);
              states.known.set(started.buildId, { kind: 'running' });
              return started;
            },
          };
          const clock = new ManualClock();
          const events = createBuildStateChangeHandler({ workItems, locks, clock, projectName: IMPLEMENTATION_PROJECT, log: () => undefined });
          const ran = new Set<string>();

          /** Runs one started build to its end as CodeBuild would, delivering its events (or losing them, or in reverse order). */
          const runBuild = async (build: (typeof starter.started)[number]): Promise<void> => {
            if (ran.has(build.buildId)) return;
            ran.add(build.buildId);
            const index = Number(build.buildId.split(':')[1]);
            const statuses: readonly string[] = BEHAVIOURS[behaviours[index % behaviours.length]!];
            states.known.set(build.buildId, { kind: 'ended', status: statuses.at(-1)! });
            const how = delivery[index % delivery.length]!;
            if (how === 'lost') return;
            // A failed delivery is retried by EventBridge; here it is simply lost, and the sweep must cover it.
            for (const status of how === 'reversed' ? [...statuses].reverse() : statuses) await events(buildStateEvent(build, status)).catch(() => undefined);
          };
          const runNewBuilds = () => Promise.all(starter.started.map(runBuild));
          const sweep = () => runSweep({ workItems, builds: states, clock }, { olderThanSeconds: 60, limit: 100 }).catch(() => undefined);

          // Phase 1: everything at once, with faults.
          const pollers = Array.from({ length: pollerCount }, (_, index) => runPollCycle({ workItems, locks, builds, clock }, settings, `poller-${index}`).then(runNewBuilds));
          await s.waitFor(Promise.all([...pollers, sweep()]));

          // Phase 2: faults have passed; time moves on (leases run out, items age); poll and sweep until quiet.
          workItems.faults = () => undefined;
          locks.faults = () => undefined;
          for (let round = 0; round < 6; round += 1) {
            clock.advance(1_000_000);
            await s.waitFor(runPollCycle({ workItems, locks, builds, clock }, settings, `later-${round}`).then(runNewBuilds));
            clock.advance(1_000_000);
            await s.waitFor(sweep());
          }

          for (const item of workItems.items.values()) {
            expect(['done', 'failed']).toContain(item.status);
            const terminal = workItems.history.filter((change) => change.workItemId === item.workItemId && (change.status === 'done' || change.status === 'failed'));
            expect(terminal).toHaveLength(1);
            const recorded = new Set(workItems.history.filter((change) => change.workItemId === item.workItemId && change.status === 'build-started').map((change) => change.buildId));
            expect(recorded.size).toBeLessThanOrEqual(1);
            // The item's outcome is its recorded build's: done exactly when that build succeeded.
            const ended = states.known.get(item.buildId ?? '');
            if (item.buildId !== undefined && ended?.kind === 'ended') expect(item.status).toBe(ended.status === 'SUCCEEDED' ? 'done' : 'failed');
          }
        },
      ),
      { numRuns: 120 },
    );
  });
});
