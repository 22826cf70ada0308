import { CreateProjectCommand, ListBuildsForProjectCommand } from '@aws-sdk/client-codebuild';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/shared/clock.js';
import { ConfigurationError } from '../../../src/shared/errors.js';
import { uuidGenerator } from '../../../src/shared/id-generator.js';
import { CodeBuildBuildStarter } from '../../../src/worker/adapters/codebuild-build-starter.js';
import { CodeBuildBuildStatusReader } from '../../../src/worker/adapters/codebuild-build-status-reader.js';
import { DynamoDbLockStore } from '../../../src/worker/adapters/dynamodb-lock-store.js';
import { DynamoDbWorkItems } from '../../../src/worker/adapters/dynamodb-work-items.js';
import { DEFAULT_IMPLEMENTATION_COMMAND, implementationBuildspec } from '../../../src/worker/domain/implementation-buildspec.js';
import { createHandler } from '../../../src/worker/handlers/poller.js';
import { motoClientConfig, useFreshMoto } from '../../support/moto.js';
import { readyItem } from '../../unit/worker/fakes.js';
import { codeBuildOnMoto, type SentRequest } from './moto-codebuild.js';
import { createWorkerTables } from './worker-tables.js';

const request = { workItemId: 'wi-1', repository: 'kiro-dev/app', branch: 'kiro/wi-1', lockOwner: 'poller-a' };
const PROJECT = 'KiroWorker-Test-implementation';
const BUILDSPEC = implementationBuildspec(DEFAULT_IMPLEMENTATION_COMMAND, '22');
const names = { workItems: 'work-items', locks: 'locks' };

describe('CodeBuildBuildStarter against the local emulator', () => {
  useFreshMoto();
  let sent: SentRequest[];

  beforeEach(async () => {
    sent = [];
    await codeBuildOnMoto([]).send(
      new CreateProjectCommand({
        name: PROJECT,
        // moto asks every project for a source location, even NO_SOURCE (CodeBuild does not); it is never read.
        source: { type: 'NO_SOURCE', location: 'none', buildspec: '{"version":"0.2","phases":{"build":{"commands":["exit 1"]}}}' },
        artifacts: { type: 'NO_ARTIFACTS' },
        environment: { type: 'LINUX_CONTAINER', image: 'aws/codebuild/standard:7.0', computeType: 'BUILD_GENERAL1_SMALL' },
        serviceRole: 'arn:aws:iam::123456789012:role/implementation-builds',
      }),
    );
  });

  it('reports a missing project as a configuration error naming the fix', async () => {
    const starter = new CodeBuildBuildStarter(codeBuildOnMoto(sent), { projectName: 'absent', buildspec: BUILDSPEC });
    await expect(starter.start(request)).rejects.toThrow(ConfigurationError);
    await expect(starter.start(request)).rejects.toThrow(/CodeBuild project absent does not exist: deploy the application stack/);
  });

  // Issue 13, item 9: the customer's command runs in the implementation project, started by the poller
  // itself with the command as buildspecOverride; no worker build runs it under the worker's role.
  it('the poller starts the item\'s build in the implementation project, with the command as buildspecOverride, and records it', async () => {
    const dynamo = new DynamoDBClient(motoClientConfig());
    await createWorkerTables(dynamo, names);
    const documents = DynamoDBDocumentClient.from(dynamo);
    await documents.send(new PutCommand({ TableName: names.workItems, Item: readyItem('wi-1') }));
    const codebuild = codeBuildOnMoto(sent);
    const workItems = new DynamoDbWorkItems(documents, names.workItems);
    const poll = createHandler({
      workItems,
      locks: new DynamoDbLockStore(documents, names.locks),
      builds: new CodeBuildBuildStarter(codebuild, { projectName: PROJECT, buildspec: BUILDSPEC }),
      buildStates: new CodeBuildBuildStatusReader(codebuild),
      metrics: { publish: () => Promise.resolve() },
      clock: systemClock,
      ids: uuidGenerator,
      settings: { leaseSeconds: 900, maxBuildsPerCycle: 10, pageSize: 20, budgetMs: 30_000 },
      sweep: { olderThanSeconds: 3600, limit: 100 },
      log: () => undefined,
    });

    const result = await poll({});
    expect(result).toMatchObject({ started: 1, transientFaults: 0 });

    const item = await workItems.get('wi-1');
    expect(item?.status).toBe('build-started');
    expect(item?.buildId).toMatch(new RegExp(`^${PROJECT}:`));
    const builds = await codebuild.send(new ListBuildsForProjectCommand({ projectName: PROJECT }));
    expect(builds.ids).toEqual([item?.buildId]);

    const starts = sent.filter((one) => one.operation === 'CodeBuild_20161006.StartBuild');
    expect(starts).toHaveLength(1);
    expect(starts[0]?.body).toMatchObject({ projectName: PROJECT, buildspecOverride: BUILDSPEC, idempotencyToken: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown });
    // The item is described in PLAINTEXT overrides, and nothing else goes that way: no secret, no role override.
    expect(starts[0]?.body.environmentVariablesOverride).toEqual([
      { name: 'KIRO_WORK_ITEM_ID', value: 'wi-1', type: 'PLAINTEXT' },
      { name: 'KIRO_REPOSITORY', value: 'kiro-dev/app', type: 'PLAINTEXT' },
      { name: 'KIRO_BRANCH', value: 'kiro/wi-1', type: 'PLAINTEXT' },
      { name: 'KIRO_LOCK_OWNER', value: result.owner, type: 'PLAINTEXT' },
    ]);
    expect(starts[0]?.body).not.toHaveProperty('serviceRoleOverride');
  });
});
