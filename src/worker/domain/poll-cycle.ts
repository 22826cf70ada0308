/**
 * One poll cycle of the work-item poller: page through ready items, lock each, start a build for it,
 * record the build. The orchestration talks only to ports, so it runs unchanged against DynamoDB and
 * CodeBuild (adapters) and against in-memory fakes in property tests that interleave many pollers.
 *
 * A passing fault (throttling, a lost connection) never fails the cycle: it is contained to the item
 * it hit, the lock is given back, and the item is tried again on the next poll. Only a misconfigured
 * poller (no project, no permission) or a defect stops the cycle, so that `poller-errors` means
 * "someone must act".
 */
import type { Clock } from '../../shared/clock.js';
import { KiroCdError, asKiroCdError } from '../../shared/errors.js';
import type { BuildStarter } from '../ports/build-starter.js';
import type { LockStore } from '../ports/lock-store.js';
import type { WorkItemRepository } from '../ports/work-items.js';
import { epochSeconds, newLease } from './lock.js';
import { READY_STATUS, type WorkItem } from './work-item.js';
import { workItemProblem } from './work-item-validation.js';

/** What to do after a build could not be started for a locked item. */
export type StartFailureDecision =
  /** Throttling, an outage, a concurrency limit, a defect: give the lock back, leave the item ready, start nothing more this cycle. */
  | { readonly kind: 'release-and-retry'; readonly reason: string }
  /** The poller or its project is misconfigured (no such project, no permission, a request CodeBuild refuses): every item would fail, so stop the cycle. */
  | { readonly kind: 'release-and-abort'; readonly reason: string };

/** Decides how to react to a failed StartBuild, from whose fault it is. */
export function decideStartFailure(error: KiroCdError): StartFailureDecision {
  if (error.fault === 'user') return { kind: 'release-and-abort', reason: error.message };
  return { kind: 'release-and-retry', reason: error.message };
}

/** Settings of a poll cycle, from the poller's environment. */
export interface PollSettings {
  /** At most this many builds are started per cycle, to stay within CodeBuild's concurrency. */
  readonly maxBuildsPerCycle: number;
  /**
   * Lease of a lock. It only has to cover starting and recording a build: once the item is
   * `build-started`, no poller starts it again, because every poller re-reads the item under the lock.
   */
  readonly leaseSeconds: number;
  /** Ready items read per index query. */
  readonly pageSize: number;
  /** Milliseconds after which the cycle starts nothing new (kept well inside the Lambda timeout). */
  readonly budgetMs: number;
}

/** What happened to one item in a cycle. */
export type ItemOutcome =
  | { readonly kind: 'started'; readonly workItemId: string; readonly buildId: string }
  /** Another poller holds the lock: a lost race (counted as lock contention). */
  | { readonly kind: 'contended'; readonly workItemId: string }
  /** Locked, but the item was no longer ready (a stale index read): lock given back, nothing started. */
  | { readonly kind: 'stale'; readonly workItemId: string }
  /** The item cannot be built (bad repository or branch, or a malformed record): marked failed with the reason. */
  | { readonly kind: 'rejected'; readonly workItemId: string; readonly reason: string }
  /** The build started but the item had changed meanwhile; its events name a build the item does not, and change nothing. */
  | { readonly kind: 'record-conflict'; readonly workItemId: string; readonly buildId: string; readonly reason: string }
  /**
   * The build started but recording it failed transiently: the lock stays held and the
   * build-state-change handler records the build from its first event (the same conditional write).
   */
  | { readonly kind: 'record-failed'; readonly workItemId: string; readonly buildId: string; readonly reason: string }
  | { readonly kind: 'start-failed'; readonly workItemId: string; readonly decision: StartFailureDecision }
  /** A transient store fault hit this item; the lock was given back and the item is tried next poll. */
  | { readonly kind: 'fault'; readonly workItemId: string; readonly reason: string };

/** The result of one cycle, for the logs and the metrics. */
export interface PollCycleReport {
  /** The lock owner name of this cycle (one per invocation). */
  readonly owner: string;
  readonly outcomes: readonly ItemOutcome[];
  /** Set when listing ready items failed transiently: nothing was tried this cycle beyond that point. */
  readonly listFault?: string;
  /** Set when the cycle stopped early because the poller is misconfigured or a defect showed. */
  readonly aborted?: string;
}

/** The ports a poll cycle uses. */
export interface PollCycleDependencies {
  readonly workItems: WorkItemRepository;
  readonly locks: LockStore;
  readonly builds: BuildStarter;
  readonly clock: Clock;
}

/** Thrown inside an item's handling when the cycle must stop (not transient). */
class AbortCycle extends Error {}

/** Only transient faults are contained; a defect or a missing permission must reach the alarm. */
function containable(error: unknown): KiroCdError {
  const product = asKiroCdError(error);
  if (product.fault !== 'transient') throw new AbortCycle(product.message, { cause: product });
  return product;
}

async function releaseQuietly(deps: PollCycleDependencies, workItemId: string, owner: string): Promise<void> {
  try {
    await deps.locks.release(workItemId, owner);
  } catch {
    // The lease is short: an unreleased lock frees itself when it runs out.
  }
}

