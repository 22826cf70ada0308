/**
 * One poll cycle of the work-item poller: find ready items, lock each, start a build for it, record
 * the build. The orchestration talks only to ports, so it runs unchanged against DynamoDB and
 * CodeBuild (adapters) and against in-memory fakes in property tests that interleave many pollers.
 */
import type { Clock } from '../../shared/clock.js';
import { KiroCdError, asKiroCdError } from '../../shared/errors.js';
import type { BuildStarter } from '../ports/build-starter.js';
import type { LockStore } from '../ports/lock-store.js';
import type { WorkItemRepository } from '../ports/work-items.js';
import { epochSeconds, newLease } from './lock.js';
import { READY_STATUS, type WorkItem } from './work-item.js';

/** Error code the CodeBuild adapter gives a build request that CodeBuild rejected for this item. */
export const BUILD_REJECTED_CODE = 'BUILD_REJECTED';

/** CodeBuild refused to start a build for this item (invalid input): retrying the item will not help. */
export class BuildRejectedError extends KiroCdError {
  constructor(message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super(message, { code: BUILD_REJECTED_CODE, fault: 'user', context, cause });
  }
}

/** What to do after a build could not be started for a locked item. */
export type StartFailureDecision =
  /** The item itself is bad: give the lock back and mark the item failed, so it is not retried forever. */
  | { readonly kind: 'release-and-fail-item'; readonly reason: string }
  /** Throttling, an outage, a defect: give the lock back, leave the item ready, try again next cycle. */
  | { readonly kind: 'release-and-retry'; readonly reason: string }
  /** The poller is misconfigured (no such project, no permission): every item would fail, so stop the cycle. */
  | { readonly kind: 'release-and-abort'; readonly reason: string };

/** Decides how to react to a failed StartBuild, from whose fault it is. */
export function decideStartFailure(error: KiroCdError): StartFailureDecision {
  if (error.code === BUILD_REJECTED_CODE) return { kind: 'release-and-fail-item', reason: error.message };
  if (error.fault === 'user') return { kind: 'release-and-abort', reason: error.message };
  return { kind: 'release-and-retry', reason: error.message };
}

/** Settings of a poll cycle, from the poller's environment. */
export interface PollSettings {
  /** At most this many builds are started per cycle, to stay within CodeBuild's concurrency. */
  readonly maxBuildsPerCycle: number;
  /** Lease of a lock: longer than the worker build's timeout, so a running build keeps its item. */
  readonly leaseSeconds: number;
}

/** What happened to one item in a cycle. */
export type ItemOutcome =
  | { readonly kind: 'started'; readonly workItemId: string; readonly buildId: string }
  /** Another poller holds the lock: a lost race (counted as lock contention). */
  | { readonly kind: 'contended'; readonly workItemId: string }
  /** Locked, but the item was no longer ready (a stale index read): lock given back, nothing started. */
  | { readonly kind: 'stale'; readonly workItemId: string }
  /** The build started but the item had changed meanwhile; the build's own run refuses to work on it. */
  | { readonly kind: 'record-conflict'; readonly workItemId: string; readonly buildId: string; readonly reason: string }
  | { readonly kind: 'start-failed'; readonly workItemId: string; readonly decision: StartFailureDecision };

/** The result of one cycle, for the logs and the metrics. */
export interface PollCycleReport {
  /** The lock owner name of this cycle (one per invocation). */
  readonly owner: string;
  readonly outcomes: readonly ItemOutcome[];
  /** Set when the cycle stopped early because the poller is misconfigured. */
  readonly aborted?: string;
}

/** The ports a poll cycle uses. */
export interface PollCycleDependencies {
  readonly workItems: WorkItemRepository;
  readonly locks: LockStore;
  readonly builds: BuildStarter;
  readonly clock: Clock;
}

async function pollOne(
  deps: PollCycleDependencies,
  settings: PollSettings,
  owner: string,
  candidate: WorkItem,
): Promise<ItemOutcome> {
  const { workItemId } = candidate;
  const now = deps.clock.now();
  const lease = newLease(workItemId, owner, now, settings.leaseSeconds);
  const acquired = await deps.locks.acquire(lease, epochSeconds(now));
  if (acquired.kind === 'held') return { kind: 'contended', workItemId };

  // The index is eventually consistent and the candidate list may be old: another poller may have
  // started this item and its build finished and released the lock since. Re-read under the lock.
  const current = await deps.workItems.get(workItemId);
  if (current?.status !== READY_STATUS) {
    await deps.locks.release(workItemId, owner);
    return { kind: 'stale', workItemId };
  }

  let buildId: string;
  try {
    ({ buildId } = await deps.builds.start({
      workItemId,
      repository: current.repository,
      branch: current.branch,
      lockOwner: owner,
    }));
  } catch (error) {
    const decision = decideStartFailure(asKiroCdError(error));
    if (decision.kind === 'release-and-fail-item') {
      await deps.workItems.markRejected(workItemId, deps.clock.now(), decision.reason);
    }
    await deps.locks.release(workItemId, owner);
    return { kind: 'start-failed', workItemId, decision };
  }

  // The lock stays held: the build inherits it and releases it when it finishes.
  const recorded = await deps.workItems.markBuildStarted(workItemId, buildId, deps.clock.now());
  if (recorded.kind === 'conflict') return { kind: 'record-conflict', workItemId, buildId, reason: recorded.reason };
  return { kind: 'started', workItemId, buildId };
}

/**
 * Runs one poll cycle as lock owner `owner`. Items are handled one after another, so a cycle never
 * starts more than `maxBuildsPerCycle` builds; a misconfiguration stops the cycle at the first item.
 */
export async function runPollCycle(
  deps: PollCycleDependencies,
  settings: PollSettings,
  owner: string,
): Promise<PollCycleReport> {
  const candidates = await deps.workItems.listReady(settings.maxBuildsPerCycle);
  const outcomes: ItemOutcome[] = [];
  for (const candidate of candidates) {
    const outcome = await pollOne(deps, settings, owner, candidate);
    outcomes.push(outcome);
    if (outcome.kind === 'start-failed' && outcome.decision.kind === 'release-and-abort') {
      return { owner, outcomes, aborted: outcome.decision.reason };
    }
  }
  return { owner, outcomes };
}

/** Counts of a report, as published to CloudWatch. */
export interface PollCycleCounts {
  readonly started: number;
  readonly contended: number;
  readonly stale: number;
  readonly startFailures: number;
  readonly recordConflicts: number;
}

/** Counts the outcomes of a cycle by kind. */
export function countOutcomes(report: PollCycleReport): PollCycleCounts {
  const count = (kind: ItemOutcome['kind']): number => report.outcomes.filter((outcome) => outcome.kind === kind).length;
  return {
    started: count('started'),
    contended: count('contended'),
    stale: count('stale'),
    startFailures: count('start-failed'),
    recordConflicts: count('record-conflict'),
  };
}
