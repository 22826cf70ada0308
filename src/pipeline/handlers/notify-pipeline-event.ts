/**
 * The notifier's Lambda, target of the EventBridge rule on CodePipeline events: turns each fact
 * into notices (pure), completes them with the commit and failure reason from the history, and
 * publishes them through SNS. A malformed event is logged and dropped here: the recorder, which
 * receives the same event, is the one that sends it to the dead-letter queue.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { z } from 'zod';
import { ConfigurationError } from '../../shared/errors.js';
import { requireEnv, type Environment } from '../../shared/environment.js';
import { DynamoDbDeploymentHistory } from '../adapters/aws/dynamodb-deployment-history.js';
import { SnsNotifier } from '../adapters/aws/sns-notifier.js';
import { normaliseCodePipelineEvent } from '../domain/history/codepipeline-event.js';
import type { DeploymentNotice } from '../domain/notice.js';
import { executionLink, noticeContextFromTimeline, noticesForEvent } from '../domain/notifications/notices-for-event.js';
import { systemClock } from '../../shared/clock.js';
import type { DeploymentHistory } from '../ports/deployment-history.js';
import type { Notifier } from '../ports/notifier.js';
import { FINAL_STAGE, PIPELINE_ENVIRONMENTS, stdoutLog, type Log } from './pipeline-event-common.js';

/** What the notifier Lambda needs. */
export interface NotifyPipelineEventDependencies {
  readonly history: DeploymentHistory;
  readonly notifier: Notifier;
  /** Region of the pipeline, for the console link. */
  readonly region: string;
  readonly log: Log;
}

/** Builds the handler from its dependencies; it returns the notices it sent. */
export function createHandler(deps: NotifyPipelineEventDependencies): (event: unknown) => Promise<readonly DeploymentNotice[]> {
  return async (raw) => {
    const normalised = normaliseCodePipelineEvent(raw, PIPELINE_ENVIRONMENTS);
    if (normalised.kind === 'rejected') {
      deps.log({ level: 'warn', message: 'Ignored a malformed CodePipeline event (the recorder dead-letters it).', reason: normalised.reason });
      return [];
    }
    if (normalised.kind === 'ignored') return [];
    const sent: DeploymentNotice[] = [];
    for (const event of normalised.events) {
      const timeline = await deps.history.timeline(event.executionId);
      const context = noticeContextFromTimeline([...timeline, event], executionLink(deps.region, event.pipelineName, event.executionId), FINAL_STAGE);
      for (const notice of noticesForEvent(event, context)) {
        await deps.notifier.notify(notice);
        sent.push(notice);
        deps.log({ level: 'info', message: 'Sent a notice.', kind: notice.kind, executionId: notice.executionId, environment: notice.environment });
      }
    }
    return sent;
  };
}

const topicMap = z.partialRecord(z.enum(['test', 'staging', 'production']), z.string().startsWith('arn:'));

/** Builds the production dependencies from the Lambda environment. */
export function dependenciesFromEnvironment(environment: Environment): NotifyPipelineEventDependencies {
  const setBy = 'the observability construct of the pipeline-runtime stack';
  const tableName = requireEnv(environment, 'HISTORY_TABLE_NAME', setBy);
  const teamTopicArn = requireEnv(environment, 'TEAM_TOPIC_ARN', setBy);
  const region = requireEnv(environment, 'AWS_REGION', 'the Lambda runtime');
  const parsed = topicMap.safeParse(JSON.parse(environment.ENVIRONMENT_TOPIC_ARNS ?? '{}'));
  if (!parsed.success) {
    throw new ConfigurationError(`ENVIRONMENT_TOPIC_ARNS must map environment names to topic ARNs; it is set by ${setBy}.`, { key: 'ENVIRONMENT_TOPIC_ARNS' });
  }
  return {
    history: new DynamoDbDeploymentHistory({ client: new DynamoDBClient({}), tableName, clock: systemClock }),
    notifier: new SnsNotifier({ client: new SNSClient({}), teamTopicArn, environmentTopicArns: parsed.data }),
    region,
    log: stdoutLog,
  };
}

let cached: ((event: unknown) => Promise<readonly DeploymentNotice[]>) | undefined;

/** Lambda entry point; dependencies are built once per cold start. */
export const handler = (event: unknown): Promise<readonly DeploymentNotice[]> => {
  cached ??= createHandler(dependenciesFromEnvironment(process.env));
  return cached(event);
};
