/**
 * The environment contracts of the pipeline-event Lambdas (recorder, notifier, commit status, DORA
 * publisher): the variable names that `PipelineEventFunctions` sets and the parsers the handlers
 * call at cold start. No AWS SDK here, so the CDK app can import it without pulling in clients.
 */
import * as z from 'zod';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../../shared/config/schema.js';
import { environmentContract } from '../../shared/environment-contract.js';
import { requireEnv, requireJsonEnv } from '../../shared/environment.js';

const SET_BY = 'the PipelineEventFunctions construct of the pipeline-runtime stack';
/** A reserved variable the Lambda runtime sets (Lambda Developer Guide, "Defined runtime environment variables"). */
const REGION = 'AWS_REGION';
const SET_BY_RUNTIME = 'the Lambda runtime';

const topicMap: z.ZodType<Partial<Record<EnvironmentName, string>>> = z.partialRecord(z.enum(ENVIRONMENT_NAMES), z.string().startsWith('arn:'));

const RECORDER = { historyTable: 'HISTORY_TABLE_NAME' } as const;
/** The history recorder. */
export const RECORDER_ENVIRONMENT = environmentContract(RECORDER, (environment) => ({
  historyTable: requireEnv(environment, RECORDER.historyTable, SET_BY),
}));

const NOTIFIER = { historyTable: 'HISTORY_TABLE_NAME', teamTopic: 'TEAM_TOPIC_ARN', environmentTopics: 'ENVIRONMENT_TOPIC_ARNS' } as const;
/**
 * The notifier: the history (for the commit and failure reason) and the topics it publishes to.
 * The construct always sets the per-environment topic map (`{}` when there is none).
 */
export const NOTIFIER_ENVIRONMENT = environmentContract(
  NOTIFIER,
  (environment) => ({
    historyTable: requireEnv(environment, NOTIFIER.historyTable, SET_BY),
    teamTopicArn: requireEnv(environment, NOTIFIER.teamTopic, SET_BY),
    environmentTopicArns: requireJsonEnv(environment, NOTIFIER.environmentTopics, topicMap, SET_BY),
    region: requireEnv(environment, REGION, SET_BY_RUNTIME),
  }),
  [REGION],
);

const COMMIT_STATUS = {
  historyTable: 'HISTORY_TABLE_NAME',
  githubOwner: 'GITHUB_OWNER',
  githubRepository: 'GITHUB_REPOSITORY',
  githubTokenSecret: 'GITHUB_TOKEN_SECRET',
} as const;
/** The commit-status Lambda: the history (for the commit), the repository, and the token's secret (name or ARN). */
export const COMMIT_STATUS_ENVIRONMENT = environmentContract(
  COMMIT_STATUS,
  (environment) => ({
    historyTable: requireEnv(environment, COMMIT_STATUS.historyTable, SET_BY),
    githubOwner: requireEnv(environment, COMMIT_STATUS.githubOwner, SET_BY),
    githubRepository: requireEnv(environment, COMMIT_STATUS.githubRepository, SET_BY),
    githubTokenSecret: requireEnv(environment, COMMIT_STATUS.githubTokenSecret, SET_BY),
    region: requireEnv(environment, REGION, SET_BY_RUNTIME),
  }),
  [REGION],
);

const DORA_PUBLISHER = { historyTable: 'HISTORY_TABLE_NAME', pipelineName: 'PIPELINE_NAME' } as const;
/** The scheduled DORA publisher. */
export const DORA_PUBLISHER_ENVIRONMENT = environmentContract(DORA_PUBLISHER, (environment) => ({
  historyTable: requireEnv(environment, DORA_PUBLISHER.historyTable, SET_BY),
  pipelineName: requireEnv(environment, DORA_PUBLISHER.pipelineName, SET_BY),
}));
