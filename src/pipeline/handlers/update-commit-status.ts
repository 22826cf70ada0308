/**
 * The commit-status Lambda, target of the EventBridge rule on CodePipeline events: sets the GitHub
 * status of the execution's commit per environment. A GitHub outage never fails or blocks a
 * deployment: every failure is logged and the handler returns normally (and EventBridge does not
 * retry, so a late status cannot overwrite a newer one).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Environment } from '../../shared/environment.js';
import { asKiroCdError } from '../../shared/errors.js';
import { DynamoDbDeploymentHistory } from '../adapters/aws/dynamodb-deployment-history.js';
import { SecretsManagerSecretReader } from '../adapters/aws/secrets-manager-secret-reader.js';
import { GitHubCommitStatus } from '../adapters/github/github-commit-status.js';
import { normaliseCodePipelineEvent } from '../domain/history/codepipeline-event.js';
import { mergeCommit, UNKNOWN_COMMIT_ID } from '../domain/history/deployment-fold.js';
import { executionLink } from '../domain/notifications/notices-for-event.js';
import { commitStatusFor } from '../domain/notifications/commit-status.js';
import { systemClock } from '../../shared/clock.js';
import type { CommitStatusPublisher } from '../ports/commit-status.js';
import type { DeploymentHistory } from '../ports/deployment-history.js';
import { PIPELINE_ENVIRONMENTS, lambdaLog, type Log } from './pipeline-event-common.js';
import { FUNCTION_CALLERS } from '../../shared/aws/callers.js';
import { recordCalls } from '../../shared/aws/call-recorder.js';
import { COMMIT_STATUS_ENVIRONMENT } from './pipeline-event-environment.js';

/** What the commit-status Lambda needs. */
export interface UpdateCommitStatusDependencies {
  readonly history: DeploymentHistory;
  readonly statuses: CommitStatusPublisher;
  readonly region: string;
  readonly log: Log;
}

/** What one invocation did. */
export type UpdateCommitStatusOutcome = { readonly kind: 'set'; readonly context: string; readonly state: string } | { readonly kind: 'skipped'; readonly reason: string };

/** Builds the handler from its dependencies. It never throws. */
export function createHandler(deps: UpdateCommitStatusDependencies): (event: unknown) => Promise<readonly UpdateCommitStatusOutcome[]> {
  return async (raw) => {
    const outcomes: UpdateCommitStatusOutcome[] = [];
    try {
      const normalised = normaliseCodePipelineEvent(raw, PIPELINE_ENVIRONMENTS);
      if (normalised.kind === 'rejected') return [{ kind: 'skipped', reason: `malformed event: ${normalised.reason}` }];
      if (normalised.kind === 'ignored') return [{ kind: 'skipped', reason: normalised.reason }];
      for (const event of normalised.events) {
        const decision = commitStatusFor(event, executionLink(deps.region, event.pipelineName, event.executionId));
        if (decision.kind === 'skip') {
          outcomes.push({ kind: 'skipped', reason: decision.reason });
          continue;
        }
        // The summary holds every event naming the commit (execution-summary.ts): one item read, not the timeline.
        const commit = mergeCommit(await deps.history.summary(event.executionId));
        if (commit.id === UNKNOWN_COMMIT_ID) {
          outcomes.push({ kind: 'skipped', reason: 'the execution has not reported its commit yet' });
          continue;
        }
        await deps.statuses.publish(commit.id, decision.status);
        outcomes.push({ kind: 'set', context: decision.status.context, state: decision.status.state });
      }
    } catch (error) {
      const failure = asKiroCdError(error);
      deps.log({ level: 'warn', message: 'Commit status not set; the deployment continues.', code: failure.code, reason: failure.message });
      outcomes.push({ kind: 'skipped', reason: failure.message });
    }
    for (const outcome of outcomes) deps.log({ level: 'info', message: 'Commit status.', ...outcome });
    return outcomes;
  };
}

/** Builds the production dependencies from the Lambda environment. */
export function dependenciesFromEnvironment(environment: Environment): UpdateCommitStatusDependencies {
  const settings = COMMIT_STATUS_ENVIRONMENT.parse(environment);
  return {
    history: new DynamoDbDeploymentHistory({ client: recordCalls(new DynamoDBClient({}), FUNCTION_CALLERS.updateCommitStatus, environment), tableName: settings.historyTable, clock: systemClock }),
    statuses: new GitHubCommitStatus({
      owner: settings.githubOwner,
      repository: settings.githubRepository,
      tokenSecretId: settings.githubTokenSecret,
      secrets: new SecretsManagerSecretReader(recordCalls(new SecretsManagerClient({}), FUNCTION_CALLERS.updateCommitStatus, environment)),
      clock: systemClock,
    }),
    region: settings.region,
    log: lambdaLog,
  };
}

let cached: ((event: unknown) => Promise<readonly UpdateCommitStatusOutcome[]>) | undefined;

/** Lambda entry point; dependencies (and the cached token) live for one cold start. */
export const handler = (event: unknown): Promise<readonly UpdateCommitStatusOutcome[]> => {
  cached ??= createHandler(dependenciesFromEnvironment(process.env));
  return cached(event);
};
