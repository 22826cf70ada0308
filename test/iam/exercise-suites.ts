/**
 * Runs each post-deployment suite of the synthesized pipeline (the CodeBuild actions whose project
 * has `KIRO_TEST_ROLE_ARN`: integration after test, e2e after staging, smoke after production)
 * against the emulator as the pipeline runs it: the suite's own scenario code (test/deployed) with
 * the environment's post-deployment role assumed through STS (`KIRO_TEST_ROLE_ARN`), the outputs of
 * that environment's application stack, its tables, alarms and implementation project. Every call
 * the suite makes is recorded under its project (the caller is the project's logical-id prefix, so
 * the proof finds the project's role and the role it assumes). Two things the emulator cannot do
 * are stood in, as in test/integration/worker/deployed-suites.test.ts: a started build is "run" by
 * delivering its documented build-state-change events to the real handler (over clients that are
 * not recorded: on AWS the BuildEnd function makes those calls, not the suite), and moto's ISO
 * timestamps in CodeBuild answers are turned into the epoch seconds CodeBuild sends
 * (test/integration/worker/moto-codebuild.ts explains the defect).
 */
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CodeBuildClient, CreateProjectCommand } from '@aws-sdk/client-codebuild';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StackInScope } from '../../src/local/iam/synthesized-iam.js';
import { recordCalls, fileCallSink } from '../../src/shared/aws/call-recorder.js';
import { systemClock } from '../../src/shared/clock.js';
import { DynamoDbLockStore } from '../../src/worker/adapters/dynamodb-lock-store.js';
import { DynamoDbWorkItems } from '../../src/worker/adapters/dynamodb-work-items.js';
import { createBuildStateChangeHandler } from '../../src/worker/handlers/build-state-change.js';
import { applicationStackName, clientConfig, readWorkerOutputs, type DeployedTarget } from '../deployed/support/deployed-environment.js';
import { endToEndScenario, integrationScenario, smokeScenario } from '../deployed/support/scenarios.js';
import { connectHarness, type StartedBuild, type WorkerHarness } from '../deployed/support/worker-harness.js';
import { accountCredentials } from './exercise-functions.js';
import { buildStateEvent } from '../unit/worker/fakes.js';
import { withCodeBuildTimestamps } from '../integration/worker/moto-codebuild.js';

/** One post-deployment suite of the pipeline, as its project declares it. */
export interface SuiteDeployment {
  /** The project's logical-id prefix: the caller name its calls are recorded under. */
  readonly caller: string;
  readonly stackName: string;
  readonly suite: 'integration' | 'e2e' | 'smoke';
  readonly variables: Readonly<Record<string, string>>;
}

/** What ran and how it ended. */
export interface SuiteOutcome {
  readonly caller: string;
  readonly suite: string;
  readonly error?: string;
}

/** The suites of the assembly: CodeBuild projects whose environment names a post-deployment test role. */
export function suiteDeployments(stacks: readonly StackInScope[]): SuiteDeployment[] {
  return stacks.flatMap(({ stack, resolve }) =>
    Object.entries(stack.resources).flatMap(([id, resource]) => {
      if (resource.Type !== 'AWS::CodeBuild::Project') return [];
      const entries = (resolve((resource.Properties?.Environment as { EnvironmentVariables?: unknown } | undefined)?.EnvironmentVariables ?? []) ?? []) as { Name: string; Value: unknown }[];
      const variables = Object.fromEntries(entries.filter((entry) => typeof entry.Value === 'string').map((entry) => [entry.Name, entry.Value as string]));
      if (variables.KIRO_TEST_ROLE_ARN === undefined) return [];
      const buildspec = String(resolve((resource.Properties?.Source as { BuildSpec?: unknown } | undefined)?.BuildSpec));
      const suite = /test\/deployed\/(integration|e2e|smoke)\b/.exec(buildspec)?.[1] as SuiteDeployment['suite'] | undefined;
      if (suite === undefined) throw new Error(`Project ${id} has a test role but runs no known suite of test/deployed.`);
      return [{ caller: id.replace(/[0-9A-F]{8}$/, ''), stackName: stack.stackName, suite, variables }];
    }),
  );
}

