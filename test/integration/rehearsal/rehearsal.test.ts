/**
 * The rehearsal on the local CodePipeline: a representative set of scenarios runs through the
 * synthesized pipeline, the runtime's real functions and the one endpoint, and each is judged only
 * from what the endpoints recorded. The endpoint is kept, and `kiro-cd` run as a process against it
 * sees the rehearsed pipeline (status) and history. `npm start` runs every scenario.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingOutput } from '../../../src/cli/output.js';
import { catalogueOf, formatCatalogue } from '../../../src/local/iam/call-catalogue.js';
import { readRehearsalCalls, recordingRehearsalCalls, REHEARSAL_CATALOGUE_FILE } from '../../../src/local/iam/rehearsal-calls.js';
import { runRehearsal, type RehearsalResult } from '../../../src/rehearsal/run-rehearsal.js';
import { motoEndpoint, resetMoto } from '../../support/moto.js';
import { productAssembly } from '../../support/shared-assembly.js';
import { runKiroCd } from '../cli/run-kiro-cd.js';

/**
 * The scenarios this test rehearses, a prefix of npm start's order (each builds on what the previous
 * left deployed): a release, a stage rollback, and the full rollback across a pipeline change whose
 * restart skips the production approval. npm start runs the other eleven.
 */
const REHEARSED = ['clean-release', 'critical-alarm-stage-rollback', 'failed-stage-rollback-full-rollback'] as const;

describe('the rehearsal runs scenarios on the local CodePipeline and judges them from what the endpoints recorded', () => {
  let result: RehearsalResult;
  let cwd: string;
  const out = new RecordingOutput();

  beforeAll(async () => {
    await resetMoto();
    cwd = mkdtempSync(join(tmpdir(), 'kiro-rehearsal-cwd-'));
    // The run's shared synthesis of the product (test/support/shared-assembly.ts); the rehearsal only reads it.
    const assemblyDir = await productAssembly();
    // The runtime functions' calls, for the least-privilege proof of npm run validate (rehearsal-calls.json).
    result = await recordingRehearsalCalls(join(cwd, 'rehearsal-calls.jsonl'), () => runRehearsal({
      cwd,
      assemblyDir,
      scenarios: [...REHEARSED],
      keepEmulator: true,
      out,
      phases: [{ name: 'synthesis', durationMs: 1 }],
      startEmulator: () => Promise.resolve({ endpoint: motoEndpoint(), reset: resetMoto, stop: () => Promise.resolve() }),
    }));
  }, 600_000);

  afterAll(async () => {
    await result.stop?.();
  });

  it.each(REHEARSED.map((name) => [name]))('%s ends as its definition expects', (name) => {
    const run = result.runs.find((candidate) => candidate.scenario.name === name);
    expect(run?.verdict, out.stdout.slice(-6000)).toEqual({ kind: 'as-expected' });
  });

  it('exits 0, prints the executions and a timeline per scenario, the wall time, and writes the report', () => {
    expect(result.exitCode).toBe(0);
    expect(out.stdout).toContain('executions (CodePipeline API)');
    expect(out.stdout).toContain('timeline (read back from DynamoDB and SQS)');
    expect(out.stdout).toMatch(/Rehearsal passed: 3 of 3 scenarios ended as expected \(\d+\.\d s wall time\)/);
    const html = readFileSync(join(cwd, 'reports', 'rehearsal.html'), 'utf8');
    for (const name of REHEARSED) expect(html).toContain(`id="${name}"`);
    expect(html).toContain('Change failure rate');
  });

  // npm run validate replays these calls, placed in the accounts of cdk.out (src/local/iam/rehearsal-layout.ts);
  // a changed call shows here first (vitest -u rewrites the catalogue after review).
  it('records the calls of the runtime functions it ran into the committed catalogue', async () => {
    const calls = readRehearsalCalls(join(cwd, 'rehearsal-calls.jsonl'));
    expect(new Set(calls.map((call) => call.service))).toEqual(new Set(['CloudWatch', 'CodePipeline', 'DynamoDB', 'SFN', 'SNS', 'SecretsManager']));
    await expect(formatCatalogue(catalogueOf(calls))).toMatchFileSnapshot(REHEARSAL_CATALOGUE_FILE);
  });

  it('keeps one endpoint, and kiro-cd status run as a process against it shows the rehearsed pipeline', async () => {
    expect(out.stdout).toContain(`The emulator keeps running at ${result.keptEndpoint ?? 'nowhere'}`);
    const status = await runKiroCd(['status', '--endpoint-url', result.keptEndpoint ?? '', '--history-table', result.historyTable]);
    expect(status.code, status.stderr).toBe(0);
    // The stage states come from GetPipelineState over the endpoint: the last scenario's rollback restart
    // ran staging and production again and skipped the production approval (KIRO_ROLLBACK).
    expect(status.stdout).toMatch(/staging\s+[0-9a-f]{8}\s+.*Staging-Application=Succeeded/);
    expect(status.stdout).toMatch(/production\s+[0-9a-f]{8}\s+.*Approve-Production=Skipped.*Production-Application=Succeeded/);
    expect(status.stderr).not.toContain('pipeline\'s stage state could not be read');
  });

  it('kiro-cd history, run as a process, shows the failed release, the rollback and the restored release', async () => {
    const run = result.runs.find((candidate) => candidate.scenario.name === 'failed-stage-rollback-full-rollback');
    const history = await runKiroCd(['history', '--endpoint-url', result.keptEndpoint ?? '', '--history-table', result.historyTable, '--environment', 'staging', '--output', 'json']);
    expect(history.code).toBe(0);
    const records = JSON.parse(history.stdout) as { executionId: string; status: string; isRollback: boolean; commit: { id: string } }[];
    const failed = records.find((record) => record.executionId === run?.releaseExecutionId);
    expect(failed?.status).toBe('rolled-back');
    const newer = records.slice(0, records.indexOf(failed!));
    // The full rollback's restart (a StartPipelineExecution with KIRO_ROLLBACK=true) is recorded as a rollback, not as a release.
    expect(newer.some((record) => record.status === 'succeeded' && record.isRollback && record.commit.id !== run?.release.id)).toBe(true);
  });

  it('the full rollback restart of failed-stage-rollback-full-rollback skipped Approve-Production: no approval was asked', () => {
    const run = result.runs.find((candidate) => candidate.scenario.name === 'failed-stage-rollback-full-rollback');
    const restart = run?.executions.find((execution) => execution.rollbackRestart);
    expect(restart?.status).toBe('Succeeded');
    expect(restart?.stages['Approve-Production']).toBeUndefined();
    expect(restart?.stages['Production-Application']).toBe('Succeeded');
    expect(run?.notices.map((notice) => notice.kind)).not.toContain('approval-needed');
  });
});
