import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../../infrastructure/lib/config/load-config.js';
import { RecordingOutput } from '../../../src/cli/output.js';
import { runRehearsal, type RehearsalResult } from '../../../src/rehearsal/run-rehearsal.js';
import { SCENARIO_NAMES } from '../../../src/rehearsal/scenarios.js';
import { motoClientConfig, motoEndpoint, resetMoto } from '../../support/moto.js';
import { productAssembly } from '../../support/shared-assembly.js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createRollbackCommand } from '../../../src/cli/commands/rollback.js';
import { runCli } from '../../../src/cli/run-cli.js';
import { CodePipelineControl } from '../../../src/pipeline/adapters/aws/codepipeline-control.js';
import { DynamoDbDeploymentHistory } from '../../../src/pipeline/adapters/aws/dynamodb-deployment-history.js';
import { DynamoDbRollbackLedger } from '../../../src/pipeline/adapters/aws/dynamodb-rollback-ledger.js';
import { systemClock } from '../../../src/shared/clock.js';
import { CodePipelineDouble } from '../../../src/local/codepipeline-double.js';
import { runKiroCd } from '../cli/run-kiro-cd.js';

const PIPELINE = loadDeploymentConfig().pipeline.name;

describe('the rehearsal runs every scenario through the real runtime on the emulator', () => {
  let result: RehearsalResult;
  let cwd: string;
  const out = new RecordingOutput();

  beforeAll(async () => {
    await resetMoto();
    cwd = mkdtempSync(join(tmpdir(), 'kiro-rehearsal-cwd-'));
    result = await runRehearsal({
      cwd,
      // The run's shared synthesis of the product (test/support/shared-assembly.ts); the rehearsal only reads it.
      assemblyDir: await productAssembly(),
      scenarios: [],
      keepEmulator: true,
      out,
      phases: [{ name: 'synthesis', durationMs: 1 }],
      startEmulator: () => Promise.resolve({ endpoint: motoEndpoint(), reset: resetMoto, stop: () => Promise.resolve() }),
    });
  }, 240_000);

  it.each(SCENARIO_NAMES.map((name) => [name]))('%s ends as its definition expects, judged from the history and notifications read back', (name) => {
    const run = result.runs.find((candidate) => candidate.scenario.name === name);
    expect(run?.verdict, out.stdout.slice(-4000)).toEqual({ kind: 'as-expected' });
  });

  it('exits 0, prints a timeline per scenario, and writes the HTML report with the DORA measures', () => {
    expect(result.exitCode).toBe(0);
    expect(out.stdout).toContain('timeline (read back from DynamoDB and SQS)');
    // kiro-cd status at the end, with the pipeline state read through the CodePipeline port from the
    // double. The last scenario's approver rejected the release: production still runs the one before,
    // staging already runs the rejected one.
    const production = /production\s+([0-9a-f]{8})\s+\1 succeeded\s+passed\s+Approve-Production=Failed/.exec(out.stdout)?.[1];
    const staging = /staging\s+([0-9a-f]{8})\s+\1 succeeded\s+passed/.exec(out.stdout)?.[1];
    expect(production, out.stdout.slice(-2000)).toBeDefined();
    expect(staging).toBeDefined();
    expect(staging).not.toBe(production);
    const html = readFileSync(join(cwd, 'reports', 'rehearsal.html'), 'utf8');
    for (const name of SCENARIO_NAMES) expect(html).toContain(`id="${name}"`);
    expect(html).toContain('Change failure rate');
    expect(existsSync(join(cwd, 'reports', 'rehearsal.html'))).toBe(true);
  });

  it('records decisions and notifications in the full-rollback timeline', () => {
    const run = result.runs.find((candidate) => candidate.scenario.name === 'failed-stage-rollback-full-rollback');
    const kinds = new Set(run?.timeline.map((entry) => entry.kind));
    expect([...kinds].sort()).toEqual(['decided', 'fired', 'notified', 'recorded']);
    expect(run?.timeline.some((entry) => entry.kind === 'decided' && entry.summary.startsWith('full rollback started'))).toBe(true);
  });

  it('kiro-cd rollback staging: a dry run prints the plan and changes nothing; run twice, it rolls back once', async () => {
    const config = motoClientConfig();
    const history = new DynamoDbDeploymentHistory({ client: new DynamoDBClient(config), tableName: result.historyTable, clock: systemClock });
    const staging = await history.list({ environment: 'staging' });
    // CodePipeline's state: every successful staging deployment of the rehearsal is a rollback target.
    const double = new CodePipelineDouble(PIPELINE, ['Source', 'Staging-Application']);
    for (const record of staging.filter((candidate) => candidate.status === 'succeeded').reverse()) double.seed(record.executionId, { 'Staging-Application': 'Succeeded' });
    const notices: string[] = [];
    const command = createRollbackCommand({
      defaults: () => ({ region: 'us-east-1', pipelineName: PIPELINE }),
      discoverHistoryTable: () => Promise.resolve(result.historyTable),
      discoverLedgerTable: () => Promise.resolve(result.ledgerTable),
      openHistory: () => history,
      openLedger: () => new DynamoDbRollbackLedger(DynamoDBDocumentClient.from(new DynamoDBClient(config)), result.ledgerTable),
      openPipeline: (_client, name) => new CodePipelineControl(double, name),
      openNotifier: () => ({ notify: (notice) => Promise.resolve(void notices.push(notice.kind)) }),
    });
    const run = async (...argv: string[]): Promise<{ code: number; out: RecordingOutput }> => {
      const output = new RecordingOutput();
      const code = await runCli([command], ['rollback', 'staging', '--endpoint-url', motoEndpoint(), ...argv], { out: output, env: { USER: 'sre' }, cwd });
      return { code, out: output };
    };

    const recordsBefore = (await history.list({})).length;
    const dryRun = await run('--dry-run');
    expect(dryRun.code).toBe(0);
    expect(dryRun.out.stdout).toContain('Dry run: nothing was changed.');
    expect(dryRun.out.stdout).toMatch(/1\. RollbackStage Staging-Application to execution/);
    expect(double.calls.filter((call) => call.operation === 'RollbackStage')).toHaveLength(0);
    expect(notices).toEqual([]);
    expect(await history.list({})).toHaveLength(recordsBefore);

    const first = await run();
    const second = await run();
    expect(first.code).toBe(0);
    expect(first.out.stdout, first.out.stdout).toContain('Rolled back (stage)');
    expect(second.code).toBe(0);
    expect(second.out.stdout, second.out.stdout).toMatch(/This rollback is already done \(succeeded/);
    expect(double.calls.filter((call) => call.operation === 'RollbackStage')).toHaveLength(1);
    expect(notices.filter((kind) => kind === 'rollback-started')).toHaveLength(1);
  });

  it('kiro-cd history, run as a process against the emulator, shows the failed release, the rollback and the restored release', async () => {
    const run = result.runs.find((candidate) => candidate.scenario.name === 'failed-stage-rollback-full-rollback');
    const history = await runKiroCd(['history', '--endpoint-url', motoEndpoint(), '--history-table', result.historyTable, '--environment', 'staging', '--output', 'json']);
    expect(history.code).toBe(0);
    const records = JSON.parse(history.stdout) as { executionId: string; status: string; isRollback: boolean; commit: { id: string } }[];
    const failed = records.find((record) => record.executionId === run?.releaseExecutionId);
    expect(failed?.status).toBe('rolled-back');
    const newer = records.slice(0, records.indexOf(failed!));
    expect(newer.some((record) => record.status === 'succeeded' && record.commit.id !== run?.release.id)).toBe(true);
    // The full rollback's restart (a StartPipelineExecution) is recorded as a rollback, not as a release.
    expect(newer.some((record) => record.status === 'succeeded' && record.isRollback && record.commit.id !== run?.release.id)).toBe(true);
  });
});
