import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScanReportCommand } from '../../../../src/cli/commands/scan-report.js';
import { RecordingOutput } from '../../../../src/cli/output.js';
import { runCli } from '../../../../src/cli/run-cli.js';
import { countTests, parseJunitXml, type JunitReport } from '../../../../src/pipeline/domain/build-gates/junit.js';
import type { Clock } from '../../../../src/shared/clock.js';
import { buildToolFixturePath } from '../../pipeline/domain/build-gates/fixture.js';

const clock: Clock = { now: () => new Date('2026-11-26T10:00:00Z'), sleep: () => Promise.resolve() };
const command = createScanReportCommand({ clock });

const GATES_REPORT = {
  verdict: 'fail',
  templates: ['A.template.json'],
  results: [
    { gate: 'cfn-lint', templatesChecked: 1, findings: [] },
    { gate: 'cfn-guard', templatesChecked: 1, findings: [{ gate: 'cfn-guard', ruleId: 'KMS_KEY_ROTATION', severity: 'error', template: 'A.template.json', resource: 'Key', message: 'rotation is off' }] },
    { gate: 'cdk-nag', templatesChecked: 0, findings: [{ gate: 'cdk-nag', ruleId: 'AwsSolutions-S1', severity: 'error', resource: 'A/Bucket', message: 'no logs', acceptedBecause: 'the log bucket' }] },
    { gate: 'cdk-validation', templatesChecked: 0, findings: [] },
  ],
};

let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'kiro-scan-report-'));
  mkdirSync(join(cwd, 'reports'));
  writeFileSync(join(cwd, 'reports/gates.json'), JSON.stringify(GATES_REPORT));
  writeFileSync(
    join(cwd, 'allowlist.json'),
    JSON.stringify({ entries: [{ advisory: 'GHSA-3h5v-q93c-6h6q', package: 'ws', reason: 'only the local dev proxy uses ws', expires: '2026-12-31' }] }),
  );
  writeFileSync(join(cwd, 'broken-allowlist.json'), JSON.stringify({ entries: [{ advisory: 'GHSA-3h5v-q93c-6h6q' }] }));
});
afterAll(() => {
  rmSync(cwd, { recursive: true, force: true });
});

async function scanReport(args: string[]) {
  const out = new RecordingOutput();
  const code = await runCli([command], ['scan-report', ...args], { out, env: {}, cwd });
  return { code, out };
}

function written(path: string): JunitReport {
  const report = parseJunitXml(readFileSync(join(cwd, path), 'utf8'));
  if (typeof report === 'string') throw new Error(report);
  return report;
}

const outcomes = (report: JunitReport, scanner: string): string[] =>
  report.testCases.filter((testCase) => testCase.classname === `security.${scanner}`).map((testCase) => `${testCase.outcome} ${testCase.name}`);

