/**
 * What to do with a work item whose worker build has ended: normally nothing, because the build
 * recorded the outcome itself. But a build that timed out, was stopped, or died before the worker
 * finished leaves its item `build-started` or `in-progress` for ever; this decides to fail it.
 *
 * Two callers use it: the handler of CodeBuild's "Build State Change" events (fast, but delivery is
 * best effort) and the periodic sweep (BatchGetBuilds on items older than the build timeout), which
 * catches what the events missed. Both write through the same conditional `markFinished`, so whichever
 * comes second (or a build that did finish after all) changes nothing.
 */
import type { Clock } from '../../shared/clock.js';
import { asKiroCdError } from '../../shared/errors.js';
import type { BuildState, BuildStatusReader } from '../ports/build-status-reader.js';
import type { WorkItemRepository } from '../ports/work-items.js';
import type { WorkItem } from './work-item.js';

/** The decision for one item and one build. */
export type BuildEndDecision =
  | { readonly kind: 'fail-item'; readonly reason: string }
  | { readonly kind: 'leave'; readonly reason: string };

/** Decides from the item (as stored now) and what CodeBuild says about build `buildId`. */
export function decideBuildEnd(item: WorkItem | undefined, buildId: string, state: BuildState): BuildEndDecision {
  if (item === undefined) return { kind: 'leave', reason: 'the work item does not exist' };
  if (item.buildId !== buildId) return { kind: 'leave', reason: `the item is recorded for build ${item.buildId ?? '(none)'}, not ${buildId}` };
  if (item.status !== 'build-started' && item.status !== 'in-progress') return { kind: 'leave', reason: `the item is already ${item.status}` };
  switch (state.kind) {
    case 'running':
      return { kind: 'leave', reason: 'the build is still running' };
    case 'not-found':
      return { kind: 'fail-item', reason: `worker build ${buildId} is unknown to CodeBuild; the item was never finished` };
    case 'ended':
      return { kind: 'fail-item', reason: `worker build ${buildId} ended ${state.status} before recording an outcome` };
  }
}

/** What the sweep or the event handler did for one item. */
export interface BuildEndOutcome {
  readonly workItemId: string;
  readonly buildId: string;
  readonly decision: BuildEndDecision;
  /** False when the conditional write found the item already changed (the build or the other path won). */
  readonly written: boolean;
}

/** The ports the build-end paths use. */
export interface BuildEndDependencies {
  readonly workItems: WorkItemRepository;
  readonly clock: Clock;
}

/** Carries out the decision for one item whose build is in `state`. */
export async function settleBuildEnd(deps: BuildEndDependencies, workItemId: string, buildId: string, state: BuildState): Promise<BuildEndOutcome> {
  const decision = decideBuildEnd(await deps.workItems.get(workItemId), buildId, state);
  if (decision.kind === 'leave') return { workItemId, buildId, decision, written: false };
  const result = await deps.workItems.markFinished(workItemId, buildId, 'failed', deps.clock.now(), decision.reason);
  return { workItemId, buildId, decision, written: result.kind === 'updated' };
}

/** Settings of the sweep. */
export interface SweepSettings {
  /** Items whose last change is older than this are checked: the build timeout, so a live build is rarely asked about. */
  readonly olderThanSeconds: number;
  /** At most this many items are checked per sweep. */
  readonly limit: number;
}

/** The result of one sweep. */
export interface SweepReport {
  readonly outcomes: readonly BuildEndOutcome[];
  /** Set when the sweep could not run (a transient fault); it runs again on the next poll. */
  readonly fault?: string;
}

/**
 * The periodic sweep: finds `build-started`/`in-progress` items older than the build timeout, asks
 * CodeBuild about their builds in one BatchGetBuilds, and fails the items whose build has ended.
 * A transient fault ends the sweep quietly (the next poll repeats it); anything else is thrown.
 */
export async function runSweep(deps: BuildEndDependencies & { readonly builds: BuildStatusReader }, settings: SweepSettings): Promise<SweepReport> {
  const outcomes: BuildEndOutcome[] = [];
  try {
    const before = new Date(deps.clock.now().getTime() - settings.olderThanSeconds * 1000);
    const items = (await deps.workItems.listUnfinishedBefore(before, settings.limit)).filter((item) => item.buildId !== undefined);
    if (items.length === 0) return { outcomes };
    const states = await deps.builds.states(items.map((item) => item.buildId ?? ''));
    for (const item of items) {
      const buildId = item.buildId ?? '';
      outcomes.push(await settleBuildEnd(deps, item.workItemId, buildId, states.get(buildId) ?? { kind: 'not-found' }));
    }
    return { outcomes };
  } catch (error) {
    const product = asKiroCdError(error);
    if (product.fault !== 'transient') throw product;
    return { outcomes, fault: product.message };
  }
}
