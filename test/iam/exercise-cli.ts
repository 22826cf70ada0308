/**
 * Runs every operational `kiro-cd` command (status, history, dora, rollback, approve, reject) with
 * the call recorder on, so the least-privilege proof can simulate the CLI's calls against the
 * synthesized operator policy. The commands run in-process with their real adapters against the
 * local emulator, in the pipeline account, with the real table, topic and pipeline names of the
 * templates: the pipeline runtime stack exists in the emulator's CloudFormation (its tables under
 * their template logical ids, so the commands find them as on AWS). Only what the emulator lacks is
 * replaced: CodePipeline by the local CodePipeline over its endpoint (the commands' real SDK clients,
 * recorded as on AWS), with the releases the history tells of run through it, and the wall clock of
 * the rollback's waits by the pipeline's stepped clock; approve/reject skip the check that refuses
 * the emulator's Step Functions (it accepts any task token).
 */
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Command } from '../../src/cli/command.js';
import { doraCommand } from '../../src/cli/commands/dora.js';
import { historyCommand } from '../../src/cli/commands/history.js';
import { createReviewCommands, reviewDependencies } from '../../src/cli/commands/review.js';
import { createRollbackCommand, rollbackDependencies } from '../../src/cli/commands/rollback.js';
import { createStatusCommand, statusDependencies } from '../../src/cli/commands/status.js';
import { RecordingOutput } from '../../src/cli/output.js';
import { runCli } from '../../src/cli/run-cli.js';
import type { StackInScope } from '../../src/local/iam/synthesized-iam.js';
import { provisionFromTemplates, tableInputFromTable } from '../../src/local/local-resources.js';
import { CodePipelineControl } from '../../src/pipeline/adapters/aws/codepipeline-control.js';
import { DynamoDbDeploymentHistory } from '../../src/pipeline/adapters/aws/dynamodb-deployment-history.js';
import { DEFAULT_ROLLBACK_TIMING } from '../../src/pipeline/domain/rollback/rollback-timing.js';
import { infrastructureStageName } from '../../src/pipeline/domain/stage-names.js';
import { CALL_LOG_VARIABLE, recordCalls } from '../../src/shared/aws/call-recorder.js';
import { cliCaller } from '../../src/shared/aws/callers.js';
import type { DeploymentConfig, EnvironmentName } from '../../src/shared/config/schema.js';
import type { HistoryEvent } from '../../src/pipeline/domain/history-model.js';
import { CountingIds, ENVIRONMENTS, ManualClock, deploymentEvents, executionId } from '../unit/pipeline/domain/rollback/rollback-fixtures.js';
import { LocalPipelineHarness } from '../support/local-pipeline/local-pipeline-harness.js';
import { accountCredentials, useAccount } from './exercise-functions.js';

/** The stack the CLI discovers its tables in (src/cli/aws/runtime-clients.ts). */
const RUNTIME_STACK = 'KiroCd-PipelineRuntime';
const GOOD = executionId(1);
const PREVIOUS = executionId(2);
const CURRENT = executionId(3);
const FAILED_PRODUCTION = executionId(4);

/** The events the recorder stores for a successful infrastructure stage run. */
function infrastructureEvents(execution: string, environment: EnvironmentName, at: string): HistoryEvent[] {
  const stage = infrastructureStageName(environment);
  const base = { pipelineName: 'kiro-codebuild-worker', executionId: execution, kind: 'stage' as const, stage, environment };
  return [
    { ...base, eventId: `${execution}:${stage}:started`, at, state: 'STARTED' },
    { ...base, eventId: `${execution}:${stage}:end`, at: new Date(Date.parse(at) + 60_000).toISOString(), state: 'SUCCEEDED' },
  ];
}

/** One command run and how it ended. */
export interface CliOutcome {
  readonly command: string;
  readonly code: number;
  readonly output: string;
}

