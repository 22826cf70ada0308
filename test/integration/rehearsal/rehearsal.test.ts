import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../../infrastructure/lib/config/load-config.js';
import { PipelineRuntimeStack } from '../../../infrastructure/lib/stacks/pipeline-runtime-stack.js';
import { createEnvironmentStages } from '../../../infrastructure/lib/stages/environment-stages.js';
import { RecordingOutput } from '../../../src/cli/output.js';
import { runRehearsal, type RehearsalResult } from '../../../src/rehearsal/run-rehearsal.js';
import { SCENARIO_NAMES } from '../../../src/rehearsal/scenarios.js';
import { motoEndpoint, resetMoto } from '../../support/moto.js';
import { runKiroCd } from '../cli/run-kiro-cd.js';

/** Synthesizes the app's stacks (as app.ts does, without the policy plugins) into a scratch assembly. */
function synthesize(): string {
  const outdir = mkdtempSync(join(tmpdir(), 'kiro-rehearsal-assembly-'));
  const config = loadDeploymentConfig();
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  for (const environment of config.environments) createEnvironmentStages(app, environment);
  new PipelineRuntimeStack(app, 'KiroCd-PipelineRuntime', { config, env: { account: config.pipeline.account, region: config.pipeline.region } });
  app.synth();
  return outdir;
}

describe('the rehearsal runs all five scenarios through the real runtime on the emulator', () => {
  let result: RehearsalResult;
  let cwd: string;
  const out = new RecordingOutput();

  beforeAll(async () => {
    await resetMoto();
    cwd = mkdtempSync(join(tmpdir(), 'kiro-rehearsal-cwd-'));
    result = await runRehearsal({
      cwd,
      assemblyDir: synthesize(),
      scenarios: [],
      keepEmulator: true,
      out,
      phases: [{ name: 'synthesis', durationMs: 1 }],
      startEmulator: () => Promise.resolve({ endpoint: motoEndpoint(), reset: resetMoto, stop: () => Promise.resolve() }),
    });
  }, 120_000);

  it.each(SCENARIO_NAMES.map((name) => [name]))('%s ends as its definition expects, judged from the history and notifications read back', (name) => {
    const run = result.runs.find((candidate) => candidate.scenario.name === name);
    expect(run?.verdict, out.stdout.slice(-4000)).toEqual({ kind: 'as-expected' });
  });

  it('exits 0, prints a timeline per scenario, and writes the HTML report with the DORA measures', () => {
    expect(result.exitCode).toBe(0);
    expect(out.stdout).toContain('timeline (read back from DynamoDB and SQS)');
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

  it('kiro-cd history, run as a process against the emulator, shows the failed release, the rollback and the restored release', async () => {
    const run = result.runs.find((candidate) => candidate.scenario.name === 'failed-stage-rollback-full-rollback');
    const history = await runKiroCd(['history', '--endpoint-url', motoEndpoint(), '--history-table', result.historyTable, '--environment', 'staging', '--output', 'json']);
    expect(history.code).toBe(0);
    const records = JSON.parse(history.stdout) as { executionId: string; status: string; isRollback: boolean; commit: { id: string } }[];
    const failed = records.find((record) => record.executionId === run?.releaseExecutionId);
    expect(failed?.status).toBe('rolled-back');
    const newer = records.slice(0, records.indexOf(failed!));
    expect(newer.some((record) => record.status === 'succeeded' && record.commit.id !== run?.release.id)).toBe(true);
  });
});
