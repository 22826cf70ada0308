/**
 * Runs the post-deployment scenarios of test/deployed against the emulator, so `npm test` exercises
 * the suites' own code: the outputs come from a real DescribeStacks of a stack created in the
 * emulator, the tables are created by CloudFormation with the core stack's key schema, the alarms
 * and the project exist, and the adapters make real calls.
 *
 * Two parts are local stand-ins, because the emulator cannot do them: starting a build (the suites'
 * harness takes any BuildStarter; StartBuild itself is tested on the emulator in
 * codebuild-build-starter.test.ts) and running it (moto never runs builds). The stand-in build starter
 * behaves as StartBuild does for a valid project: it returns a new `<project>:<uuid>` id for each call.
 * The build is "run" as CodeBuild runs the implementation buildspec: the command through `/bin/sh -c`
 * with the StartBuild overrides in its environment; its exit code becomes the build status, and the
 * documented "CodeBuild Build State Change" events (IN_PROGRESS, then the end) go to the real
 * build-state-change handler over the emulator's tables, as EventBridge would deliver them.
 */
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { CodeBuildClient, CreateProjectCommand } from '@aws-sdk/client-codebuild';
import { beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { systemClock } from '../../../src/shared/clock.js';
import { BUILD_ENVIRONMENT } from '../../../src/worker/domain/build-environment.js';
import { implementationBuildspec } from '../../../src/worker/domain/implementation-buildspec.js';
import { createBuildStateChangeHandler } from '../../../src/worker/handlers/build-state-change.js';
import type { BuildRequest, BuildStarter } from '../../../src/worker/ports/build-starter.js';
import { clientConfig, readWorkerOutputs, targetFromEnvironment } from '../../deployed/support/deployed-environment.js';
import { endToEndScenario, integrationScenario, smokeScenario } from '../../deployed/support/scenarios.js';
import { connectHarness, type StartedBuild, type WorkerHarness } from '../../deployed/support/worker-harness.js';
import { TEST_REGION, motoClientConfig, motoEndpoint, useFreshMoto } from '../../support/moto.js';
import { LOCK_TABLE, WORK_ITEMS_TABLE } from './worker-tables.js';
import { buildStateEvent } from '../../unit/worker/fakes.js';

const STACK_PREFIX = 'KiroWorker-Test';
const ALARMS = { critical: [`${STACK_PREFIX}-poller-errors`], warning: [`${STACK_PREFIX}-lock-contention`] };
const PROJECT = 'kiro-implementation';
/** The fixture's "implementation": succeeds only for the branch the e2e fixture names. */
const COMMAND = 'test -n "$KIRO_WORK_ITEM_ID" && test "$KIRO_BRANCH" = main';

/** A stand-in for the application stack: the two tables and the outputs the suites read. */
const template = {
  Resources: {
    WorkItems: { Type: 'AWS::DynamoDB::Table', Properties: WORK_ITEMS_TABLE },
    Locks: { Type: 'AWS::DynamoDB::Table', Properties: LOCK_TABLE },
  },
  Outputs: {
    WorkItemsTableName: { Value: { Ref: 'WorkItems' } },
    LockTableName: { Value: { Ref: 'Locks' } },
    ImplementationProjectName: { Value: PROJECT },
    ImplementationBuildspec: { Value: implementationBuildspec(COMMAND, '22') },
    AlarmSeverities: { Value: JSON.stringify(ALARMS) },
  },
};

class LocalBuildStarter implements BuildStarter {
  readonly requests: BuildRequest[] = [];
  start(request: BuildRequest): Promise<{ readonly buildId: string }> {
    this.requests.push(request);
    return Promise.resolve({ buildId: `${PROJECT}:${randomUUID()}` });
  }
}

describe('post-deployment suites against the emulator', () => {
  useFreshMoto();
  let harness: WorkerHarness;
  let builds: LocalBuildStarter;
  let stopped: string[];

  beforeEach(async () => {
    const config = motoClientConfig();
    await new CloudFormationClient(config).send(new CreateStackCommand({ StackName: `${STACK_PREFIX}-Application`, TemplateBody: JSON.stringify(template) }));
    await new CodeBuildClient(config).send(
      new CreateProjectCommand({
        name: PROJECT,
        // moto asks every project for a source location, even NO_SOURCE (CodeBuild does not); it is never read.
        source: { type: 'NO_SOURCE', location: 'none' },
        artifacts: { type: 'NO_ARTIFACTS' },
        environment: { type: 'LINUX_CONTAINER', image: 'aws/codebuild/standard:7.0', computeType: 'BUILD_GENERAL1_SMALL' },
        serviceRole: 'arn:aws:iam::123456789012:role/implementation-builds',
      }),
    );
    const cloudwatch = new CloudWatchClient(config);
    for (const name of [...ALARMS.critical, ...ALARMS.warning]) {
      await cloudwatch.send(new PutMetricAlarmCommand({ AlarmName: name, Namespace: 'KiroWorker', MetricName: 'M', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' }));
    }
    builds = new LocalBuildStarter();
    stopped = [];
    const target = targetFromEnvironment({ KIRO_ENV: 'test', KIRO_AWS_ENDPOINT: motoEndpoint(), AWS_REGION: TEST_REGION }, [{ name: 'test', stackPrefix: STACK_PREFIX, region: 'eu-west-1' }]);
    harness = await connectHarness(target, {
      builds,
      stopBuild: (buildId) => {
        stopped.push(buildId);
        return Promise.resolve();
      },
      completeBuild: async (build: StartedBuild) => {
        const events = createBuildStateChangeHandler({ workItems: harness.workItems, locks: harness.locks, clock: systemClock, projectName: PROJECT, log: () => undefined });
        const event = (status: string) => buildStateEvent(build, status, { projectName: PROJECT, region: TEST_REGION });
        await events(event('IN_PROGRESS'));
        const run = spawnSync('/bin/sh', ['-c', COMMAND], {
          env: { PATH: process.env.PATH, [BUILD_ENVIRONMENT.workItemId]: build.workItemId, [BUILD_ENVIRONMENT.repository]: build.repository, [BUILD_ENVIRONMENT.branch]: build.branch },
        });
        await events(event(run.status === 0 ? 'SUCCEEDED' : 'FAILED'));
      },
    });
  });

  it('reads the application stack outputs through DescribeStacks', () => {
    expect(harness.outputs).toMatchObject({ implementationProjectName: PROJECT, alarms: ALARMS });
    expect(harness.outputs.workItemsTableName).not.toBe('');
  });

  it('integration: locks the item, starts and records its build, then stops it and cleans up', async () => {
    const build = await integrationScenario(harness, 'local');
    expect(builds.requests).toEqual([{ workItemId: 'post-deployment-local', repository: 'kiro-dev/post-deployment-check', branch: 'integration', lockOwner: 'integration-local' }]);
    expect(stopped).toEqual([build.buildId]);
    expect(await harness.workItems.get('post-deployment-local')).toBeUndefined();
  });

  it('e2e: a work item goes from ready to done and its lock is released', async () => {
    const finished = await endToEndScenario(harness, 'local', 'kiro-dev/fixture', 'main');
    expect(finished).toMatchObject({ status: 'done', workItemId: 'post-deployment-local' });
  });

  it('e2e fails, saying why, when the implementation fails (the build ends FAILED and the handler records it on the item)', async () => {
    await expect(endToEndScenario(harness, 'broken', 'kiro-dev/fixture', 'feature')).rejects.toThrow(/should be done, found .*"status":"failed"/);
  });

  it('smoke: finds tables, project and alarms; fails when a critical alarm fires', async () => {
    const report = await smokeScenario(harness);
    expect(report.alarms.map((alarm) => alarm.name).sort()).toEqual([...ALARMS.critical, ...ALARMS.warning].sort());
    await new CloudWatchClient(motoClientConfig()).send(new SetAlarmStateCommand({ AlarmName: ALARMS.critical[0], StateValue: 'ALARM', StateReason: 'test' }));
    await expect(smokeScenario(harness)).rejects.toThrow(`Critical alarms firing: ${ALARMS.critical[0]!}.`);
  });

  it('tests through the environment\'s role when KIRO_TEST_ROLE_ARN names one, assumed through STS', async () => {
    const roleArn = 'arn:aws:iam::123456789012:role/KiroWorker-Test-post-deployment-tests';
    const target = targetFromEnvironment({ KIRO_ENV: 'test', KIRO_AWS_ENDPOINT: motoEndpoint(), AWS_REGION: TEST_REGION, KIRO_TEST_ROLE_ARN: roleArn }, [{ name: 'test', stackPrefix: STACK_PREFIX, region: TEST_REGION }]);
    expect(target.roleArn).toBe(roleArn);
    const { credentials } = clientConfig(target);
    if (typeof credentials !== 'function') throw new Error('expected a credential provider for a role target');
    // The emulator's STS answers AssumeRole with temporary credentials: not the dummy ones the call was signed with.
    const assumed = await credentials();
    expect(assumed.accessKeyId).not.toBe('testing');
    expect(assumed.sessionToken).toBeTruthy();
    const throughRole = await connectHarness(target, { builds });
    const report = await smokeScenario(throughRole);
    expect(report.project).toBe(PROJECT);
  });

  it('names the missing outputs of a stack that is not the application stack', async () => {
    const config = motoClientConfig();
    await new CloudFormationClient(config).send(new CreateStackCommand({ StackName: 'Other', TemplateBody: JSON.stringify({ Resources: template.Resources }) }));
    await expect(readWorkerOutputs(new CloudFormationClient(config), 'Other')).rejects.toThrow(/lacks the outputs WorkItemsTableName, LockTableName, ImplementationProjectName, ImplementationBuildspec, AlarmSeverities/);
  });
});

describe('targetFromEnvironment', () => {
  const configured = [{ name: 'staging', stackPrefix: 'KiroWorker-Staging', region: 'eu-west-1' }];
  it.each([
    [{ KIRO_ENV: 'staging' }, { stackPrefix: 'KiroWorker-Staging', region: 'eu-west-1' }],
    [{ KIRO_STACK_PREFIX: 'Mine', AWS_REGION: 'us-east-2' }, { stackPrefix: 'Mine', region: 'us-east-2' }],
    [{ KIRO_ENV: 'staging', AWS_REGION: 'us-west-2', KIRO_AWS_ENDPOINT: 'http://127.0.0.1:5000' }, { stackPrefix: 'KiroWorker-Staging', region: 'us-west-2', endpoint: 'http://127.0.0.1:5000' }],
  ])('%j -> %j', (environment, target) => {
    expect(targetFromEnvironment(environment, configured)).toEqual(target);
  });

  it.each([
    [{ KIRO_ENV: 'qa' }, /KIRO_ENV=qa is not a configured environment; use one of staging/],
    [{ KIRO_ENV: 'staging', KIRO_TEST_ROLE_ARN: 'KiroWorker-Staging-post-deployment-tests' }, /KIRO_TEST_ROLE_ARN must be an IAM role ARN, not "KiroWorker-Staging-post-deployment-tests"/],
    [{}, /set KIRO_ENV \(test, staging, production\) or both KIRO_STACK_PREFIX and AWS_REGION/],
  ])('rejects %j', (environment, message) => {
    expect(() => targetFromEnvironment(environment, configured)).toThrow(message);
  });
});
