/**
 * What the deployment-safety Lambdas (health monitor, alarm events, rollback) read from their
 * environment at cold start, validated once with the configuration's own schema, and the adapters
 * built from it. Each helper names the missing or malformed key and the construct that sets it.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import * as z from 'zod';
import { ENVIRONMENT_NAMES, environmentSchema, type EnvironmentConfig, type EnvironmentName } from '../../shared/config/schema.js';
import { ConfigurationError } from '../../shared/errors.js';
import { requireEnv, requireJsonEnv, type Environment } from '../../shared/environment.js';
import { CloudWatchAlarmReader } from '../adapters/aws/cloudwatch-alarm-reader.js';
import { DynamoDbDeploymentHistory } from '../adapters/aws/dynamodb-deployment-history.js';
import { SnsNotifier } from '../adapters/aws/sns-notifier.js';
import type { AlarmReader } from '../ports/alarm-reader.js';
import { systemClock } from '../../shared/clock.js';
import type { DeploymentHistory } from '../ports/deployment-history.js';
import type { Notifier } from '../ports/notifier.js';
import { recordCalls } from '../../shared/aws/call-recorder.js';

/** Environment variable names, shared with the constructs that set them. */
export const DEPLOYMENT_RUNTIME_ENV = {
  pipelineName: 'PIPELINE_NAME',
  pipelineAccount: 'PIPELINE_ACCOUNT',
  historyTable: 'HISTORY_TABLE_NAME',
  ledgerTable: 'LEDGER_TABLE_NAME',
  teamTopic: 'TEAM_TOPIC_ARN',
  environmentTopics: 'ENVIRONMENT_TOPIC_ARNS',
  environments: 'DEPLOYMENT_ENVIRONMENTS',
  observerRoles: 'OBSERVER_ROLE_ARNS',
  sourceAction: 'SOURCE_ACTION_NAME',
  /** How long the orchestrator waits for a stage rollback (seconds), modelled from the configuration. */
  stageRollbackWait: 'ROLLBACK_STAGE_WAIT_SECONDS',
  /** How long it waits for the full rollback's parallel stage rollbacks (seconds). */
  fullRollbackWait: 'ROLLBACK_FULL_WAIT_SECONDS',
  /** How long automation follows one rollback (seconds): the longest modelled chain of paths. */
  rollbackFollow: 'ROLLBACK_FOLLOW_SECONDS',
  /** The rollback state machine the trigger starts (its ARN). */
  rollbackStateMachine: 'ROLLBACK_STATE_MACHINE_ARN',
} as const;

const topicMap = z.partialRecord(z.enum(ENVIRONMENT_NAMES), z.string().startsWith('arn:'));
const roleMap = z.partialRecord(z.enum(ENVIRONMENT_NAMES), z.string().regex(/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/));

/** The environments' configuration, as the construct serialised it from `loadDeploymentConfig()`. */
export function environmentsFromEnv(environment: Environment, setBy: string): EnvironmentConfig[] {
  return requireJsonEnv(environment, DEPLOYMENT_RUNTIME_ENV.environments, z.array(environmentSchema).min(1), setBy);
}

/** Per-environment topic ARNs (`{}` when the variable is absent: notices go to the team topic only). */
export function environmentTopicsFromEnv(environment: Environment, setBy: string): Partial<Record<EnvironmentName, string>> {
  if (environment[DEPLOYMENT_RUNTIME_ENV.environmentTopics] === undefined) return {};
  return requireJsonEnv(environment, DEPLOYMENT_RUNTIME_ENV.environmentTopics, topicMap, setBy);
}

/** Observer role per environment whose account is not the pipeline's (`{}` when all share it). */
export function observerRolesFromEnv(environment: Environment, setBy: string): Partial<Record<EnvironmentName, string>> {
  if (environment[DEPLOYMENT_RUNTIME_ENV.observerRoles] === undefined) return {};
  return requireJsonEnv(environment, DEPLOYMENT_RUNTIME_ENV.observerRoles, roleMap, setBy);
}

/** The history and notifier every deployment-safety Lambda uses. */
export function historyAndNotifier(environment: Environment, setBy: string, caller: string): { history: DeploymentHistory; notifier: Notifier; documents: DynamoDBDocumentClient } {
  const historyTable = requireEnv(environment, DEPLOYMENT_RUNTIME_ENV.historyTable, setBy);
  const teamTopicArn = requireEnv(environment, DEPLOYMENT_RUNTIME_ENV.teamTopic, setBy);
  const dynamodb = recordCalls(new DynamoDBClient({}), caller, environment);
  return {
    history: new DynamoDbDeploymentHistory({ client: dynamodb, tableName: historyTable, clock: systemClock }),
    notifier: new SnsNotifier({ client: recordCalls(new SNSClient({}), caller, environment), teamTopicArn, environmentTopicArns: environmentTopicsFromEnv(environment, setBy) }),
    documents: DynamoDBDocumentClient.from(dynamodb),
  };
}

/**
 * One alarm reader per environment, built on first use and kept for the cold start: in the
 * environment's region, and through its observer role when the alarms live in another account.
 */
export function alarmReaders(
  environments: readonly EnvironmentConfig[],
  observerRoles: Partial<Record<EnvironmentName, string>>,
  caller: string,
  environment: Environment = {},
): (name: EnvironmentName) => AlarmReader {
  const readers = new Map<EnvironmentName, AlarmReader>();
  return (name) => {
    const known = readers.get(name);
    if (known !== undefined) return known;
    const config = environments.find((candidate) => candidate.name === name);
    if (config === undefined) throw new ConfigurationError(`Environment "${name}" is not in ${DEPLOYMENT_RUNTIME_ENV.environments}; redeploy the pipeline-runtime stack.`, { environment: name });
    const roleArn = observerRoles[name];
    const client = recordCalls(new CloudWatchClient({
      region: config.region,
      ...(roleArn === undefined ? {} : { credentials: fromTemporaryCredentials({ params: { RoleArn: roleArn, RoleSessionName: `kiro-cd-health-${name}`, DurationSeconds: 900 } }) }),
    }), caller, environment, roleArn === undefined ? {} : { assumedRoleArn: roleArn });
    const reader = new CloudWatchAlarmReader(client);
    readers.set(name, reader);
    return reader;
  };
}