/** Creates the runtime stack's tables through the emulator's CloudFormation (so ListStackResources finds them) and its topics directly. */
async function provisionRuntime(endpoint: string, runtime: StackInScope): Promise<void> {
  const { stack, context, resolve } = runtime;
  const config = { endpoint, region: context.region, credentials: await accountCredentials(endpoint, context.account), maxAttempts: 1 };
  const tables = Object.entries(stack.resources).filter(([, resource]) => resource.Type === 'AWS::DynamoDB::Table');
  const template = {
    Resources: Object.fromEntries(
      tables.map(([id, resource]) => [id, { Type: 'AWS::DynamoDB::Table', Properties: tableInputFromTable(String(resolve({ Ref: id })), (resolve(resource.Properties ?? {}) ?? {}) as Record<string, unknown>) }]),
    ),
  };
  await new CloudFormationClient(config).send(new CreateStackCommand({ StackName: RUNTIME_STACK, TemplateBody: JSON.stringify(template) }));
  const topicsOnly = { ...stack, resources: Object.fromEntries(Object.entries(stack.resources).filter(([, resource]) => resource.Type === 'AWS::SNS::Topic')) };
  await provisionFromTemplates([topicsOnly], { dynamodb: new DynamoDBClient(config), sns: new SNSClient(config), sqs: new SQSClient(config), cloudwatch: new CloudWatchClient(config) }, { account: context.account, region: context.region });
}

/**
 * Runs the operational commands against a clean emulator, recording into `callLog`. `teamTopicArn`
 * is the team topic of the templates (`rollback --notify-topic`).
 */
