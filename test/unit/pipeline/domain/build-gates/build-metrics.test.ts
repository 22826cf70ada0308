import { describe, expect, it } from 'vitest';
import { buildMetricData, type MetricDatum } from '../../../../../src/pipeline/domain/build-gates/build-metrics.js';
import { decideEslint, parseEslintReport } from '../../../../../src/pipeline/domain/build-gates/eslint.js';
import { parseCoverageSummary, type CoverageTotals } from '../../../../../src/pipeline/domain/build-gates/coverage.js';
import { decideNpmAudit, parseNpmAuditOutput } from '../../../../../src/pipeline/domain/build-gates/npm-audit.js';
import { countPolicyGateFindings } from '../../../../../src/pipeline/domain/build-gates/policy-gates-report.js';
import { buildToolFixture } from './fixture.js';

const AT = new Date('2026-11-26T08:00:00Z');
const PIPELINE = 'kiro-codebuild-worker';

function audit(fixture: string, allowlisted = false) {
  const allowlist = allowlisted ? [{ advisory: 'GHSA-3h5v-q93c-6h6q', package: 'ws', reason: 'server side never parses headers', expires: '2027-01-01' }] : [];
  return decideNpmAudit(parseNpmAuditOutput(buildToolFixture('npm-audit', fixture)), { mode: 'pipeline', allowlist, today: '2026-11-26' });
}

/** `name{Dim=value,...}=value` lines: compact enough to compare whole tables. */
function lines(data: readonly MetricDatum[]): string[] {
  return data.map((datum) => {
    const dims = Object.entries(datum.dimensions).filter(([name]) => name !== 'Pipeline').map(([name, value]) => `${name}=${value}`).join(',');
    return `${datum.name}{${dims}}=${String(datum.value)} ${datum.unit}`;
  });
}

const coverage = parseCoverageSummary(buildToolFixture('coverage', 'branches-and-functions-below.json')) as CoverageTotals;

describe('build metrics', () => {
  it('publishes tests, coverage per measure and findings per tool and severity, zeros included', () => {
    const data = buildMetricData({
      pipeline: PIPELINE,
      at: AT,
      tests: { total: 10, passed: 6, failed: 2, errors: 1, skipped: 1 },
      coverage,
      gates: [audit('high-findings.json'), decideEslint(parseEslintReport(buildToolFixture('eslint', 'errors-warnings-and-parse-error.json')))],
      external: [{ tool: 'cfn-guard', severity: 'error', count: 0 }],
    });
    expect(lines(data)).toEqual([
      'TestsPassed{}=6 Count',
      'TestsFailed{}=3 Count',
      'TestsSkipped{}=1 Count',
      'CoveragePct{Measure=lines}=83.97 Percent',
      'CoveragePct{Measure=branches}=77.73 Percent',
      'CoveragePct{Measure=functions}=78.83 Percent',
      'CoveragePct{Measure=statements}=82.99 Percent',
      'Findings{Tool=npm-audit,Severity=critical}=0 Count',
      'Findings{Tool=npm-audit,Severity=high}=1 Count',
      'Findings{Tool=npm-audit,Severity=moderate}=1 Count',
      'Findings{Tool=npm-audit,Severity=low}=1 Count',
      'Findings{Tool=npm-audit,Severity=info}=0 Count',
      'Findings{Tool=eslint,Severity=error}=3 Count',
      'Findings{Tool=eslint,Severity=warning}=2 Count',
      'Findings{Tool=cfn-guard,Severity=error}=0 Count',
    ]);
    expect(data.every((datum) => datum.dimensions.Pipeline === PIPELINE && datum.timestamp === AT)).toBe(true);
  });

  it.each([
    { why: 'an allowlisted advisory is not counted', gate: audit('high-findings.json', true), expected: 'Findings{Tool=npm-audit,Severity=high}=0 Count' },
    { why: 'an audit that could not reach its service publishes ScanNotRun, not zeros that look clean', gate: audit('registry-405-recorded.json'), expected: 'ScanNotRun{Tool=npm-audit}=1 Count' },
    { why: 'an unreadable ESLint report likewise', gate: decideEslint(parseEslintReport('garbage')), expected: 'ScanNotRun{Tool=eslint}=1 Count' },
  ])('$why', ({ gate, expected }) => {
    const published = lines(buildMetricData({ pipeline: PIPELINE, at: AT, gates: [gate] }));
    expect(published).toContain(expected);
    if (expected.startsWith('ScanNotRun')) expect(published).toHaveLength(1);
  });

  it('publishes 0 % for a measure with nothing measured, so the gap shows', () => {
    const nothing = parseCoverageSummary(buildToolFixture('coverage', 'nothing-measured.json')) as CoverageTotals;
    expect(lines(buildMetricData({ pipeline: PIPELINE, at: AT, coverage: nothing }))[0]).toBe('CoveragePct{Measure=lines}=0 Percent');
  });

  it('publishes nothing for parts the build did not produce', () => {
    expect(buildMetricData({ pipeline: PIPELINE, at: AT })).toEqual([]);
  });
});

describe('policy gates report', () => {
  it('counts unaccepted findings per gate and severity, zeros included', () => {
    const report = JSON.stringify({
      verdict: 'fail',
      templates: ['KiroWorker-Test-Core.template.json'],
      results: [
        { gate: 'cfn-lint', templatesChecked: 1, findings: [{ gate: 'cfn-lint', ruleId: 'E3012', severity: 'error', message: 'bad type' }] },
        {
          gate: 'cdk-nag',
          templatesChecked: 0,
          findings: [
            { gate: 'cdk-nag', ruleId: 'AwsSolutions-IAM5', severity: 'warning', message: 'wildcard', acceptedBecause: 'log stream names are generated' },
            { gate: 'cdk-nag', ruleId: 'AwsSolutions-S1', severity: 'error', message: 'no access logs' },
          ],
        },
      ],
    });
    expect(countPolicyGateFindings(report)).toEqual([
      { tool: 'cfn-lint', severity: 'error', count: 1 },
      { tool: 'cfn-lint', severity: 'warning', count: 0 },
      { tool: 'cfn-lint', severity: 'info', count: 0 },
      { tool: 'cdk-nag', severity: 'error', count: 1 },
      { tool: 'cdk-nag', severity: 'warning', count: 0 },
      { tool: 'cdk-nag', severity: 'info', count: 0 },
    ]);
  });

  it('rejects something else', () => {
    expect(countPolicyGateFindings('[]')).toMatch(/kiro-cd policy-gates --output json/);
  });
});
