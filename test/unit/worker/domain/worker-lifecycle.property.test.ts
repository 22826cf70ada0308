/**
 * The whole worker under any interleaving (issue 13, "Done when"): several pollers, the builds they
 * start (which finish, fail, crash before running, or time out half-way), transient faults and lost
 * answers injected into the stores, the build-end handler (whose events may be lost) and the sweep,
 * all interleaved by fast-check's scheduler; then later polls and sweeps without faults until nothing
 * moves. Every item must end `done` or `failed` exactly once, with at most one build recorded for it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TransientError } from '../../../../src/shared/errors.js';
import { runSweep } from '../../../../src/worker/domain/build-end.js';
import { runPollCycle } from '../../../../src/worker/domain/poll-cycle.js';
import { createBuildStateChangeHandler } from '../../../../src/worker/handlers/build-state-change.js';
import { runWorkItem } from '../../../../src/worker/handlers/run-work-item.js';
import { FakeBuildStates, InMemoryLockStore, InMemoryWorkItems, ManualClock, RecordingBuildStarter, ScriptedCommandRunner, readyItem, type FaultPlan, type YieldPoint } from '../fakes.js';

type Behaviour = 'succeeds' | 'command-fails' | 'dies-before-running' | 'times-out-running';
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
        fc.array(fc.constantFrom<Behaviour>('succeeds', 'command-fails', 'dies-before-running', 'times-out-running'), { minLength: 12, maxLength: 12 }),
        fc.array(fc.record({ operation: fc.constantFrom(...OPERATIONS), item: fc.integer({ min: 0, max: 3 }), when: fc.constantFrom<'before' | 'lost-response'>('before', 'lost-response') }), { maxLength: 5 }),
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        async (s, itemCount, pollerCount, behaviours, faults, eventLost) => {
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
          const endHandler = createBuildStateChangeHandler({ workItems, clock, projectName: 'worker', log: () => undefined });
          const ran = new Set<string>();

          /** Runs one started build to its end as CodeBuild would, then delivers (or loses) its event. */
          const runBuild = async (build: (typeof starter.started)[number]): Promise<void> => {
            if (ran.has(build.buildId)) return;
            ran.add(build.buildId);
            const index = Number(build.buildId.split(':')[1]);
            const behaviour = behaviours[index % behaviours.length]!;
            let status: string;
            if (behaviour === 'dies-before-running') status = 'FAILED';
            else if (behaviour === 'times-out-running') {
              await workItems.markInProgress(build.workItemId, build.buildId, clock.now()).catch(() => undefined);
              status = 'TIMED_OUT';
            } else {
              const runner = new ScriptedCommandRunner({ exitCode: behaviour === 'succeeds' ? 0 : 1, signal: null });
              const deps = { workItems, locks, clock, runner, implementationCommand: 'implement', recordWaitAttempts: 1, recordWaitMs: 1, log: () => undefined };
              const input = { workItemId: build.workItemId, buildId: build.buildId, lockOwner: build.lockOwner, repository: build.repository, branch: build.branch };
              status = await runWorkItem(deps, input).then(
                (report) => (report.exitCode === 0 ? 'SUCCEEDED' : 'FAILED'),
                () => 'FAILED',
              );
            }
            states.known.set(build.buildId, { kind: 'ended', status });
            if (eventLost[index % eventLost.length] === true) return;
            const event = {
              'detail-type': 'CodeBuild Build State Change',
              source: 'aws.codebuild',
              detail: {
                'build-status': status,
                'project-name': 'worker',
                'build-id': `arn:aws:codebuild:us-east-1:123456789012:build/${build.buildId}`,
                'additional-information': { environment: { 'environment-variables': [{ name: 'KIRO_WORK_ITEM_ID', type: 'PLAINTEXT', value: build.workItemId }] } },
              },
            };
            // A failed delivery is retried by EventBridge; here it is simply lost, and the sweep must cover it.
            await endHandler(event).catch(() => undefined);
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
          }
        },
      ),
      { numRuns: 120 },
    );
  });
});