/** Creates what the suite finds in its environment: the application stack with its synthesized outputs, and the implementation project. */
async function provisionEnvironment(endpoint: string, stacks: readonly StackInScope[], target: DeployedTarget, account: string): Promise<void> {
  const name = applicationStackName(target.stackPrefix);
  const application = stacks.find((candidate) => candidate.stack.stackName === name);
  if (application === undefined) throw new Error(`The assembly has no ${name} stack.`);
  const outputs = Object.fromEntries(Object.entries(application.stack.outputs).map(([key, output]) => [key, { Value: application.resolve(output.Value) }]));
  const config = { endpoint, region: target.region, credentials: await accountCredentials(endpoint, account), maxAttempts: 1 };
  // The stack's resources exist already (provisioned from the templates); CloudFormation here only answers DescribeStacks with the real outputs.
  await new CloudFormationClient(config).send(new CreateStackCommand({ StackName: name, TemplateBody: JSON.stringify({ Resources: { Outputs: { Type: 'AWS::CloudFormation::WaitConditionHandle' } }, Outputs: outputs }) }));
  const projectOutput = outputs.ImplementationProjectName?.Value;
  if (typeof projectOutput !== 'string') throw new Error(`${name} has no ImplementationProjectName output.`);
  const projectName = projectOutput;
  await new CodeBuildClient(config).send(
    new CreateProjectCommand({
      name: projectName,
      // moto asks every project for a source location, even NO_SOURCE (CodeBuild does not); it is never read.
      source: { type: 'NO_SOURCE', location: 'none' },
      artifacts: { type: 'NO_ARTIFACTS' },
      environment: { type: 'LINUX_CONTAINER', image: 'aws/codebuild/standard:7.0', computeType: 'BUILD_GENERAL1_SMALL' },
      serviceRole: `arn:aws:iam::${account}:role/implementation`,
    }),
  );
}

/** Runs a started build to its end as the worker does: its build-state-change events go to the real handler, over unrecorded clients. */
function completeWithHandler(harness: () => WorkerHarness, dynamodb: DynamoDBClient): (build: StartedBuild) => Promise<void> {
  return async (build) => {
    const { outputs } = harness();
    const documents = DynamoDBDocumentClient.from(dynamodb);
    const events = createBuildStateChangeHandler({ workItems: new DynamoDbWorkItems(documents, outputs.workItemsTableName), locks: new DynamoDbLockStore(documents, outputs.lockTableName), clock: systemClock, projectName: outputs.implementationProjectName, log: () => undefined });
    const event = (status: string): unknown => buildStateEvent(build, status, { projectName: outputs.implementationProjectName, account: '000000000000' });
    await events(event('IN_PROGRESS'));
    await events(event('SUCCEEDED'));
  };
}

/** Runs every suite of `stacks` against the emulator, recording into `<callLogDirectory>/<stack>.jsonl`. */
export async function exerciseSuites(options: { readonly endpoint: string; readonly stacks: readonly StackInScope[]; readonly callLogDirectory: string }): Promise<SuiteOutcome[]> {
  const { endpoint, stacks, callLogDirectory } = options;
  const outcomes: SuiteOutcome[] = [];
  for (const deployment of suiteDeployments(stacks)) {
    const { variables } = deployment;
    const roleArn = variables.KIRO_TEST_ROLE_ARN ?? '';
    const account = roleArn.split(':')[4] ?? '';
    const target: DeployedTarget = { stackPrefix: variables.KIRO_STACK_PREFIX ?? '', region: variables.AWS_REGION ?? '', endpoint, roleArn };
    const sink = fileCallSink(join(callLogDirectory, `${deployment.stackName}.jsonl`));
    const record = <C extends Parameters<typeof recordCalls>[0]>(client: C): C => recordCalls(client, deployment.caller, {}, { sink, assumedRoleArn: roleArn });
    try {
      await provisionEnvironment(endpoint, stacks, target, account);
      // The harness reads the outputs itself; this is the same read, recorded.
      await readWorkerOutputs(record(new CloudFormationClient(clientConfig(target))), applicationStackName(target.stackPrefix));
      const unrecorded = new DynamoDBClient({ endpoint, region: target.region, credentials: await accountCredentials(endpoint, account), maxAttempts: 1 });
      const complete = { harness: undefined as WorkerHarness | undefined };
      const harness = await connectHarness(target, { completeBuild: (build) => completeWithHandler(() => complete.harness as WorkerHarness, unrecorded)(build) });
      complete.harness = harness;
      // The document client shares the DynamoDB client's middleware stack; the build starter uses this CodeBuild client.
      record(harness.dynamodb);
      record(harness.cloudwatch);
      record(harness.codebuild);
      withCodeBuildTimestamps(harness.codebuild);
      if (deployment.suite === 'smoke') await smokeScenario(harness);
      else if (deployment.suite === 'integration') await integrationScenario(harness, 'least-privilege');
      else await endToEndScenario(harness, 'least-privilege', variables.KIRO_E2E_REPOSITORY ?? 'kiro-dev/fixture', variables.KIRO_E2E_BRANCH ?? 'main');
      outcomes.push({ caller: deployment.caller, suite: deployment.suite });
    } catch (error) {
      outcomes.push({ caller: deployment.caller, suite: deployment.suite, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
  }
  return outcomes;
}
