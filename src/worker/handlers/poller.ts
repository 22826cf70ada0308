/**
 * The work-item poller Lambda: on each schedule tick, runs one poll cycle (starting implementation
 * builds) and the sweep of stuck items, and publishes the cycle's metrics. Thin: reads the environment, builds the adapters, calls
 * {@link runPollCycle} and {@link runSweep}, maps the result.
 */
import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { systemClock, type Clock } from '../../shared/clock.js';
import { uuidGenerator, type IdGenerator } from '../../shared/id-generator.js';
import { ConfigurationError } from '../../shared/errors.js';
import { CodeBuildBuildStarter } from '../adapters/codebuild-build-starter.js';
import { CodeBuildBuildStatusReader } from '../adapters/codebuild-build-status-reader.js';
import { DynamoDbLockStore } from '../adapters/dynamodb-lock-store.js';
import { DynamoDbWorkItems } from '../adapters/dynamodb-work-items.js';
import { Logger } from '@aws-lambda-powertools/logger';
import { PowertoolsPollMetrics } from '../adapters/powertools-poll-metrics.js';
import { WORKER_METRIC_NAMESPACE } from '../domain/metrics.js';
import { powertoolsLog, type StructuredLog } from '../../shared/telemetry/powertools-log.js';
import { metricsWithoutDefaultDimensions } from '../../shared/telemetry/powertools-metrics.js';
import { runSweep, type SweepSettings } from '../domain/build-end.js';
import { POLLER_ENVIRONMENT } from '../domain/build-environment.js';
import { countOutcomes, runPollCycle, type PollCycleCounts, type PollSettings } from '../domain/poll-cycle.js';
import type { BuildStarter } from '../ports/build-starter.js';
import type { BuildStatusReader } from '../ports/build-status-reader.js';
import type { LockStore } from '../ports/lock-store.js';
import type { PollMetrics } from '../ports/poll-metrics.js';
import type { WorkItemRepository } from '../ports/work-items.js';
import { positiveIntegerEnv, requireEnv, type Environment } from '../../shared/environment.js';
import { FUNCTION_CALLERS } from '../../shared/aws/callers.js';
import { recordCalls } from '../../shared/aws/call-recorder.js';

/** Environment variables of the poller (defined in the domain so the stack can share them, re-exported here). */
export { POLLER_ENVIRONMENT };

/** What the poller needs, injected so tests use fakes. */
export interface PollerDependencies {
  readonly workItems: WorkItemRepository;
  readonly locks: LockStore;
  readonly builds: BuildStarter;
  readonly buildStates: BuildStatusReader;
  readonly metrics: PollMetrics;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly settings: PollSettings;
  readonly sweep: SweepSettings;
  /** Structured log (Powertools Logger in Lambda). */
  readonly log: StructuredLog;
}

/** What an invocation returns (visible in a test invoke and in the logs). */
export interface PollerResult extends PollCycleCounts {
  readonly owner: string;
  /** Items the sweep failed because their build had ended without finishing them. */
  readonly swept: number;
}

/**
 * Builds the handler from its dependencies. Passing faults are contained and counted
 * (`TransientFaults`); only an aborted cycle (misconfiguration, a defect) throws, so Lambda's
 * `Errors`, and the `poller-errors` alarm, mean that someone must act.
 */
export function createHandler(deps: PollerDependencies): (event: unknown) => Promise<PollerResult> {
  return async () => {
    const owner = `poller-${deps.ids.next()}`;
    const report = await runPollCycle(deps, deps.settings, owner);
    deps.log({ message: 'poll cycle finished', owner, outcomes: report.outcomes, listFault: report.listFault, aborted: report.aborted });
    await deps.metrics.publish(report);
    if (report.aborted !== undefined) {
      throw new ConfigurationError(`The poll cycle stopped: ${report.aborted}`, { owner });
    }
    const sweep = await runSweep({ workItems: deps.workItems, builds: deps.buildStates, clock: deps.clock }, deps.sweep);
    if (sweep.outcomes.length > 0 || sweep.fault !== undefined) {
      deps.log({ message: 'sweep finished', outcomes: sweep.outcomes, fault: sweep.fault });
    }
    return { owner, ...countOutcomes(report), swept: sweep.outcomes.filter((outcome) => outcome.written).length };
  };
}

const SET_BY = 'the application stack (infrastructure/lib/stacks/application-stack.ts)';

/** Builds the real dependencies from the Lambda environment. */
export function dependenciesFromEnvironment(environment: Environment, log: StructuredLog, lambdaTimeoutMs = 60_000): PollerDependencies {
  const dynamo = DynamoDBDocumentClient.from(recordCalls(new DynamoDBClient({}), FUNCTION_CALLERS.workerPoller, environment));
  const codebuild = recordCalls(new CodeBuildClient({}), FUNCTION_CALLERS.workerPoller, environment);
  const maxBuildsPerCycle = positiveIntegerEnv(environment, POLLER_ENVIRONMENT.maxBuildsPerCycle, 10);
  return {
    workItems: new DynamoDbWorkItems(dynamo, requireEnv(environment, POLLER_ENVIRONMENT.workItemsTable, SET_BY)),
    locks: new DynamoDbLockStore(dynamo, requireEnv(environment, POLLER_ENVIRONMENT.lockTable, SET_BY)),
    builds: new CodeBuildBuildStarter(codebuild, {
      projectName: requireEnv(environment, POLLER_ENVIRONMENT.projectName, SET_BY),
      buildspec: requireEnv(environment, POLLER_ENVIRONMENT.buildspec, SET_BY),
    }),
    buildStates: new CodeBuildBuildStatusReader(codebuild),
    metrics: new PowertoolsPollMetrics(pollerMetrics, requireEnv(environment, POLLER_ENVIRONMENT.stackPrefix, SET_BY), systemClock),
    clock: systemClock,
    ids: uuidGenerator,
    settings: {
      leaseSeconds: positiveIntegerEnv(environment, POLLER_ENVIRONMENT.leaseSeconds, 900),
      maxBuildsPerCycle,
      pageSize: Math.min(100, maxBuildsPerCycle * 2),
      // Half the Lambda timeout for starting builds; the rest is for the sweep and the slowest calls.
      budgetMs: Math.floor(lambdaTimeoutMs / 2),
    },
    sweep: { olderThanSeconds: positiveIntegerEnv(environment, POLLER_ENVIRONMENT.sweepAfterSeconds, 3600), limit: 100 },
    log,
  };
}

/** Powertools for AWS Lambda's logger and metrics, created once per execution environment. */
const SERVICE = 'kiro-worker-poller';
const pollerMetrics = metricsWithoutDefaultDimensions(WORKER_METRIC_NAMESPACE, SERVICE);
const pollerLog = powertoolsLog(new Logger({ serviceName: SERVICE }));

let cached: ((event: unknown) => Promise<PollerResult>) | undefined;

/** The Lambda entry point; dependencies are built once per execution environment (cold start). */
export async function handler(event: unknown, context?: { getRemainingTimeInMillis?: () => number }): Promise<PollerResult> {
  cached ??= createHandler(
    dependenciesFromEnvironment(process.env, pollerLog, context?.getRemainingTimeInMillis?.()),
  );
  return cached(event);
}