describe('kiro-cd scan-report', () => {
  it('writes every scanner as a suite of the JUnit file, creating its directory, and exits 0 although findings block', async () => {
    const { code, out } = await scanReport([
      '--output', 'reports/new/security-scans.xml',
      '--audit', buildToolFixturePath('npm-audit', 'high-findings.json'),
      '--eslint', buildToolFixturePath('eslint', 'warnings-only.json'),
      '--gates-report', 'reports/gates.json',
    ]);
    expect(code).toBe(0);
    expect(out.stdout).toBe('Wrote 6 scan suite(s) (npm-audit, eslint, cfn-lint, cfn-guard, cdk-nag, cdk-validation) to reports/new/security-scans.xml.');
    expect(out.stderr).toBe('');
    const report = written('reports/new/security-scans.xml');
    expect(outcomes(report, 'npm-audit')).toEqual(['failed high GHSA-3h5v-q93c-6h6q at ws', 'passed moderate GHSA-c2qf-rxjj-qqgw at semver', 'passed low GHSA-pxg6-pf52-xh8x at cookie']);
    expect(outcomes(report, 'cfn-lint')).toEqual(['passed no findings']);
    expect(outcomes(report, 'cfn-guard')).toEqual(['failed error KMS_KEY_ROTATION at A.template.json Key']);
    expect(outcomes(report, 'cdk-nag')).toEqual(['skipped error AwsSolutions-S1 at A/Bucket']);
    expect(countTests(report)).toMatchObject({ failed: 2, skipped: 1, errors: 0 });
  });

  it('skips an advisory the allowlist accepts, with its reason', async () => {
    await scanReport(['--output', 'allowlisted.xml', '--audit', buildToolFixturePath('npm-audit', 'high-findings.json'), '--allowlist', 'allowlist.json']);
    const ws = written('allowlisted.xml').testCases.find((testCase) => testCase.name === 'high GHSA-3h5v-q93c-6h6q at ws');
    expect(ws).toMatchObject({ outcome: 'skipped', message: 'accepted: only the local dev proxy uses ws' });
  });

  it.each([
    {
      why: 'missing reports (the build stopped before the tools ran) become "not run" suites and warnings',
      args: ['--audit', 'reports/none.json', '--eslint', 'reports/none.json', '--gates-report', 'reports/none.json'],
      notRun: ['npm-audit', 'eslint', 'cfn-lint', 'cfn-guard', 'cdk-nag', 'cdk-validation'],
      warnings: [/npm-audit reported as not run: npm audit did not produce a report: reports\/none\.json does not exist/, /cfn-lint, cfn-guard, cdk-nag, cdk-validation reported as not run: reports\/none\.json does not exist/],
    },
    {
      why: 'a gates report of another shape marks the policy gates not run',
      args: ['--gates-report', buildToolFixturePath('eslint', 'clean.json')],
      notRun: ['cfn-lint', 'cfn-guard', 'cdk-nag', 'cdk-validation'],
      warnings: [/clean\.json is not the JSON that "kiro-cd policy-gates --report-file" writes/],
    },
    {
      why: 'npm audit that could not reach the advisory service is not run',
      args: ['--audit', buildToolFixturePath('npm-audit', 'registry-405-recorded.json')],
      notRun: ['npm-audit'],
      warnings: [/npm-audit reported as not run: npm audit could not reach the advisory service/],
    },
    {
      why: 'an invalid allowlist (the gate stops with exit 2) leaves npm audit not run instead of crashing',
      args: ['--audit', buildToolFixturePath('npm-audit', 'high-findings.json'), '--allowlist', 'broken-allowlist.json'],
      notRun: ['npm-audit'],
      warnings: [/npm-audit reported as not run: the npm audit allowlist cannot be used: .*broken-allowlist\.json/],
    },
  ])('$why', async ({ args, notRun, warnings }) => {
    const { code, out } = await scanReport(['--output', 'not-run.xml', ...args]);
    expect(code).toBe(0);
    for (const warning of warnings) expect(out.stderr).toMatch(warning);
    const report = written('not-run.xml');
    expect(report.testCases.filter((testCase) => testCase.name === 'not run' && testCase.outcome === 'failed').map((testCase) => testCase.classname)).toEqual(notRun.map((scanner) => `security.${scanner}`));
  });

  it.each([
    { why: 'no --output', args: ['--audit', 'reports/npm-audit.json'], message: /--output is required/ },
    { why: 'no report at all', args: ['--output', 'x.xml'], message: /give at least one report/ },
    { why: 'an argument', args: ['--output', 'x.xml', '--eslint', 'e.json', 'extra'], message: /takes no arguments/ },
    { why: 'an empty report path', args: ['--output', 'x.xml', '--eslint', ''], message: /--eslint needs a value/ },
    { why: 'an --output that is a directory', args: ['--output', 'reports', '--eslint', 'e.json'], message: /--output .*reports: cannot write it \(EISDIR\)/ },
  ])('is a usage error (exit 2) with $why', async ({ args, message }) => {
    const { code, out } = await scanReport(args);
    expect(code).toBe(2);
    expect(out.stderr).toMatch(message);
  });

  it('explains itself in --help', async () => {
    const { code, out } = await scanReport(['--help']);
    expect(code).toBe(0);
    expect(out.stdout).toContain('report group');
    expect(out.stdout).toContain('"security-scans"');
  });
});
