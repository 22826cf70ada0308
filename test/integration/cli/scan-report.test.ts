import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countTests, parseJunitXml } from '../../../src/pipeline/domain/build-gates/junit.js';
import { buildToolFixturePath } from '../../unit/pipeline/domain/build-gates/fixture.js';
import { runKiroCd } from './run-kiro-cd.js';

/** Text a scanner may echo from a source file: XML specials, control characters XML forbids, a lone surrogate, markup. */
const NASTY = 'bad \u0001\u001b & <x> "q" \'a\' ]]> \uD800 <!-- \uFFFF end';

/**
 * A cloud assembly with no templates (so cfn-lint and cfn-guard have nothing to run on) and the
 * cdk-nag report CDK writes during synthesis, with one violation whose description is nasty.
 */
function assemblyWithNagFinding(dir: string): string {
  const assembly = join(dir, 'cdk.out');
  mkdirSync(assembly, { recursive: true });
  writeFileSync(join(assembly, 'manifest.json'), JSON.stringify({ version: '36.0.0', artifacts: {} }));
  writeFileSync(
    join(assembly, 'validation-report.json'),
    JSON.stringify({ pluginReports: [{ pluginName: 'AwsSolutions', violations: [{ ruleName: 'AwsSolutions-S1', description: NASTY, severity: 'error', violatingConstructs: [{ constructPath: 'App/Stack/Bucket' }] }] }] }),
  );
  return assembly;
}

describe('kiro-cd policy-gates --report-file, then kiro-cd scan-report, as processes', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kiro-scan-report-process-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes JUnit XML that the project reads back and a strict XML 1.0 parser accepts', async () => {
    const assembly = assemblyWithNagFinding(dir);
    const gatesReport = join(dir, 'reports', 'gates.json');
    const gates = await runKiroCd(['policy-gates', '--assembly', assembly, '--report-file', gatesReport]);
    expect(gates.code, gates.stderr).toBe(1);

    const eslint = join(dir, 'eslint.json');
    writeFileSync(eslint, JSON.stringify([{ filePath: '/src/a.ts', errorCount: 1, warningCount: 0, messages: [{ ruleId: 'no-eval', severity: 2, message: NASTY, line: 3, column: 1 }] }]));
    const output = join(dir, 'reports', 'security-scans.xml');
    const scan = await runKiroCd(['scan-report', '--output', output, '--audit', buildToolFixturePath('npm-audit', 'high-findings.json'), '--eslint', eslint, '--gates-report', gatesReport]);
    expect(scan.code, scan.stderr).toBe(0);
    expect(scan.stderr).toBe('');

    const xml = readFileSync(output, 'utf8');
    const report = parseJunitXml(xml);
    if (typeof report === 'string') throw new Error(report);
    // Failures: the HIGH advisory, the ESLint error, the cdk-nag finding.
    expect(countTests(report)).toEqual({ total: 8, passed: 5, failed: 3, errors: 0, skipped: 0 });
    const nag = report.testCases.find((testCase) => testCase.classname === 'security.cdk-nag');
    expect(nag).toMatchObject({ name: 'error AwsSolutions-S1 at App/Stack/Bucket', outcome: 'failed', message: 'error: bad & <x> "q" \'a\' ]]> <!-- end' });

    // Python's expat rejects what XML 1.0 forbids (control characters, unbalanced markup), unlike a lenient reader.
    const counted = execFileSync('python3', ['-c', 'import sys, xml.etree.ElementTree as E; print(len(list(E.parse(sys.argv[1]).iter("testcase"))))', output], { encoding: 'utf8' });
    expect(counted.trim()).toBe('8');
  });

  it('still writes the report, exit 0, when the build stopped before any tool wrote its report', async () => {
    const output = join(dir, 'post-build', 'security-scans.xml');
    const scan = await runKiroCd(['scan-report', '--output', output, '--audit', join(dir, 'none.json'), '--eslint', join(dir, 'none.json'), '--gates-report', join(dir, 'none.json')]);
    expect(scan.code).toBe(0);
    expect(scan.stderr).toMatch(/warning: npm-audit reported as not run/);
    const report = parseJunitXml(readFileSync(output, 'utf8'));
    if (typeof report === 'string') throw new Error(report);
    expect(countTests(report)).toEqual({ total: 6, passed: 0, failed: 6, errors: 0, skipped: 0 });
  });

  it('exits 2 without --output', async () => {
    const scan = await runKiroCd(['scan-report', '--eslint', 'reports/eslint.json']);
    expect(scan.code).toBe(2);
    expect(scan.stderr).toContain('--output is required');
  });
});
