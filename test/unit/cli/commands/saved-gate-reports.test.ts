import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublishBuildMetricsCommand } from '../../../../src/cli/commands/publish-build-metrics.js';
import { createScanReportCommand } from '../../../../src/cli/commands/scan-report.js';
import { RecordingOutput } from '../../../../src/cli/output.js';
import { runCli } from '../../../../src/cli/run-cli.js';
import { gateResultFileText } from '../../../../src/pipeline/domain/build-gates/gate-result-file.js';
import { parseJunitXml } from '../../../../src/pipeline/domain/build-gates/junit.js';
import { decideSecrets, parseSecretlintOutput } from '../../../../src/pipeline/domain/build-gates/secrets.js';
import type { Clock } from '../../../../src/shared/clock.js';

/**
 * The gates that run their tool themselves (secrets, licences) save their decision with
 * `--report-file`; scan-report and publish-build-metrics read it back in post_build.
 */

const clock: Clock = { now: () => new Date('2026-12-07T10:00:00Z'), sleep: () => Promise.resolve() };
let cwd: string;

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'kiro-saved-gates-'));
  const recorded = readFileSync(new URL('../../../fixtures/secrets/secretlint-output/planted-and-clean-recorded.json', import.meta.url), 'utf8');
  const decision = decideSecrets(parseSecretlintOutput(recorded, '/repo'), {
    scanned: ['planted/aws-credentials.ini', 'planted/settings.js', 'clean/handler.js'],
    allowlist: [{ path: 'planted/settings.js', reason: 'a fake token the tests plant', expires: '2026-12-31' }],
    today: '2026-12-07',
  });
  const text = gateResultFileText(decision);
  writeFileSync(join(cwd, 'secrets.json'), text);
  writeFileSync(join(cwd, 'secrets-cut.json'), text.slice(0, 200));
});
afterAll(() => {
  rmSync(cwd, { recursive: true, force: true });
});

async function run(command: ReturnType<typeof createScanReportCommand>, args: string[]) {
  const out = new RecordingOutput();
  const code = await runCli([command], [command.name, ...args], { out, env: {}, cwd });
  return { code, out };
}

describe('saved gate decisions in scan-report and publish-build-metrics', () => {
  it('scan-report shows each secret as a failed case and the allowlisted one as skipped', async () => {
    const { code } = await run(createScanReportCommand({ clock }), ['--output', 'scans.xml', '--secrets', 'secrets.json']);
    expect(code).toBe(0);
    const report = parseJunitXml(readFileSync(join(cwd, 'scans.xml'), 'utf8'));
    if (typeof report === 'string') throw new Error(report);
    expect(report.testCases.map((testCase) => `${testCase.classname} ${testCase.outcome} ${testCase.name}`)).toEqual([
      'security.secrets failed error @secretlint/secretlint-rule-aws/AWSAccessKeyID at planted/aws-credentials.ini:3:21',
      'security.secrets failed error @secretlint/secretlint-rule-aws/AWSSecretAccessKey at planted/aws-credentials.ini:4:1',
      'security.secrets skipped error @secretlint/secretlint-rule-github/GITHUB_TOKEN at planted/settings.js:2:23',
    ]);
  });

  it.each([
    { why: 'cut off', file: 'secrets-cut.json' },
    { why: 'missing (the gate never ran)', file: 'none.json' },
  ])('scan-report shows secrets as not run when the saved decision is $why', async ({ file }) => {
    await run(createScanReportCommand({ clock }), ['--output', 'scans-bad.xml', '--secrets', file]);
    const report = parseJunitXml(readFileSync(join(cwd, 'scans-bad.xml'), 'utf8'));
    if (typeof report === 'string') throw new Error(report);
    expect(report.testCases.map((testCase) => `${testCase.outcome} ${testCase.name}`)).toEqual(['failed not run']);
  });

  it('publish-build-metrics counts unaccepted secrets by severity, and a cut-off decision as ScanNotRun', async () => {
    const command = createPublishBuildMetricsCommand({ clock, defaultRegion: () => 'us-east-1', openPublisher: () => ({ publish: () => Promise.resolve() }) });
    const { out } = await run(command, ['--pipeline', 'p', '--secrets', 'secrets.json', '--dry-run']);
    expect(out.stdout).toContain('Findings Pipeline=p Tool=secrets Severity=error = 2 Count');
    expect(out.stdout).toContain('Findings Pipeline=p Tool=secrets Severity=warning = 0 Count');
    const cut = await run(command, ['--pipeline', 'p', '--secrets', 'secrets-cut.json', '--dry-run']);
    expect(cut.out.stdout).toContain('ScanNotRun Pipeline=p Tool=secrets = 1 Count');
  });
});