export async function exerciseCli(options: { readonly endpoint: string; readonly config: DeploymentConfig; readonly stacks: readonly StackInScope[]; readonly callLog: string; readonly teamTopicArn: string }): Promise<CliOutcome[]> {
  const { endpoint, config, stacks, callLog, teamTopicArn } = options;
  const runtime = stacks.find((candidate) => candidate.stack.stackName === RUNTIME_STACK);
  if (runtime === undefined) throw new Error(`The assembly has no ${RUNTIME_STACK} stack.`);
  const { account, region, name: pipelineName } = config.pipeline;
  const saved = { ...process.env };
  const outcomes: CliOutcome[] = [];
  let codepipeline: LocalPipelineHarness | undefined;
  try {
    await provisionRuntime(endpoint, runtime);
    await useAccount(endpoint, account, region);
    const historyTable = String(runtime.resolve({ Ref: Object.keys(runtime.stack.resources).find((id) => id.startsWith('HistoryTable')) ?? '' }));
    const seed = new DynamoDbDeploymentHistory({ client: new DynamoDBClient({ endpoint, region, maxAttempts: 1 }), tableName: historyTable, clock: new ManualClock() });
    // A release good everywhere (infrastructure and application), two later staging releases, and a
    // release that changed every environment's infrastructure and failed in production: the full
    // rollback then returns every stage of every environment.
    for (const event of [
      ...ENVIRONMENTS.flatMap((environment, i) => [...infrastructureEvents(GOOD, environment, `2026-03-01T0${i}:00:00.000Z`), ...deploymentEvents({ execution: GOOD, environment, commit: 'a'.repeat(40), at: `2026-03-01T0${i}:30:00.000Z`, result: 'succeeded' })]),
      ...deploymentEvents({ execution: PREVIOUS, environment: 'staging', commit: 'b'.repeat(40), at: '2026-03-01T10:00:00.000Z', result: 'succeeded' }),
      ...deploymentEvents({ execution: CURRENT, environment: 'staging', commit: 'c'.repeat(40), at: '2026-03-02T10:00:00.000Z', result: 'succeeded' }),
      ...ENVIRONMENTS.flatMap((environment, i) => [
        ...infrastructureEvents(FAILED_PRODUCTION, environment, `2026-03-03T0${i}:00:00.000Z`),
        ...deploymentEvents({ execution: FAILED_PRODUCTION, environment, commit: 'd'.repeat(40), at: `2026-03-03T0${i}:30:00.000Z`, result: environment === 'production' ? 'failed' : 'succeeded' }),
      ]),
    ]) {
      await seed.record({ ...event, pipelineName });
    }
    // The same releases, run by the local CodePipeline: GOOD and FAILED_PRODUCTION change every
    // environment's infrastructure, PREVIOUS and CURRENT are stopped before production, and
    // FAILED_PRODUCTION's production deployment fails.
    const [good, previous, current, failed] = ['a', 'b', 'c', 'd'].map((letter) => letter.repeat(40)) as [string, string, string, string];
    const pipeline = await LocalPipelineHarness.start({
      name: pipelineName,
      environments: ENVIRONMENTS,
      infrastructure: ENVIRONMENTS,
      script: (call) => {
        if (call.action.startsWith('Detect-')) return { outputVariables: { [`INFRA_${call.action.slice('Detect-'.length).toUpperCase()}`]: call.commit === good || call.commit === failed ? 'deploy' : 'skip' } };
        return call.commit === failed && call.stage === 'Production-Application' && call.action === 'Deploy' && call.executionType === 'STANDARD' ? { status: 'Failed', summary: 'critical alarm' } : undefined;
      },
    });
    codepipeline = pipeline;
    await pipeline.release(good, { id: GOOD });
    await pipeline.release(previous, { id: PREVIOUS, stopBefore: 'Production-Application' });
    await pipeline.release(current, { id: CURRENT, stopBefore: 'Production-Application' });
    await pipeline.release(failed, { id: FAILED_PRODUCTION });
    process.env[CALL_LOG_VARIABLE] = callLog;
    // Each command's own SDK client, recorded under its caller name as the CLI records it on AWS.
    const pipelineOf = (command: string) => () =>
      new CodePipelineControl(
        recordCalls(new CodePipelineClient({ endpoint: pipeline.endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 }), cliCaller(command), process.env),
        pipelineName,
      );
    const steadyClock = { clock: pipeline.clock, ids: new CountingIds(), timing: DEFAULT_ROLLBACK_TIMING };
    const rollback = createRollbackCommand({ ...rollbackDependencies, openPipeline: pipelineOf('rollback'), dependencies: steadyClock });
    const { approve, reject } = createReviewCommands({ defaults: reviewDependencies.defaults, openGate: reviewDependencies.openGate });
    const commands: Command[] = [historyCommand, doraCommand, createStatusCommand({ ...statusDependencies, openPipeline: pipelineOf('status') }), rollback, approve, reject];
    const run = async (...argv: string[]): Promise<void> => {
      const out = new RecordingOutput();
      const code = await runCli(commands, [...argv, '--region', region, '--endpoint-url', endpoint], { out, env: { USER: 'on-call' }, cwd: process.cwd() });
      outcomes.push({ command: argv.join(' '), code, output: out.lines.map((line) => line.text).join('\n') });
    };
    await run('history');
    await run('history', '--commit', 'b'.repeat(40));
    await run('history', '--environment', 'staging');
    await run('dora', '--since', '2026-01-01', '--until', '2026-04-01');
    await run('status');
    await run('rollback', 'staging', '--dry-run');
    await run('rollback', 'staging', '--notify-topic', teamTopicArn);
    // After a change of the pipeline's definition no execution is a stage-rollback target (CodePipeline
    // refuses them all): the production stage rollback fails, the full rollback tries every stage of
    // every environment in parallel and then restarts the pipeline on the last known good commit.
    pipeline.changeDefinition();
    await run('rollback', 'production', '--notify-topic', teamTopicArn);
    await run('approve', '--token', 'exercise-review-token', '--comment', 'known noisy alarm');
    await run('reject', '--token', 'exercise-review-token');
  } finally {
    await codepipeline?.close();
    for (const key of Object.keys(process.env)) if (!(key in saved)) Reflect.deleteProperty(process.env, key);
    Object.assign(process.env, saved);
  }
  return outcomes;
}
