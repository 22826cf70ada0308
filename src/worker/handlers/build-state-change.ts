/**
 * The Lambda behind the EventBridge rule on "CodeBuild Build State Change" events of the
 * implementation project: the work item follows its build (IN_PROGRESS → in-progress, SUCCEEDED →
 * done, FAILED/FAULT/TIMED_OUT/STOPPED → failed), and when the build has ended the lock its poller
 * took is released. The customer's command runs in that build under a role that can touch no table,
 * so this bookkeeping lives here, in the worker's own code. Delivery of these events is best effort,
 * so the poller's sweep does the same from BatchGetBuilds. Idempotent: a repeated or late event finds
 * the item already moved on and writes nothing.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { systemClock, type Clock } from '../../shared/clock.js';
import { DynamoDbLockStore } from '../adapters/dynamodb-lock-store.js';
import { DynamoDbWorkItems } from '../adapters/dynamodb-work-items.js';
import { settleBuildEnd, type BuildEndOutcome } from '../domain/build-end.js';
import { POLLER_ENVIRONMENT } from '../domain/build-environment.js';
import { parseBuildStateChange } from '../domain/build-state-event.js';
import type { LockStore, ReleaseResult } from '../ports/lock-store.js';
import type { WorkItemRepository } from '../ports/work-items.js';
import { requireEnv, type Environment } from '../../shared/environment.js';
import { FUNCTION_CALLERS } from '../../shared/aws/callers.js';
import { recordCalls } from '../../shared/aws/call-recorder.js';
import { powertoolsLog, type StructuredLog } from '../../shared/telemetry/powertools-log.js';

/** What the handler needs, injected so tests use fakes. */
export interface BuildStateChangeDependencies {
  readonly workItems: WorkItemRepository;
  readonly locks: LockStore;
  readonly clock: Clock;
  /** Only builds of this project (the implementation project) carry work items. */
  readonly projectName: string;
  /** Structured log (Powertools Logger in Lambda). */
  readonly log: StructuredLog;
}

/** What an invocation did. */
export type BuildStateChangeResult =
  | { readonly kind: 'ignored'; readonly reason: string }
  | ({ readonly kind: 'settled'; readonly lock?: ReleaseResult['kind'] } & BuildEndOutcome);

/** Builds the handler. A malformed event or a store fault throws (EventBridge retries; the sweep is the backstop). */
export function createBuildStateChangeHandler(deps: BuildStateChangeDependencies): (event: unknown) => Promise<BuildStateChangeResult> {
  return async (event) => {
    const change = parseBuildStateChange(event);
    let result: BuildStateChangeResult;
    if (change.projectName !== deps.projectName) result = { kind: 'ignored', reason: `build of project ${change.projectName}, not the implementation project` };
    else if (change.workItemId === undefined) result = { kind: 'ignored', reason: 'the build names no work item (not started by the poller)' };
    else {
      const ended = change.buildStatus !== 'IN_PROGRESS';
      const outcome = await settleBuildEnd(deps, change.workItemId, change.buildId, ended ? { kind: 'ended', status: change.buildStatus } : { kind: 'running' });
      // Conditional on the owner: a lock another poller has taken since (its lease ran out) stays.
      const lock = ended && change.lockOwner !== undefined ? (await deps.locks.release(change.workItemId, change.lockOwner)).kind : undefined;
      result = { kind: 'settled', ...outcome, ...(lock === undefined ? {} : { lock }) };
    }
    deps.log({ message: 'build state change handled', buildId: change.buildId, buildStatus: change.buildStatus, ...result });
    return result;
  };
}

const SET_BY = 'the application stack (infrastructure/lib/stacks/application-stack.ts)';

/** Builds the real dependencies from the Lambda environment. */
export function buildStateChangeDependenciesFromEnvironment(environment: Environment, log: StructuredLog): BuildStateChangeDependencies {
  const dynamo = DynamoDBDocumentClient.from(recordCalls(new DynamoDBClient({}), FUNCTION_CALLERS.workerBuildEnd, environment));
  return {
    workItems: new DynamoDbWorkItems(dynamo, requireEnv(environment, POLLER_ENVIRONMENT.workItemsTable, SET_BY)),
    locks: new DynamoDbLockStore(dynamo, requireEnv(environment, POLLER_ENVIRONMENT.lockTable, SET_BY)),
    clock: systemClock,
    projectName: requireEnv(environment, POLLER_ENVIRONMENT.projectName, SET_BY),
    log,
  };
}

/** Powertools for AWS Lambda's logger, created once per execution environment. */
const buildEndLog = powertoolsLog(new Logger({ serviceName: 'kiro-worker-build-end' }));

let cached: ((event: unknown) => Promise<BuildStateChangeResult>) | undefined;

/** The Lambda entry point; dependencies are built once per execution environment. */
export async function handler(event: unknown): Promise<BuildStateChangeResult> {
  cached ??= createBuildStateChangeHandler(
    buildStateChangeDependenciesFromEnvironment(process.env, buildEndLog),
  );
  return cached(event);
}
