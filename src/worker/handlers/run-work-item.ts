/**
 * The worker run inside CodeBuild: the buildspec calls this for the work item the poller passed in.
 * It marks the item in progress, runs the project's implementation command, marks the item done or
 * failed, and gives the lock back. Thin: the decisions live in domain/run-decision.ts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { systemClock, type Clock } from '../../shared/clock.js';
import { DynamoDbLockStore } from '../adapters/dynamodb-lock-store.js';
import { DynamoDbWorkItems } from '../adapters/dynamodb-work-items.js';
import { ShellCommandRunner } from '../adapters/shell-command-runner.js';
import { BUILD_ENVIRONMENT, WORKER_ENVIRONMENT } from '../domain/build-environment.js';
import { decideRunOutcome, decideRunStart, type RunStartDecision } from '../domain/run-decision.js';
import type { CommandRunner } from '../ports/command-runner.js';
import type { LockStore } from '../ports/lock-store.js';
import type { WorkItemRepository } from '../ports/work-items.js';
import { positiveIntegerEnv, requireEnv, type Environment } from '../../shared/environment.js';

/** Environment variables of the worker build (defined with the other build variables, re-exported for callers of this handler). */
export { WORKER_ENVIRONMENT };

/** The work item this build was started for. */
export interface RunInput {
  readonly workItemId: string;
  readonly buildId: string;
  readonly lockOwner: string;
  readonly repository: string;
  readonly branch: string;
}

/** What a worker run needs, injected so tests use fakes. */
export interface RunWorkItemDependencies {
  readonly workItems: WorkItemRepository;
  readonly locks: LockStore;
  readonly runner: CommandRunner;
  readonly clock: Clock;
  readonly implementationCommand: string;
  /** Attempts while the item does not name this build yet, `recordWaitMs` apart. */
  readonly recordWaitAttempts: number;
  readonly recordWaitMs: number;
  readonly log: (line: string) => void;
}

/** How a run ended; `exitCode` becomes the build's result. */
export type RunReport =
  | { readonly kind: 'done'; readonly exitCode: 0 }
  /**
   * The item's implementation failed and the item is recorded as failed: exit 0, since the worker did
   * its job. A customer's failing tests must not count as a failed worker build, which the
   * `worker-build-failures` alarm (critical) watches; exit 1 is kept for the worker's own anomalies.
   */
  | { readonly kind: 'failed'; readonly exitCode: 0 | 1; readonly reason: string }
  | { readonly kind: 'already-finished'; readonly exitCode: 0; readonly reason: string }
  | { readonly kind: 'refused'; readonly exitCode: 1; readonly reason: string };

async function waitForRecord(deps: RunWorkItemDependencies, input: RunInput): Promise<RunStartDecision> {
  let decision = decideRunStart(await deps.workItems.get(input.workItemId), input.buildId);
  for (let attempt = 1; decision.kind === 'wait' && attempt < deps.recordWaitAttempts; attempt += 1) {
    await deps.clock.sleep(deps.recordWaitMs);
    decision = decideRunStart(await deps.workItems.get(input.workItemId), input.buildId);
  }
  return decision.kind === 'wait' ? { kind: 'refuse', reason: `${decision.reason} after ${deps.recordWaitAttempts} looks` } : decision;
}

/** Runs the implementation of one work item, from the start decision to giving the lock back. */
export async function runWorkItem(deps: RunWorkItemDependencies, input: RunInput): Promise<RunReport> {
  const decision = await waitForRecord(deps, input);
  if (decision.kind === 'refuse') {
    // Not ours: leave the item and its lock to the build the item names.
    return { kind: 'refused', exitCode: 1, reason: decision.reason };
  }
  if (decision.kind === 'already-finished') {
    await deps.locks.release(input.workItemId, input.lockOwner);
    return { kind: 'already-finished', exitCode: 0, reason: decision.reason };
  }

  const started = await deps.workItems.markInProgress(input.workItemId, input.buildId, deps.clock.now());
  if (started.kind === 'conflict') return { kind: 'refused', exitCode: 1, reason: started.reason };
  deps.log(JSON.stringify({ message: 'implementing work item', workItemId: input.workItemId, buildId: input.buildId }));

  let outcome: ReturnType<typeof decideRunOutcome>;
  try {
    outcome = decideRunOutcome(
      await deps.runner.run(deps.implementationCommand, {
        [BUILD_ENVIRONMENT.workItemId]: input.workItemId,
        [BUILD_ENVIRONMENT.repository]: input.repository,
        [BUILD_ENVIRONMENT.branch]: input.branch,
      }),
    );
  } catch (error) {
    outcome = { kind: 'failed', reason: `the implementation command could not be run: ${error instanceof Error ? error.message : String(error)}` };
  }

  const finished = await deps.workItems.markFinished(
    input.workItemId,
    input.buildId,
    outcome.kind,
    deps.clock.now(),
    outcome.kind === 'failed' ? outcome.reason : undefined,
  );
  await deps.locks.release(input.workItemId, input.lockOwner);
  if (finished.kind === 'conflict') return { kind: 'failed', exitCode: 1, reason: finished.reason };
  return outcome.kind === 'done' ? { kind: 'done', exitCode: 0 } : { kind: 'failed', exitCode: 0, reason: outcome.reason };
}

const SET_BY_PROJECT = 'the worker CodeBuild project (infrastructure/lib/constructs/worker/worker-project.ts)';
const SET_BY_POLLER = 'the poller as a StartBuild override: start worker builds through the poller';

/** Reads the run's input from the build environment. */
export function runInputFromEnvironment(environment: Environment): RunInput {
  return {
    workItemId: requireEnv(environment, BUILD_ENVIRONMENT.workItemId, SET_BY_POLLER),
    lockOwner: requireEnv(environment, BUILD_ENVIRONMENT.lockOwner, SET_BY_POLLER),
    repository: requireEnv(environment, BUILD_ENVIRONMENT.repository, SET_BY_POLLER),
    branch: requireEnv(environment, BUILD_ENVIRONMENT.branch, SET_BY_POLLER),
    buildId: requireEnv(environment, WORKER_ENVIRONMENT.buildId, 'CodeBuild for every build'),
  };
}

/** Builds the real dependencies from the build environment. */
export function runDependenciesFromEnvironment(environment: Environment, workingDirectory: string, log: (line: string) => void): RunWorkItemDependencies {
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  return {
    workItems: new DynamoDbWorkItems(dynamo, requireEnv(environment, WORKER_ENVIRONMENT.workItemsTable, SET_BY_PROJECT)),
    locks: new DynamoDbLockStore(dynamo, requireEnv(environment, WORKER_ENVIRONMENT.lockTable, SET_BY_PROJECT)),
    runner: new ShellCommandRunner(environment, workingDirectory),
    clock: systemClock,
    implementationCommand: requireEnv(environment, WORKER_ENVIRONMENT.implementationCommand, SET_BY_PROJECT),
    recordWaitAttempts: positiveIntegerEnv(environment, WORKER_ENVIRONMENT.recordWaitAttempts, 10),
    recordWaitMs: 3000,
    log,
  };
}

/** The build's entry: runs the item named by the environment and returns the process exit code. */
export async function main(environment: Environment, workingDirectory: string, log: (line: string) => void): Promise<number> {
  const report = await runWorkItem(runDependenciesFromEnvironment(environment, workingDirectory, log), runInputFromEnvironment(environment));
  log(JSON.stringify({ message: 'worker run finished', ...report }));
  return report.exitCode;
}
