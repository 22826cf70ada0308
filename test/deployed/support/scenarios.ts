/**
 * The post-deployment scenarios, shared by the suites (against a deployed environment) and by
 * test/integration/worker/deployed-suites.test.ts (against the emulator, in `npm test`).
 * Each returns what it observed, and throws with a message saying what was wrong.
 */
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { BatchGetProjectsCommand } from '@aws-sdk/client-codebuild';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { runPollCycle } from '../../../src/worker/domain/poll-cycle.js';
import { READY_STATUS, type WorkItem } from '../../../src/worker/domain/work-item.js';
import type { StartedBuild, WorkerHarness } from './worker-harness.js';

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** A fresh work item for a scenario; its id says it is a test item. */
export function testWorkItem(suffix: string, repository: string, branch: string, at: Date): WorkItem {
  return { workItemId: `post-deployment-${suffix}`, status: READY_STATUS, repository, branch, updatedAt: at.toISOString() };
}

/** Puts the item ready and runs one poll cycle; checks that exactly this item was locked and started. */
async function pollFor(harness: WorkerHarness, item: WorkItem, owner: string): Promise<StartedBuild> {
  await harness.documents.send(new PutCommand({ TableName: harness.outputs.workItemsTableName, Item: { ...item } }));
  // Other ready items may exist in a live environment: poll until ours is handled (the index is eventually consistent).
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const report = await runPollCycle(harness, { maxBuildsPerCycle: 25, leaseSeconds: 900, pageSize: 25, budgetMs: 30_000 }, owner);
    const outcome = report.outcomes.find((candidate) => candidate.workItemId === item.workItemId);
    if (outcome?.kind === 'started') return { workItemId: item.workItemId, buildId: outcome.buildId, lockOwner: owner, repository: item.repository, branch: item.branch };
    check(outcome === undefined, `The poller did not start a build for ${item.workItemId}: ${JSON.stringify(outcome)}`);
    await harness.clock.sleep(1000);
  }
  throw new Error(`The poller never saw work item ${item.workItemId} as ready (status index).`);
}

/** Integration: the poller logic against the real tables and project. A lock is taken and a build started and recorded. */
export async function integrationScenario(harness: WorkerHarness, suffix: string): Promise<StartedBuild> {
  const item = testWorkItem(suffix, 'kiro-dev/post-deployment-check', 'integration', harness.clock.now());
  const owner = `integration-${suffix}`;
  const build = await pollFor(harness, item, owner);
  try {
    const recorded = await harness.workItems.get(item.workItemId);
    check(recorded?.status === 'build-started' && recorded.buildId === build.buildId, `Item ${item.workItemId} should be build-started with build ${build.buildId}, found ${JSON.stringify(recorded)}`);
    const second = await harness.locks.acquire({ workItemId: item.workItemId, owner: 'intruder', leaseExpiresAt: 0, acquiredAt: harness.clock.now().toISOString() }, Math.floor(harness.clock.now().getTime() / 1000));
    check(second.kind === 'held', 'A second poller could take the lock of an item whose build was just started.');
  } finally {
    // The check item must not be implemented: stop its build, then remove its traces.
    await harness.stopBuild(build.buildId);
    await harness.locks.release(item.workItemId, owner);
    await harness.documents.send(new DeleteCommand({ TableName: harness.outputs.workItemsTableName, Key: { workItemId: item.workItemId } }));
  }
  return build;
}

/** End to end: a work item goes from ready to done through the poller, its implementation build and the build-state-change handler, and its lock is given back. */
export async function endToEndScenario(harness: WorkerHarness, suffix: string, repository: string, branch: string): Promise<WorkItem> {
  const item = testWorkItem(suffix, repository, branch, harness.clock.now());
  const build = await pollFor(harness, item, `e2e-${suffix}`);
  await harness.completeBuild(build);
  const finished = await harness.workItems.get(item.workItemId);
  check(finished?.status === 'done', `Work item ${item.workItemId} should be done, found ${JSON.stringify(finished)}`);
  const relock = await harness.locks.acquire({ workItemId: item.workItemId, owner: 'e2e-check', leaseExpiresAt: 0, acquiredAt: harness.clock.now().toISOString() }, 0);
  check(relock.kind === 'acquired', `The lock of ${item.workItemId} was not released when its build finished.`);
  await harness.locks.release(item.workItemId, 'e2e-check');
  await harness.documents.send(new DeleteCommand({ TableName: harness.outputs.workItemsTableName, Key: { workItemId: item.workItemId } }));
  return finished;
}

/** What the smoke check saw. */
export interface SmokeReport {
  readonly tables: readonly string[];
  readonly alarms: readonly { readonly name: string; readonly state: string }[];
  readonly project: string;
}

/** Smoke: read-only, safe in production. Tables active and indexed, project present, every alarm present and no critical one firing. */
export async function smokeScenario(harness: WorkerHarness): Promise<SmokeReport> {
  const { outputs } = harness;
  for (const table of [outputs.workItemsTableName, outputs.lockTableName]) {
    const described = await harness.dynamodb.send(new DescribeTableCommand({ TableName: table }));
    check(described.Table?.TableStatus === 'ACTIVE', `Table ${table} is ${described.Table?.TableStatus ?? 'missing'}, not ACTIVE.`);
  }
  const items = await harness.dynamodb.send(new DescribeTableCommand({ TableName: outputs.workItemsTableName }));
  check((items.Table?.GlobalSecondaryIndexes ?? []).some((index) => index.IndexName === 'by-status'), `Table ${outputs.workItemsTableName} lacks the by-status index the poller queries.`);
  await harness.workItems.listReady(1);

  const projects = await harness.codebuild.send(new BatchGetProjectsCommand({ names: [outputs.implementationProjectName] }));
  check(projects.projects?.length === 1, `CodeBuild project ${outputs.implementationProjectName} does not exist.`);

  const names = [...outputs.alarms.critical, ...outputs.alarms.warning];
  const described = await harness.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names }));
  const alarms = (described.MetricAlarms ?? []).map((alarm) => ({ name: alarm.AlarmName ?? '', state: alarm.StateValue ?? 'UNKNOWN' }));
  const missing = names.filter((name) => !alarms.some((alarm) => alarm.name === name));
  check(missing.length === 0, `Alarms missing: ${missing.join(', ')}.`);
  const firing = alarms.filter((alarm) => outputs.alarms.critical.includes(alarm.name) && alarm.state === 'ALARM');
  check(firing.length === 0, `Critical alarms firing: ${firing.map((alarm) => alarm.name).join(', ')}.`);
  return { tables: [outputs.workItemsTableName, outputs.lockTableName], alarms, project: outputs.implementationProjectName };
}
