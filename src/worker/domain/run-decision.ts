/**
 * Decisions of the worker run inside CodeBuild: may this build work on the item, and how did it end.
 * Pure: the handler reads the item and runs the command, these functions say what it means.
 */
import type { CommandResult } from '../ports/command-runner.js';
import type { WorkItem } from './work-item.js';

/** Whether the build may implement the item. */
export type RunStartDecision =
  /** The item is recorded as this build's: implement it. */
  | { readonly kind: 'proceed' }
  /**
   * The item is still ready and names no build: the poller started this build but has not recorded
   * it yet (StartBuild returns before the poller's next write). Look again shortly.
   */
  | { readonly kind: 'wait'; readonly reason: string }
  /** This build already finished the item (a retried build phase): nothing to do. */
  | { readonly kind: 'already-finished'; readonly reason: string }
  /** The item is not this build's to implement. */
  | { readonly kind: 'refuse'; readonly reason: string };

/** Decides whether build `buildId` may implement `item` (undefined when it does not exist). */
export function decideRunStart(item: WorkItem | undefined, buildId: string): RunStartDecision {
  if (item === undefined) return { kind: 'refuse', reason: 'the work item does not exist' };
  if (item.buildId === undefined && item.status === 'ready-for-implementation') {
    return { kind: 'wait', reason: 'the poller has not recorded this build on the item yet' };
  }
  if (item.buildId !== buildId) {
    return { kind: 'refuse', reason: `the item is recorded for build ${item.buildId ?? '(none)'}, not ${buildId}` };
  }
  switch (item.status) {
    case 'build-started':
    case 'in-progress':
      return { kind: 'proceed' };
    case 'done':
    case 'failed':
      return { kind: 'already-finished', reason: `the item is already ${item.status}` };
    case 'ready-for-implementation':
      return { kind: 'refuse', reason: 'the item was made ready again after this build was recorded' };
  }
}

/** How the implementation ended. */
export type RunOutcome = { readonly kind: 'done' } | { readonly kind: 'failed'; readonly reason: string };

/** Maps the implementation command's result to the item's final status; a command stopped at its deadline failed. */
export function decideRunOutcome(result: CommandResult, deadlineSeconds?: number): RunOutcome {
  if (result.timedOut === true) {
    return { kind: 'failed', reason: `the implementation command did not finish within ${deadlineSeconds ?? '?'} seconds and was stopped` };
  }
  if (result.exitCode === 0) return { kind: 'done' };
  if (result.exitCode === null) {
    return { kind: 'failed', reason: `the implementation command was stopped by signal ${result.signal ?? 'unknown'}` };
  }
  return { kind: 'failed', reason: `the implementation command exited with code ${result.exitCode}` };
}
