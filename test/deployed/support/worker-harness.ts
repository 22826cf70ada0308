/**
 * What the scenarios act through: the real adapters over the deployed tables, plus the two things
 * that differ between a deployed environment and the emulator, both behind one interface:
 * starting a build and making a started build run to its end.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { BatchGetBuildsCommand, CodeBuildClient, StopBuildCommand } from '@aws-sdk/client-codebuild';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { systemClock, type Clock } from '../../../src/shared/clock.js';
import { CodeBuildBuildStarter } from '../../../src/worker/adapters/codebuild-build-starter.js';
import { DynamoDbLockStore } from '../../../src/worker/adapters/dynamodb-lock-store.js';
import { DynamoDbWorkItems } from '../../../src/worker/adapters/dynamodb-work-items.js';
import { isTerminal } from '../../../src/worker/domain/work-item.js';
import type { BuildStarter } from '../../../src/worker/ports/build-starter.js';
import { applicationStackName, clientConfig, readWorkerOutputs, type DeployedTarget, type WorkerOutputs } from './deployed-environment.js';

/** A build the scenario started, with the work item its StartBuild overrides describe. */
export interface StartedBuild {
  readonly workItemId: string;
  readonly buildId: string;
  readonly lockOwner: string;
  readonly repository: string;
  readonly branch: string;
}

/** Everything a scenario uses. */
export interface WorkerHarness {
  readonly outputs: WorkerOutputs;
  readonly documents: DynamoDBDocumentClient;
  readonly dynamodb: DynamoDBClient;
  readonly cloudwatch: CloudWatchClient;
  readonly codebuild: CodeBuildClient;
  readonly workItems: DynamoDbWorkItems;
  readonly locks: DynamoDbLockStore;
  readonly builds: BuildStarter;
  readonly clock: Clock;
  /** Runs a started build to its end (deployed: waits for CodeBuild and the build-state-change handler; locally: runs the command and delivers its events). */
  completeBuild(build: StartedBuild): Promise<void>;
  /** Stops a build the scenario does not want to run (deployed: StopBuild). */
  stopBuild(buildId: string): Promise<void>;
}

/** Parts a harness needs beyond the adapters, which the local runner replaces. */
export interface HarnessOverrides {
  readonly builds?: BuildStarter;
  readonly completeBuild?: WorkerHarness['completeBuild'];
  readonly stopBuild?: WorkerHarness['stopBuild'];
  readonly clock?: Clock;
}

/**
 * Connects to a deployed environment. By default builds are started for real and a started build is
 * awaited until its work item is finished (polling every 15 s, at most `buildWaitMs`).
 */
export async function connectHarness(target: DeployedTarget, overrides: HarnessOverrides = {}, buildWaitMs = 20 * 60_000): Promise<WorkerHarness> {
  const config = clientConfig(target);
  const outputs = await readWorkerOutputs(new CloudFormationClient(config), applicationStackName(target.stackPrefix));
  const dynamodb = new DynamoDBClient(config);
  const documents = DynamoDBDocumentClient.from(dynamodb);
  const codebuild = new CodeBuildClient(config);
  const workItems = new DynamoDbWorkItems(documents, outputs.workItemsTableName);
  const clock = overrides.clock ?? systemClock;
  return {
    outputs,
    documents,
    dynamodb,
    cloudwatch: new CloudWatchClient(config),
    codebuild,
    workItems,
    locks: new DynamoDbLockStore(documents, outputs.lockTableName),
    builds: overrides.builds ?? new CodeBuildBuildStarter(codebuild, { projectName: outputs.implementationProjectName, buildspec: outputs.implementationBuildspec }),
    clock,
    completeBuild:
      overrides.completeBuild ??
      (async (build) => {
        const deadline = clock.now().getTime() + buildWaitMs;
        while (clock.now().getTime() < deadline) {
          const item = await workItems.get(build.workItemId);
          if (item !== undefined && isTerminal(item.status)) return;
          await clock.sleep(15_000);
        }
        const answer = await codebuild.send(new BatchGetBuildsCommand({ ids: [build.buildId] }));
        throw new Error(`Work item ${build.workItemId} was not finished by build ${build.buildId} (status ${answer.builds?.[0]?.buildStatus ?? 'unknown'}) within ${buildWaitMs / 60_000} minutes.`);
      }),
    stopBuild:
      overrides.stopBuild ??
      (async (buildId) => {
        await codebuild.send(new StopBuildCommand({ id: buildId }));
      }),
  };
}
