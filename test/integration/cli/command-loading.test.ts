import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runKiroCd, type CliRun } from './run-kiro-cd.js';

/**
 * A `kiro-cd` process imports the AWS SDK clients of the command it runs and no others: every
 * process used to import every command's clients (~1.5 s of CPU each, docs/fast-feedback.md).
 * The import recorder (test/fixtures/import-recorder) notes each @aws-sdk/client-* package resolved.
 */
const RECORDER = fileURLToPath(new URL('../../fixtures/import-recorder/register.mjs', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'kiro-command-loading-'));

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

const runs = new Map<string, Promise<{ readonly run: CliRun; readonly clients: string[] }>>();

/**
 * Runs `kiro-cd <args>` as a process with the import recorder; returns its output and the clients it
 * imported. A command runs once per file: two tests that read the same command's imports (history
 * --help) assert on the one process (~0.5 CPU-s each through bin/kiro-cd.js).
 */
function recorded(name: string, args: readonly string[]): Promise<{ readonly run: CliRun; readonly clients: string[] }> {
  const key = args.join('\0');
  const earlier = runs.get(key);
  if (earlier !== undefined) return earlier;
  const run = recordedRun(name, args);
  runs.set(key, run);
  return run;
}

async function recordedRun(name: string, args: readonly string[]): Promise<{ readonly run: CliRun; readonly clients: string[] }> {
  const record = join(scratch, `${name}.txt`);
  const run = await runKiroCd(args, { NODE_OPTIONS: `--import ${RECORDER}`, KIRO_IMPORT_RECORD: record }, 'bin');
  expect(run.code, run.stderr).toBe(0);
  let text = '';
  try {
    text = readFileSync(record, 'utf8');
  } catch {
    // No line written: no client imported.
  }
  return { run, clients: [...new Set(text.split('\n').filter((line) => line !== ''))].sort() };
}

describe('kiro-cd loads only the command it runs', () => {
  it('the command list (--help) still names every command, and imports no AWS SDK client', async () => {
    const { run, clients } = await recorded('help', ['--help']);
    for (const name of ['detect-changes', 'pipeline-changed', 'gate', 'policy-gates', 'history', 'publish-build-metrics', 'sbom', 'scan-report', 'status', 'dora', 'plan', 'rollback', 'approve', 'reject']) {
      expect(run.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    }
    expect(clients).toEqual([]);
  });

  it('plan, which calls no AWS service, imports no client; history imports its own, not rollback\'s SNS or review\'s Step Functions', async () => {
    const [plan, history] = await Promise.all([recorded('plan', ['plan', '--help']), recorded('history', ['history', '--help'])]);
    expect(plan.clients).toEqual([]);
    expect(plan.run.stdout).toContain('Usage: kiro-cd plan');
    expect(history.clients).toContain('client-dynamodb');
    expect(history.clients).not.toContain('client-sns');
    expect(history.clients).not.toContain('client-sfn');
    expect(history.clients).not.toContain('client-cloudwatch');
  });

  it('the runtime clients open only the client modules a command uses: history no CodePipeline, approve only Step Functions, and CloudFormation only when a table is discovered', async () => {
    const [history, approve] = await Promise.all([recorded('history', ['history', '--help']), recorded('approve', ['approve', '--help'])]);
    expect(history.run.stdout).toContain('Usage: kiro-cd history');
    // The history table's discovery (CloudFormation) loads its client when it runs, not with the command.
    expect(history.clients).toEqual(['client-dynamodb']);
    expect(approve.run.stdout).toContain('Usage: kiro-cd approve');
    expect(approve.clients).toEqual(['client-sfn']);
  });
});
