/**
 * Runs each deployed function's production wiring (`dependenciesFromEnvironment` with the
 * environment variables the synthesized template gives it) against the local emulator, with the
 * call recorder on, so the least-privilege proof sees the calls each function makes with the real
 * table, topic and pipeline names. The emulator plays every account (moto takes a 12-digit access
 * key id as the account), so a stack's resources exist in its own account. A call the emulator
 * cannot answer (CodePipeline's runtime calls, GitHub) fails after it was recorded; the flow of
 * that function stops there, and the proof lists the operations never reached.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { provisionFromTemplates } from '../../src/local/local-resources.js';
import type { StackInScope } from '../../src/local/iam/synthesized-iam.js';
import { functionDeployments } from '../../src/local/iam/template-callers.js';
import { readSynthesizedStacks } from '../../src/local/synthesized-templates.js';
import { CALL_LOG_VARIABLE, type RecordedCall } from '../../src/shared/aws/call-recorder.js';
import { FUNCTION_CALLERS } from '../../src/shared/aws/callers.js';
import * as alarmStateChange from '../../src/pipeline/handlers/alarm-state-change.js';
import * as healthMonitor from '../../src/pipeline/handlers/health-monitor.js';
import * as notifyPipelineEvent from '../../src/pipeline/handlers/notify-pipeline-event.js';
import * as publishDeliveryMetrics from '../../src/pipeline/handlers/publish-delivery-metrics.js';
import * as recordPipelineEvent from '../../src/pipeline/handlers/record-pipeline-event.js';
import * as rollbackAdvance from '../../src/pipeline/handlers/rollback-advance.js';
import * as rollbackTrigger from '../../src/pipeline/handlers/rollback-trigger.js';
import { planRollback } from '../../src/pipeline/domain/rollback/rollback-plan.js';
import { initialProgress } from '../../src/pipeline/domain/rollback/rollback-progress.js';
import * as updateCommitStatus from '../../src/pipeline/handlers/update-commit-status.js';
import * as poller from '../../src/worker/handlers/poller.js';
import * as buildEnd from '../../src/worker/handlers/build-state-change.js';
import { POLLER_ENVIRONMENT } from '../../src/worker/domain/build-environment.js';

const FIXTURES = new URL('../fixtures/events/', import.meta.url);

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as unknown;
}

function firstOf(events: unknown): unknown {
  return Array.isArray(events) ? events[0] : events;
}

/** EventBridge's "CodePipeline Stage Execution State Change" for a failed stage (the rollback's trigger). */
function stageFailed(pipeline: string, stage: string): unknown {
  return {
    version: '0',
    id: '5d1c0f3e-7a2b-4c9d-8e1f-0a2b3c4d5e6f',
    'detail-type': 'CodePipeline Stage Execution State Change',
    source: 'aws.codepipeline',
    account: '111111111111',
    time: '2026-01-05T10:20:00Z',
    region: 'us-east-1',
    resources: [],
    detail: { pipeline, 'execution-id': '9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', stage, state: 'FAILED', version: 3 },
  };
}

/** Reads the calls recorded per deployment, each attributed to its stack. */
export function readAttributedCalls(callLogDirectory: string): (RecordedCall & { readonly stackName: string })[] {
  return readdirSync(callLogDirectory)
    .filter((file) => file.endsWith('.jsonl'))
    .flatMap((file) =>
      readFileSync(join(callLogDirectory, file), 'utf8')
        .trim()
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => ({ ...(JSON.parse(line) as RecordedCall), stackName: file.slice(0, -'.jsonl'.length) })),
    );
}

/** What ran and what failed (expected for calls the emulator does not serve). */
export interface ExerciseOutcome {
  readonly caller: string;
  readonly stackName: string;
  readonly error?: string;
}

