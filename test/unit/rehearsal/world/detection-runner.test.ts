/**
 * The change-detection action runs the buildspec's own `kiro-cd detect-changes` line on a real git
 * repository: an application-only commit skips the infrastructure, a template change deploys it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DeploymentConfig } from '../../../../src/shared/config/schema.js';
import { loadDeploymentConfig } from '../../../../infrastructure/lib/config/load-config.js';
import { detectionAction } from '../../../../src/pipeline/domain/plan/codebuild-actions.js';
import { ReleaseRepository } from '../../../../src/rehearsal/release-repository.js';
import { DeployRecords } from '../../../../src/rehearsal/world/deploy-records.js';
import { detectionCommandLine, runDetection } from '../../../../src/rehearsal/world/detection-runner.js';
import { InMemoryDeploymentHistory } from '../../../support/fakes/in-memory-deployment-history.js';
import type { HistoryEvent } from '../../../../src/pipeline/domain/history-model.js';

const config: DeploymentConfig = loadDeploymentConfig();

/**
 * The test environment's detection buildspec as CDK Pipelines renders the plan's action (JSON, the
 * history table already resolved): its commands come from the plan itself, so the runner is tested
 * on the command line the pipeline really runs (the bundled detection, no `npm ci`).
 */
function detectionBuildSpec(): string {
  const environment = config.environments.find((candidate) => candidate.name === 'test');
  if (environment === undefined) throw new Error('the example configuration has no test environment');
  const action = detectionAction(environment, { historyTableName: 'history' });
  return JSON.stringify({
    phases: { install: { commands: action.installCommands }, build: { commands: action.commands } },
    version: '0.2',
    env: { 'exported-variables': action.exportedVariables },
  });
}
const BUILDSPEC = detectionBuildSpec();
let repository: ReleaseRepository | undefined;

afterEach(() => {
  repository?.remove();
});

function deployedEvents(commitId: string): HistoryEvent[] {
  const base = { pipelineName: config.pipeline.name, executionId: 'exec-base', at: '2026-12-07T09:00:00.000Z' };
  return [
    { ...base, kind: 'execution', eventId: 'e1', state: 'STARTED', commit: { id: commitId } },
    { ...base, kind: 'stage', eventId: 'e2', stage: 'Test-Application', environment: 'test', state: 'STARTED' },
    { ...base, kind: 'stage', eventId: 'e3', stage: 'Test-Application', environment: 'test', state: 'SUCCEEDED', at: '2026-12-07T09:05:00.000Z' },
  ] as HistoryEvent[];
}

async function detect(change: 'application-only' | 'infrastructure-and-application'): Promise<{ outputs: Readonly<Record<string, string>> | undefined; status: string }> {
  const created = ReleaseRepository.create({ Resources: { Table: { Type: 'AWS::DynamoDB::Table' } } }, () => new Date('2026-12-07T09:00:00Z'));
  repository = created.repository;
  const records = new DeployRecords();
  // What CloudFormation holds: the first commit's template for the test core stack.
  records.recordStack({ environment: 'test', stackName: 'KiroWorker-Test-Core', template: repository.templateAt(created.initial.id), parameters: {}, commitId: created.initial.id, executionId: 'exec-base', at: new Date() });
  const release = repository.commit(change, 'next release');
  const history = new InMemoryDeploymentHistory(deployedEvents(created.initial.id));
  const result = await runDetection(
    { config, repository, records, openHistory: () => history, readStacks: () => Promise.resolve([{ selector: 'KiroCd-Pipeline/Test-Infrastructure/Core', stackName: 'KiroWorker-Test-Core', tags: {} }]) },
    BUILDSPEC,
    { KIRO_ENV: 'test' },
    release.id,
  );
  return { outputs: result.outputVariables, status: result.status };
}

describe('the change-detection runner', () => {
  it('finds the detect-changes line of a synthesized buildspec', () => {
    expect(detectionCommandLine(BUILDSPEC)).toBe('--environment test --to $CODEBUILD_RESOLVED_SOURCE_VERSION --history-table history --cdk-app cdk.out --exported-variables-file reports/infra-test.env');
    expect(detectionCommandLine(JSON.stringify({ phases: { build: { commands: ['npm test'] } } }))).toBeUndefined();
  });

  it('an application-only commit: git diff touches no infrastructure and the template is what CloudFormation holds, so INFRA_TEST=skip', async () => {
    expect(await detect('application-only')).toEqual({ status: 'Succeeded', outputs: { INFRA_TEST: 'skip' } });
  });

  it('a template change: INFRA_TEST=deploy', async () => {
    expect(await detect('infrastructure-and-application')).toEqual({ status: 'Succeeded', outputs: { INFRA_TEST: 'deploy' } });
  });
});
