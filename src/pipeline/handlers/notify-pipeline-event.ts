/**
 * The notifier's Lambda, target of the EventBridge rule on CodePipeline events: turns each fact
 * into notices (pure), completes them with the commit and failure reason from the execution's
 * summary in the history (one item, not the whole timeline), and publishes them through SNS. A malformed event is logged and dropped here: the recorder, which
 * receives the same event, is the one that sends it to the dead-letter queue.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Environment } from '../../shared/environment.js';
import { DynamoDbDeploymentHistory } from '../adapters/aws/dynamodb-deployment-history.js';
import { SnsNotifier } from '../adapters/aws/sns-notifier.js';
import { normaliseCodePipelineEvent } from '../domain/history/codepipeline-event.js';
import type { DeploymentNotice } from '../domain/notice.js';
import { executionLink, noticeContextFromTimeline, noticesForEvent } from '../domain/notifications/notices-for-event.js';
import { systemClock } from '../../shared/clock.js';
import type { DeploymentHistory } from '../ports/deployment-history.js';
import type { Notifier } from '../ports/notifier.js';
import { FINAL_STAGE, PIPELINE_ENVIRONMENTS, lambdaLog, type Log } from './pipeline-event-common.js';
import { FUNCTION_CALLERS } from '../../shared/aws/callers.js';
import { recordCalls } from '../../shared/aws/call-recorder.js';
import { NOTIFIER_ENVIRONMENT } from './pipeline-event-environment.js';

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
      const link = executionLink(deps.region, event.pipelineName, event.executionId);
      // Whether a fact gives notices never depends on the context (which only fills their fields):
      // most facts give none, and then the history is not read at all.
      if (noticesForEvent(event, { link, finalStage: FINAL_STAGE }).length === 0) continue;
      // The execution's summary holds every event the context is made of (domain/history/execution-summary.ts).
      const summary = await deps.history.summary(event.executionId);
      const context = noticeContextFromTimeline([...summary, event], link, FINAL_STAGE);
      for (const notice of noticesForEvent(event, context)) {
        await deps.notifier.notify(notice);
        sent.push(notice);
        deps.log({ level: 'info', message: 'Sent a notice.', kind: notice.kind, executionId: notice.executionId, environment: notice.environment });
      }
    }
    return sent;
  };
}

/** Builds the production dependencies from the Lambda environment. */
export function dependenciesFromEnvironment(environment: Environment): NotifyPipelineEventDependencies {
  const settings = NOTIFIER_ENVIRONMENT.parse(environment);
  return {
    history: new DynamoDbDeploymentHistory({ client: recordCalls(new DynamoDBClient({}), FUNCTION_CALLERS.notifyPipelineEvent, environment), tableName: settings.historyTable, clock: systemClock }),
    notifier: new SnsNotifier({ client: recordCalls(new SNSClient({}), FUNCTION_CALLERS.notifyPipelineEvent, environment), teamTopicArn: settings.teamTopicArn, environmentTopicArns: settings.environmentTopicArns }),
    region: settings.region,
    log: lambdaLog,
  };
}

let cached: ((event: unknown) => Promise<readonly DeploymentNotice[]>) | undefined;

/** Lambda entry point; dependencies are built once per cold start. */
export const handler = (event: unknown): Promise<readonly DeploymentNotice[]> => {
  cached ??= createHandler(dependenciesFromEnvironment(process.env));
  return cached(event);
};
