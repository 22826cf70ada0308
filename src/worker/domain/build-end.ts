/**
 * What a work item's implementation build says about the item. The customer's command runs in the
 * implementation project, whose role can touch no table, so the item's bookkeeping follows the build
 * from outside it: IN_PROGRESS → `in-progress`, SUCCEEDED → `done`, any other end (FAILED, FAULT,
 * TIMED_OUT, STOPPED) or a build CodeBuild does not know → `failed`.
 *
 * Two callers use it: the handler of CodeBuild's "Build State Change" events (fast, but delivery is
 * best effort and unordered) and the periodic sweep (BatchGetBuilds on items older than the build
 * timeout), which catches what the events missed. Both write through the same conditional
 * transitions, so whichever comes second, a repeated event or a late IN_PROGRESS changes nothing.
 */
import type { Clock } from '../../shared/clock.js';
import { asKiroCdError } from '../../shared/errors.js';
import type { BuildState, BuildStatusReader } from '../ports/build-status-reader.js';
import type { WorkItemRepository } from '../ports/work-items.js';
import { READY_STATUS, type WorkItem } from './work-item.js';

/** The one build status that means the customer's command succeeded. */
const SUCCEEDED = 'SUCCEEDED';

/** The decision for one item and one build. */
export type BuildEndDecision =
  /**
   * The item is still ready and names no build: the poller started this build but could not record it
   * (a passing fault) and kept the lock for it. Record it, with the same conditional write.
   */
  | { readonly kind: 'record-build'; readonly reason: string }
  | { readonly kind: 'mark-in-progress' }
  | { readonly kind: 'finish'; readonly outcome: 'done' | 'failed'; readonly reason?: string }
  | { readonly kind: 'leave'; readonly reason: string };

/** Decides from the item (as stored now) and what CodeBuild says about build `buildId`. */
export function decideBuildEnd(item: WorkItem | undefined, buildId: string, state: BuildState): BuildEndDecision {
  if (item === undefined) return { kind: 'leave', reason: 'the work item does not exist' };
  if (item.status === READY_STATUS && item.buildId === undefined && state.kind !== 'not-found') {
    return { kind: 'record-build', reason: 'the poller started this build but could not record it' };
  }
  if (item.buildId !== buildId) return { kind: 'leave', reason: `the item is recorded for build ${item.buildId ?? '(none)'}, not ${buildId}` };
  if (item.status !== 'build-started' && item.status !== 'in-progress') return { kind: 'leave', reason: `the item is already ${item.status}` };
  switch (state.kind) {
    case 'running':
      return item.status === 'build-started' ? { kind: 'mark-in-progress' } : { kind: 'leave', reason: 'the item is already in progress' };
    case 'not-found':
      return { kind: 'finish', outcome: 'failed', reason: `implementation build ${buildId} is unknown to CodeBuild; the item was never finished` };
    case 'ended':
      return state.status === SUCCEEDED ? { kind: 'finish', outcome: 'done' } : { kind: 'finish', outcome: 'failed', reason: `implementation build ${buildId} ended ${state.status}` };
  }
}

/** What the sweep or the event handler did for one item. */
export interface BuildEndOutcome {
  readonly workItemId: string;
  readonly buildId: string;
  readonly decision: BuildEndDecision;
  /** False when nothing was written: a `leave`, or the conditional write found the item already changed. */
  readonly written: boolean;
}

/** The ports the build-end paths use. */
export interface BuildEndDependencies {
  readonly workItems: WorkItemRepository;
  readonly clock: Clock;
}

/** Carries out the decision for one item whose build is in `state`. */
export async function settleBuildEnd(deps: BuildEndDependencies, workItemId: string, buildId: string, state: BuildState): Promise<BuildEndOutcome> {
  let decision = decideBuildEnd(await deps.workItems.get(workItemId), buildId, state);
  let recorded = false;
  if (decision.kind === 'record-build') {
    const claim = await deps.workItems.markBuildStarted(workItemId, buildId, deps.clock.now());
    if (claim.kind === 'conflict') return { workItemId, buildId, decision: { kind: 'leave', reason: claim.reason }, written: false };
    recorded = true;
    decision = decideBuildEnd(await deps.workItems.get(workItemId), buildId, state);
  }
  switch (decision.kind) {
    case 'record-build':
    case 'leave':
      return { workItemId, buildId, decision, written: recorded };
    case 'mark-in-progress': {
      const result = await deps.workItems.markInProgress(workItemId, buildId, deps.clock.now());
      return { workItemId, buildId, decision, written: recorded || result.kind === 'updated' };
    }
    case 'finish': {
      const result = await deps.workItems.markFinished(workItemId, buildId, decision.outcome, deps.clock.now(), decision.reason);
      return { workItemId, buildId, decision, written: recorded || result.kind === 'updated' };
    }
  }
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
 * CodeBuild about their builds in one BatchGetBuilds, and finishes the items whose build has ended
 * (done when it SUCCEEDED). A transient fault ends the sweep quietly (the next poll repeats it);
 * anything else is thrown.
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