async function startLocked(deps: PollCycleDependencies, owner: string, current: WorkItem): Promise<ItemOutcome> {
  const { workItemId } = current;
  let buildId: string;
  try {
    ({ buildId } = await deps.builds.start({ workItemId, repository: current.repository, branch: current.branch, lockOwner: owner }));
  } catch (error) {
    const decision = decideStartFailure(asKiroCdError(error));
    await releaseQuietly(deps, workItemId, owner);
    return { kind: 'start-failed', workItemId, decision };
  }
  try {
    const recorded = await deps.workItems.markBuildStarted(workItemId, buildId, deps.clock.now());
    if (recorded.kind === 'conflict') return { kind: 'record-conflict', workItemId, buildId, reason: recorded.reason };
  } catch (error) {
    // Keep the lock, so no poller starts the item again: the build-state-change handler records the build from its events.
    return { kind: 'record-failed', workItemId, buildId, reason: containable(error).message };
  }
  return { kind: 'started', workItemId, buildId };
}

async function pollOne(deps: PollCycleDependencies, settings: PollSettings, owner: string, candidate: WorkItem): Promise<ItemOutcome> {
  const { workItemId } = candidate;
  const now = deps.clock.now();
  const acquired = await deps.locks.acquire(newLease(workItemId, owner, now, settings.leaseSeconds), epochSeconds(now));
  if (acquired.kind === 'held') return { kind: 'contended', workItemId };
  try {
    // The index is eventually consistent and the candidate list may be old: another poller may have
    // started this item and its build finished and released the lock since. Re-read under the lock.
    const current = await deps.workItems.get(workItemId);
    if (current?.status !== READY_STATUS) {
      await releaseQuietly(deps, workItemId, owner);
      return { kind: 'stale', workItemId };
    }
    const problem = workItemProblem(current);
    if (problem !== undefined) {
      await deps.workItems.markRejected(workItemId, deps.clock.now(), problem);
      await releaseQuietly(deps, workItemId, owner);
      return { kind: 'rejected', workItemId, reason: problem };
    }
    return await startLocked(deps, owner, current);
  } catch (error) {
    await releaseQuietly(deps, workItemId, owner);
    throw error;
  }
}

async function pollOneContained(deps: PollCycleDependencies, settings: PollSettings, owner: string, candidate: WorkItem): Promise<ItemOutcome> {
  try {
    return await pollOne(deps, settings, owner, candidate);
  } catch (error) {
    return { kind: 'fault', workItemId: candidate.workItemId, reason: containable(error).message };
  }
}

/** Takes the malformed records of a page out of the queue, each marked failed with what is wrong. */
async function rejectMalformed(deps: PollCycleDependencies, malformed: readonly { workItemId: string; problem: string }[]): Promise<ItemOutcome[]> {
  const outcomes: ItemOutcome[] = [];
  for (const { workItemId, problem } of malformed) {
    try {
      await deps.workItems.markRejected(workItemId, deps.clock.now(), problem);
      outcomes.push({ kind: 'rejected', workItemId, reason: problem });
    } catch (error) {
      outcomes.push({ kind: 'fault', workItemId, reason: containable(error).message });
    }
  }
  return outcomes;
}

/**
 * Runs one poll cycle as lock owner `owner`: pages through ready items, oldest first, until
 * `maxBuildsPerCycle` builds are started, the items run out, or the time budget is spent. Items are
 * handled one after another; a misconfiguration or a defect stops the cycle (`aborted`).
 */
export async function runPollCycle(deps: PollCycleDependencies, settings: PollSettings, owner: string): Promise<PollCycleReport> {
  const deadline = deps.clock.now().getTime() + settings.budgetMs;
  const outcomes: ItemOutcome[] = [];
  const started = (): number => outcomes.filter((outcome) => outcome.kind === 'started' || outcome.kind === 'record-failed').length;
  const more = (): boolean => started() < settings.maxBuildsPerCycle && deps.clock.now().getTime() < deadline;
  let cursor: string | undefined;
  try {
    do {
      let page;
      try {
        page = await deps.workItems.listReady(settings.pageSize, cursor);
      } catch (error) {
        return { owner, outcomes, listFault: containable(error).message };
      }
      outcomes.push(...(await rejectMalformed(deps, page.malformed)));
      for (const candidate of page.items) {
        if (!more()) return { owner, outcomes };
        const outcome = await pollOneContained(deps, settings, owner, candidate);
        outcomes.push(outcome);
        if (outcome.kind === 'start-failed') {
          // StartBuild itself is failing (throttled, at the concurrency limit, or misconfigured): stop asking.
          return outcome.decision.kind === 'release-and-abort' ? { owner, outcomes, aborted: outcome.decision.reason } : { owner, outcomes };
        }
      }
      cursor = page.cursor;
    } while (cursor !== undefined && more());
  } catch (error) {
    if (error instanceof AbortCycle) return { owner, outcomes, aborted: error.message };
    throw error;
  }
  return { owner, outcomes };
}

/** Counts of a report, as published to CloudWatch. */
export interface PollCycleCounts {
  readonly started: number;
  readonly contended: number;
  readonly stale: number;
  readonly rejected: number;
  readonly startFailures: number;
  readonly recordConflicts: number;
  /** Transient faults contained this cycle (a failed listing counts one). */
  readonly transientFaults: number;
}

/** Counts the outcomes of a report by kind. */
export function countOutcomes(report: PollCycleReport): PollCycleCounts {
  const count = (...kinds: ItemOutcome['kind'][]): number => report.outcomes.filter((outcome) => kinds.includes(outcome.kind)).length;
  return {
    started: count('started', 'record-failed'),
    contended: count('contended'),
    stale: count('stale'),
    rejected: count('rejected'),
    startFailures: count('start-failed'),
    recordConflicts: count('record-conflict'),
    transientFaults: count('fault', 'record-failed') + (report.listFault === undefined ? 0 : 1),
  };
}
