import type { EnvironmentName } from '../history-model.js';
import { affectsInfrastructure, canonicalPaths } from './infrastructure-paths.js';

/**
 * Change detection for one environment: does its infrastructure stage deploy, or is it skipped?
 *
 * Two signals, and any doubt deploys (fail safe):
 * 1. the files changed between the commit last deployed to the environment and the commit about
 *    to deploy (no earlier deployment, or a diff that could not be computed → deploy);
 * 2. `cdk diff` of each of the environment's infrastructure stacks against what is deployed
 *    (`changed` or `error` → deploy; no stack to compare → deploy).
 * Only when no infrastructure file changed and every stack is `unchanged` is the stage skipped.
 */

/** What `cdk diff` said about one stack. */
export type StackDiffStatus = 'changed' | 'unchanged' | 'error';

/** The `cdk diff` outcome of one infrastructure stack. */
export interface StackDiffOutcome {
  readonly stack: string;
  readonly status: StackDiffStatus;
  /** What changed, or why the diff failed (from cdk's output), for the log and the approval summary. */
  readonly detail?: string;
}

/** The source side of the comparison. */
export type SourceChanges =
  /** Nothing was ever deployed to the environment. */
  | { readonly kind: 'first-deployment' }
  /** `git diff --name-only from..to` ran. */
  | { readonly kind: 'diff'; readonly from: string; readonly paths: readonly string[] }
  /** The diff could not be computed (the old commit is missing from the clone, git failed, the history could not be read). */
  | { readonly kind: 'unavailable'; readonly from?: string; readonly reason: string };

/** Everything the decision needs. */
export interface ChangeDetectionInput {
  readonly environment: EnvironmentName;
  /** The commit about to deploy. */
  readonly to: string;
  readonly source: SourceChanges;
  readonly stacks: readonly StackDiffOutcome[];
  /**
   * How the stack outcomes were found: `cdk-diff` (the default) against what is deployed, or
   * `source` when only the changed files were looked at (`kiro-cd plan`, which needs no AWS access),
   * so that a reason never claims a cdk diff that did not run.
   */
  readonly comparedBy?: 'cdk-diff' | 'source';
}

/** The decision for one environment. */
export interface InfrastructureDecision {
  readonly environment: EnvironmentName;
  readonly infrastructure: 'deploy' | 'skip';
  /** Why, one line each: every deploy reason, or the reasons it is safe to skip. */
  readonly reasons: readonly string[];
  /** Every changed path (sorted, de-duplicated); empty for a first deployment. */
  readonly changedPaths: readonly string[];
  /** The changed paths that affect infrastructure templates. */
  readonly infrastructurePaths: readonly string[];
  /** The `cdk diff` outcome per stack, sorted by stack name. */
  readonly stacks: readonly StackDiffOutcome[];
}

const SHOWN_PATHS = 10;

function short(commit: string): string {
  return commit.slice(0, 12);
}

function listed(paths: readonly string[]): string {
  const shown = paths.slice(0, SHOWN_PATHS).join(', ');
  return paths.length > SHOWN_PATHS ? `${shown} and ${String(paths.length - SHOWN_PATHS)} more` : shown;
}

/** Decides whether the environment's infrastructure deploys. Pure and order-insensitive. */
export function decideInfrastructureChange(input: ChangeDetectionInput): InfrastructureDecision {
  const changedPaths = input.source.kind === 'diff' ? canonicalPaths(input.source.paths) : [];
  const infrastructurePaths = changedPaths.filter(affectsInfrastructure);
  const stacks = dedupeStacks(input.stacks);
  const deployReasons: string[] = [];
  const skipReasons: string[] = [];

  switch (input.source.kind) {
    case 'first-deployment':
      deployReasons.push(`first deployment to ${input.environment}: no earlier deployment is recorded`);
      break;
    case 'unavailable':
      deployReasons.push(
        `could not list the files changed${input.source.from === undefined ? '' : ` since ${short(input.source.from)}`} (${input.source.reason}); deploying to be safe`,
      );
      break;
    case 'diff':
      if (infrastructurePaths.length > 0) {
        deployReasons.push(`infrastructure files changed since ${short(input.source.from)}: ${listed(infrastructurePaths)}`);
      } else {
        const others = changedPaths.length - infrastructurePaths.length;
        skipReasons.push(
          changedPaths.length === 0
            ? `no file changed since ${short(input.source.from)}`
            : `no infrastructure file changed since ${short(input.source.from)} (${String(others)} application or other files changed)`,
        );
      }
      break;
  }

  if (stacks.length === 0) {
    deployReasons.push('no infrastructure stack was compared with cdk diff; deploying to be safe');
  }
  const bySource = input.comparedBy === 'source';
  const sourceNote = (stack: StackDiffOutcome): string => `${stack.stack}: ${stack.detail ?? stack.status} (compared by source; cdk diff not run)`;
  for (const stack of stacks) {
    if (stack.status === 'changed') {
      deployReasons.push(bySource ? sourceNote(stack) : `cdk diff: ${stack.stack} differs from what is deployed`);
    } else if (stack.status === 'error') {
      deployReasons.push(`cdk diff failed for ${stack.stack}${stack.detail === undefined ? '' : ` (${stack.detail})`}; deploying to be safe`);
    }
  }
  const unchanged = stacks.filter((stack) => stack.status === 'unchanged').map((stack) => stack.stack);
  if (unchanged.length > 0 && unchanged.length === stacks.length) {
    skipReasons.push(bySource ? stacks.map(sourceNote).join('; ') : `cdk diff: no differences in ${unchanged.join(', ')}`);
  }

  const deploy = deployReasons.length > 0;
  return {
    environment: input.environment,
    infrastructure: deploy ? 'deploy' : 'skip',
    reasons: deploy ? deployReasons : skipReasons,
    changedPaths,
    infrastructurePaths,
    stacks,
  };
}

const STATUS_RANK: Record<StackDiffStatus, number> = { unchanged: 0, changed: 1, error: 2 };

/** One outcome per stack (the most cautious one if a stack appears twice), sorted by name. */
function dedupeStacks(stacks: readonly StackDiffOutcome[]): StackDiffOutcome[] {
  const byName = new Map<string, StackDiffOutcome>();
  for (const stack of stacks) {
    const existing = byName.get(stack.stack);
    const moreCautious = existing === undefined || STATUS_RANK[stack.status] > STATUS_RANK[existing.status];
    // Same status twice: keep the one that sorts first, so the result does not depend on input order.
    const tieBreak = existing !== undefined && stack.status === existing.status && JSON.stringify(stack) < JSON.stringify(existing);
    if (moreCautious || tieBreak) byName.set(stack.stack, stack);
  }
  return [...byName.values()].sort((a, b) => (a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : 0));
}

/** The exported-variable lines CodeBuild reads: `INFRA_<ENV>=deploy|skip`. */
export function exportedVariableLine(decision: InfrastructureDecision): string {
  return `INFRA_${decision.environment.toUpperCase()}=${decision.infrastructure}`;
}