async function attempt(caller: string, stackName: string, run: () => Promise<unknown>): Promise<ExerciseOutcome> {
  try {
    await run();
    return { caller, stackName };
  } catch (error) {
    return { caller, stackName, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

const credentialsByAccount = new Map<string, Credentials>();

/**
 * Credentials the emulator attributes to `account`: moto keeps one state per account and maps the
 * keys that its STS AssumeRole hands out to the role's account (moto's multi-account support).
 */
export async function accountCredentials(endpoint: string, account: string): Promise<Credentials> {
  const known = credentialsByAccount.get(`${endpoint}/${account}`);
  if (known !== undefined) return known;
  const body = new URLSearchParams({ Action: 'AssumeRole', Version: '2011-06-15', RoleArn: `arn:aws:iam::${account}:role/exercise`, RoleSessionName: 'exercise' });
  const response = await fetch(endpoint, {
    method: 'POST',
    body,
    headers: { Authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0' },
  });
  const xml = await response.text();
  const field = (name: string): string => new RegExp(`<${name}>([^<]+)</${name}>`).exec(xml)?.[1] ?? '';
  const credentials = { accessKeyId: field('AccessKeyId'), secretAccessKey: field('SecretAccessKey'), sessionToken: field('SessionToken') };
  if (credentials.accessKeyId === '') throw new Error(`The emulator's AssumeRole gave no credentials: ${xml.slice(0, 200)}`);
  credentialsByAccount.set(`${endpoint}/${account}`, credentials);
  return credentials;
}

/** Forgets the emulator credentials handed out so far: call it after resetting the emulator, which forgets them too. */
export function forgetAccountCredentials(): void {
  credentialsByAccount.clear();
}

/** Sets the SDK's environment (endpoint, region, the account's credentials) for clients built with `{}`. */
export async function useAccount(endpoint: string, account: string, region: string): Promise<void> {
  const credentials = await accountCredentials(endpoint, account);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
    AWS_MAX_ATTEMPTS: '1',
  });
}

/** Creates each stack's resources in the emulator, in the stack's own account. */
async function provision(endpoint: string, directory: string, stacks: readonly StackInScope[]): Promise<void> {
  const synthesized = readSynthesizedStacks(directory);
  for (const { stack, context } of stacks) {
    const config = { endpoint, region: context.region, credentials: await accountCredentials(endpoint, context.account), maxAttempts: 1 };
    const clients = { dynamodb: new DynamoDBClient(config), sns: new SNSClient(config), sqs: new SQSClient(config), cloudwatch: new CloudWatchClient(config) };
    const same = synthesized.filter((candidate) => candidate.stackName === stack.stackName && candidate.stage === stack.stage);
    await provisionFromTemplates(same, clients, { account: context.account, region: context.region });
  }
}

/**
 * Exercises every function of `FUNCTION_CALLERS` that can run locally, recording into `callLog`.
 * Returns one outcome per function deployment.
 */
export async function exerciseFunctions(options: { readonly endpoint: string; readonly directory: string; readonly stacks: readonly StackInScope[]; readonly callLogDirectory: string }): Promise<ExerciseOutcome[]> {
  const { endpoint, directory, stacks, callLogDirectory } = options;
  const saved = { ...process.env };
  const outcomes: ExerciseOutcome[] = [];
  try {
    await provision(endpoint, directory, stacks);
    const each = async (caller: string, run: (environment: Record<string, string>, account: string) => Promise<unknown>): Promise<void> => {
      for (const deployment of functionDeployments(stacks, caller)) {
        await useAccount(endpoint, deployment.account, deployment.region);
        // AWS_REGION: the Lambda runtime sets it; the log file is per deployment, so each call names its stack.
        const environment = { ...deployment.variables, AWS_REGION: deployment.region, [CALL_LOG_VARIABLE]: join(callLogDirectory, `${deployment.stackName}.jsonl`) };
        outcomes.push(await attempt(caller, deployment.stackName, () => run(environment, deployment.account)));
      }
    };
    const started = firstOf(fixture('codepipeline-pipeline-started-manual.json'));
    const failed = firstOf(fixture('codepipeline-execution-failed.json'));
    const pipelineName = (failed as { detail: { pipeline: string } }).detail.pipeline;
    await each(FUNCTION_CALLERS.recordPipelineEvent, async (environment) => {
      const record = recordPipelineEvent.createHandler(recordPipelineEvent.dependenciesFromEnvironment(environment));
      await record(started);
      await record(failed);
      // The test stage starts, then its deploy action: the action's fact reads the stage's stored record (GetItem) instead of the timeline.
      const run = fixture('codepipeline-execution-failed.json') as unknown[];
      await record(run[8]);
      await record(run[9]);
    });
    await each(FUNCTION_CALLERS.notifyPipelineEvent, async (environment) => {
      const notify = notifyPipelineEvent.createHandler(notifyPipelineEvent.dependenciesFromEnvironment(environment));
      for (const event of [failed, stageFailed(pipelineName, 'Test-Application'), stageFailed(pipelineName, 'Staging-Application'), stageFailed(pipelineName, 'Production-Application')]) await notify(event);
    });
    await each(FUNCTION_CALLERS.publishDeliveryMetrics, (environment) => publishDeliveryMetrics.createHandler(publishDeliveryMetrics.dependenciesFromEnvironment(environment))());
    await each(FUNCTION_CALLERS.updateCommitStatus, async (environment, account) => {
      const config = { endpoint, region: environment.AWS_REGION, credentials: await accountCredentials(endpoint, account), maxAttempts: 1 };
      const secretId = environment.GITHUB_TOKEN_SECRET ?? environment.GITHUB_TOKEN_SECRET_NAME;
      if (secretId !== undefined) await new SecretsManagerClient(config).send(new CreateSecretCommand({ Name: secretId, SecretString: 'not-a-token' })).catch(() => undefined);
      const update = updateCommitStatus.createHandler(updateCommitStatus.dependenciesFromEnvironment(environment));
      for (const event of [started, stageFailed(pipelineName, 'Test-Application')]) await update(event);
    });
    await each(FUNCTION_CALLERS.healthMonitorStep, async (environment) => {
      const step = healthMonitor.createHandler(healthMonitor.dependenciesFromEnvironment(environment));
      // An earlier test bake that concludes, so the monitor's verdict notice reaches the test topic too
      // (the one after it, still watching, is the one the alarm handler wakes).
      const earlierTestBake = await step({ step: 'start', environment: 'test', executionId: 'exercise-test-concluded', commitId: '3f2c1b9a8e7d6c5b4a39281706f5e4d3c2b1a090', stage: 'Test-Application' });
      await step({ step: 'conclude', outcome: 'failed', state: await step({ step: 'check', state: earlierTestBake }) });
      for (const [name, stage] of [['test', 'Test-Application'], ['staging', 'Staging-Application'], ['production', 'Production-Application']] as const) {
        const state = await step({ step: 'start', environment: name, executionId: `exercise-${name}`, commitId: '3f2c1b9a8e7d6c5b4a39281706f5e4d3c2b1a090', stage });
        const checked = await step({ step: 'check', state });
        // The test bake stays in its watch, so the alarm handler below has a watch token to wake.
        if (name === 'test') await step({ step: 'watch', taskToken: 'exercise-token', state: checked });
        else await step({ step: 'conclude', outcome: 'failed', state: checked });
      }
    });
    await each(FUNCTION_CALLERS.alarmStateChange, (environment) => alarmStateChange.createHandler(alarmStateChange.dependenciesFromEnvironment(environment))(fixture('cloudwatch-alarm-critical-alarm.json')));
    // The trigger plans from the (empty) history, reads the lease and starts the rollback state machine,
    // which the emulator stores (and never runs) once it exists there: created under the name the template gives it.
    await each(FUNCTION_CALLERS.rollbackOrchestrator, async (environment, account) => {
      const stateMachineArn = environment.ROLLBACK_STATE_MACHINE_ARN ?? '';
      const client = new SFNClient({ endpoint, region: environment.AWS_REGION, credentials: await accountCredentials(endpoint, account), maxAttempts: 1 });
      await client.send(new CreateStateMachineCommand({ name: stateMachineArn.split(':').at(-1) ?? '', definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }), roleArn: `arn:aws:iam::${account}:role/rollback-state-machine` }));
      return rollbackTrigger.createHandler(rollbackTrigger.dependenciesFromEnvironment(environment))(stageFailed(pipelineName, 'Test-Application'));
    });
    // The state machine's first step with that plan: the lease, then (no target anywhere) the recorded, announced failure.
    // In every environment, so its notices reach each environment's topic.
    await each(FUNCTION_CALLERS.rollbackAdvance, async (environment) => {
      const advance = rollbackAdvance.createHandler(rollbackAdvance.dependenciesFromEnvironment(environment));
      for (const [name, stage, executionId] of [['test', 'Test-Application', '9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'], ['staging', 'Staging-Application', '9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6e'], ['production', 'Production-Application', '9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6f']] as const) {
        const request = { pipelineName, environment: name, stage, executionId, trigger: `stage-failed:${stage}`, reason: 'exercise' };
        await advance({ progress: initialProgress(planRollback(request, [], ['test', 'staging', 'production']), `exercise-rollback-${name}`) });
      }
    });
    // The documented "CodeBuild Build State Change" event of an implementation build that timed out, sent
    // to this environment's project: the handler reads the item it names (absent here), settles nothing,
    // and releases the lock the event names (a conditional delete).
    await each(FUNCTION_CALLERS.workerBuildEnd, (environment) => {
      const event = fixture('codebuild-build-state-change-implementation-timed-out.json') as { detail: Record<string, unknown> };
      const projectName = environment[POLLER_ENVIRONMENT.projectName] ?? '';
      return buildEnd.createBuildStateChangeHandler(buildEnd.buildStateChangeDependenciesFromEnvironment(environment, () => undefined))({ ...event, detail: { ...event.detail, 'project-name': projectName } });
    });
    await each(FUNCTION_CALLERS.workerPoller, (environment) => poller.createHandler(poller.dependenciesFromEnvironment(environment, () => undefined))({}));
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) Reflect.deleteProperty(process.env, key);
    Object.assign(process.env, saved);
  }
  return outcomes;
}
