/**
 * The work-item poller Lambda: on each schedule tick, runs one poll cycle and publishes its metrics.
 * Thin: reads the environment, builds the adapters, calls {@link runPollCycle}, maps the result.
 */
import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { systemClock, type Clock } from '../../shared/clock.js';
import { uuidGenerator, type IdGenerator } from '../../shared/id-generator.js';
import { ConfigurationError } from '../../shared/errors.js';
import { CodeBuildBuildStarter } from '../adapters/codebuild-build-starter.js';
import { DynamoDbLockStore } from '../adapters/dynamodb-lock-store.js';
import { DynamoDbWorkItems } from '../adapters/dynamodb-work-items.js';
import { EmfPollMetrics } from '../adapters/emf-poll-metrics.js';
import { POLLER_ENVIRONMENT } from '../domain/build-environment.js';
import { countOutcomes, runPollCycle, type PollCycleCounts, type PollSettings } from '../domain/poll-cycle.js';
import type { BuildStarter } from '../ports/build-starter.js';
import type { LockStore } from '../ports/lock-store.js';
import type { PollMetrics } from '../ports/poll-metrics.js';
import type { WorkItemRepository } from '../ports/work-items.js';
import { positiveIntegerEnv, requireEnv, type Environment } from '../../shared/environment.js';

/** Environment variables of the poller (defined in the domain so the stack can share them, re-exported here). */
export { POLLER_ENVIRONMENT };

/** What the poller needs, injected so tests use fakes. */
export interface PollerDependencies {
  readonly workItems: WorkItemRepository;
  readonly locks: LockStore;
  readonly builds: BuildStarter;
  readonly metrics: PollMetrics;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly settings: PollSettings;
  /** Structured log line writer (standard output in Lambda). */
  readonly log: (line: string) => void;
}

/** What an invocation returns (visible in a test invoke and in the logs). */
export interface PollerResult extends PollCycleCounts {
  readonly owner: string;
}

/** Builds the handler from its dependencies. An aborted cycle throws, so Lambda counts an error. */
export function createHandler(deps: PollerDependencies): (event: unknown) => Promise<PollerResult> {
  return async () => {
    const owner = `poller-${deps.ids.next()}`;
    const report = await runPollCycle(deps, deps.settings, owner);
    deps.log(JSON.stringify({ message: 'poll cycle finished', owner, outcomes: report.outcomes, aborted: report.aborted }));
    await deps.metrics.publish(report);
    if (report.aborted !== undefined) {
      throw new ConfigurationError(`The poll cycle stopped: ${report.aborted}`, { owner });
    }
    return { owner, ...countOutcomes(report) };
  };
}

const SET_BY = 'the application stack (infrastructure/lib/stacks/application-stack.ts)';

/** Builds the real dependencies from the Lambda environment. */
export function dependenciesFromEnvironment(environment: Environment, log: (line: string) => void): PollerDependencies {
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  return {
    workItems: new DynamoDbWorkItems(dynamo, requireEnv(environment, POLLER_ENVIRONMENT.workItemsTable, SET_BY)),
    locks: new DynamoDbLockStore(dynamo, requireEnv(environment, POLLER_ENVIRONMENT.lockTable, SET_BY)),
    builds: new CodeBuildBuildStarter(new CodeBuildClient({}), requireEnv(environment, POLLER_ENVIRONMENT.projectName, SET_BY)),
    metrics: new EmfPollMetrics(log, requireEnv(environment, POLLER_ENVIRONMENT.stackPrefix, SET_BY), systemClock),
    clock: systemClock,
    ids: uuidGenerator,
    settings: {
      leaseSeconds: positiveIntegerEnv(environment, POLLER_ENVIRONMENT.leaseSeconds, 4500),
      maxBuildsPerCycle: positiveIntegerEnv(environment, POLLER_ENVIRONMENT.maxBuildsPerCycle, 5),
    },
    log,
  };
}

let cached: ((event: unknown) => Promise<PollerResult>) | undefined;

/** The Lambda entry point; dependencies are built once per execution environment (cold start). */
export async function handler(event: unknown): Promise<PollerResult> {
  cached ??= createHandler(
    dependenciesFromEnvironment(process.env, (line) => {
      process.stdout.write(`${line}\n`);
    }),
  );
  return cached(event);
}
