import { describe, expect, it } from 'vitest';
import { decideEslint, parseEslintReport } from '../../../../../src/pipeline/domain/build-gates/eslint.js';
import { unreadableReport, type GateResult } from '../../../../../src/pipeline/domain/build-gates/gate-result.js';
import { countTests, parseJunitXml, type JunitReport, type JunitTestCase } from '../../../../../src/pipeline/domain/build-gates/junit.js';
import { decideNpmAudit, parseNpmAuditOutput } from '../../../../../src/pipeline/domain/build-gates/npm-audit.js';
import { countPolicyGateFindings, parsePolicyGatesReport } from '../../../../../src/pipeline/domain/build-gates/policy-gates-report.js';
import {
  policyGatesNotRun,
  renderScanReport,
  scanNotRun,
  scanResultOfGate,
  scanResultsOfPolicyGates,
  type ScanFinding,
  type ScanResult,
} from '../../../../../src/pipeline/domain/build-gates/scan-report.js';
import type { GateResult as PolicyGateResult } from '../../../../../src/pipeline/domain/policy-gates/gate-finding.js';
import { buildToolFixture } from './fixture.js';

const TODAY = '2026-11-26';

function parsed(xml: string): JunitReport {
  const report = parseJunitXml(xml);
  if (typeof report === 'string') throw new Error(`not JUnit XML: ${report}\n${xml}`);
  return report;
}

function cases(scans: readonly ScanResult[]): readonly JunitTestCase[] {
  return parsed(renderScanReport(scans)).testCases;
}

const audit = (fixture: string, allowlist: Parameters<typeof decideNpmAudit>[1]['allowlist'] = []): GateResult =>
  decideNpmAudit(parseNpmAuditOutput(buildToolFixture('npm-audit', fixture)), { mode: 'pipeline', allowlist, today: TODAY });

const finding = (overrides: Partial<ScanFinding>): ScanFinding => ({ severity: 'error', id: 'RULE1', message: 'something is wrong', blocking: true, why: 'it blocks', ...overrides });

const policyGates: PolicyGateResult[] = [
  { gate: 'cfn-lint', templatesChecked: 3, findings: [] },
  {
    gate: 'cfn-guard',
    templatesChecked: 3,
    findings: [
      { gate: 'cfn-guard', ruleId: 'KMS_KEY_ROTATION', severity: 'warning', template: 'KiroCd-Pipeline.template.json', resource: 'ArtifactsKey', message: 'rotation is off' },
      { gate: 'cfn-guard', ruleId: 'S3_BUCKET_LOGGING', severity: 'error', template: 'KiroCd-Pipeline.template.json', resource: 'LogsBucket', message: 'no access logs', acceptedBecause: 'it is the access-log bucket itself' },
    ],
  },
  { gate: 'cdk-nag', templatesChecked: 0, findings: [{ gate: 'cdk-nag', ruleId: 'AwsSolutions-IAM5[Action::s3:*]', severity: 'info', resource: 'KiroCd-Pipeline/Role', message: 'wildcard' }] },
  { gate: 'cdk-validation', templatesChecked: 0, findings: [] },
];

/** One row of the table: the scans, the case to find by name, and what it must be. */
interface CaseRow {
  readonly why: string;
  readonly scans: () => readonly ScanResult[];
  readonly name: string | RegExp;
  readonly outcome: JunitTestCase['outcome'];
  readonly message?: RegExp;
}

describe('renderScanReport: one test case per finding', () => {
  it.each<CaseRow>([
    {
      why: 'a recorded HIGH npm audit advisory fails, named by severity, advisory and package',
      scans: () => [scanResultOfGate(audit('high-findings.json'))],
      name: 'high GHSA-3h5v-q93c-6h6q at ws',
      outcome: 'failed',
      message: /^high: ws affected by a DoS when handling a request with many HTTP headers \(ws >=8\.0\.0 <8\.17\.1\)/,
    },
    {
      why: 'a moderate advisory is reported and passes (only critical and high block)',
      scans: () => [scanResultOfGate(audit('high-findings.json'))],
      name: 'moderate GHSA-c2qf-rxjj-qqgw at semver',
      outcome: 'passed',
    },
    {
      why: 'an allowlisted advisory is skipped with the allowlist\'s reason',
      scans: () => [scanResultOfGate(audit('high-findings.json', [{ advisory: 'GHSA-3h5v-q93c-6h6q', package: 'ws', reason: 'only the local dev proxy uses ws', expires: '2027-01-31' }]))],
      name: 'high GHSA-3h5v-q93c-6h6q at ws',
      outcome: 'skipped',
      message: /^accepted: only the local dev proxy uses ws$/,
    },
    {
      why: 'an npm audit that could not reach the advisory service is a failing "not run" case, never green',
      scans: () => [scanResultOfGate(audit('registry-405-recorded.json'))],
      name: 'not run',
      outcome: 'failed',
      message: /^npm-audit did not run: npm audit could not reach the advisory service: 405 Method Not Allowed/,
    },
    {
      why: 'an audit without vulnerabilities has one passing "no findings" case',
      scans: () => [scanResultOfGate(audit('no-vulnerabilities.json'))],
      name: 'no findings',
      outcome: 'passed',
    },
    {
      why: 'an ESLint error fails, named by severity, rule and file:line:column',
      scans: () => [scanResultOfGate(decideEslint(parseEslintReport(buildToolFixture('eslint', 'errors-warnings-and-parse-error.json')), '/tmp/vt/lint'))],
      name: 'error no-debugger at bad.js:4:18',
      outcome: 'failed',
      message: /^error: Unexpected 'debugger' statement\.$/,
    },
    {
      why: 'an ESLint warning is reported and passes',
      scans: () => [scanResultOfGate(decideEslint(parseEslintReport(buildToolFixture('eslint', 'warnings-only.json'))))],
      name: /^warning /,
      outcome: 'passed',
    },
    {
      why: 'an ESLint report that is not JSON is a failing "not run" case',
      scans: () => [scanResultOfGate(decideEslint(parseEslintReport(buildToolFixture('eslint', 'stylish-output-by-mistake.txt'))))],
      name: 'not run',
      outcome: 'failed',
      message: /^eslint did not run: ESLint output is not JSON/,
    },
    {
      why: 'an unaccepted policy-gate warning fails (zero-findings policy), located by template and resource',
      scans: () => scanResultsOfPolicyGates(policyGates),
      name: 'warning KMS_KEY_ROTATION at KiroCd-Pipeline.template.json ArtifactsKey',
      outcome: 'failed',
      message: /^warning: rotation is off$/,
    },
    {
      why: 'an accepted policy-gate finding is skipped with the reason written on the resource',
      scans: () => scanResultsOfPolicyGates(policyGates),
      name: 'error S3_BUCKET_LOGGING at KiroCd-Pipeline.template.json LogsBucket',
      outcome: 'skipped',
      message: /^accepted: it is the access-log bucket itself$/,
    },
    {
      why: 'a cdk-nag finding is located by construct path alone',
      scans: () => scanResultsOfPolicyGates(policyGates),
      name: 'info AwsSolutions-IAM5[Action::s3:*] at KiroCd-Pipeline/Role',
      outcome: 'failed',
    },
    {
      why: 'a finding without a location is named by severity and id',
      scans: () => [{ scanner: 'cfn-lint', ran: true, findings: [finding({})] }],
      name: 'error RULE1',
      outcome: 'failed',
    },
  ])('$why', ({ scans, name, outcome, message }) => {
    const found = cases(scans()).filter((testCase) => (typeof name === 'string' ? testCase.name === name : name.test(testCase.name)));
    expect(found.map((testCase) => testCase.outcome)).toEqual([outcome]);
    if (message !== undefined) expect(found[0]?.message).toMatch(message);
  });

  it('writes the failure body with id, location, message and why, and the reported finding\'s system-out', () => {
    const xml = renderScanReport([scanResultOfGate(audit('high-findings.json'))]);
    expect(xml).toContain('<failure message="high: ws affected by a DoS');
    expect(xml).toContain('type="high">id: GHSA-3h5v-q93c-6h6q\nlocation: ws\nmessage: ws affected');
    expect(xml).toMatch(/why: high severity blocks the deployment: update ws out of &gt;=8\.0\.0 &lt;8\.17\.1/);
    expect(xml).toContain('<system-out>moderate finding, reported and not blocking.\nid: GHSA-c2qf-rxjj-qqgw\nlocation: semver');
  });

  it('puts each scanner in its own suite, classname security.<scanner>, failures first', () => {
    const report = parsed(renderScanReport([scanResultOfGate(audit('high-findings.json')), ...scanResultsOfPolicyGates(policyGates)]));
    expect([...new Set(report.testCases.map((testCase) => testCase.classname))]).toEqual(['security.npm-audit', 'security.cfn-lint', 'security.cfn-guard', 'security.cdk-nag', 'security.cdk-validation']);
    expect(report.testCases.filter((testCase) => testCase.classname === 'security.npm-audit').map((testCase) => testCase.outcome)).toEqual(['failed', 'passed', 'passed']);
    expect(report.testCases.filter((testCase) => testCase.classname === 'security.cfn-guard').map((testCase) => testCase.outcome)).toEqual(['failed', 'skipped']);
  });

  it('states counts consistent with its cases on each suite and on the root', () => {
    const xml = renderScanReport([scanResultOfGate(audit('high-findings.json')), scanNotRun('eslint', 'no report'), ...scanResultsOfPolicyGates(policyGates)]);
    expect(xml).toContain('<testsuites name="security-scans" tests="9" failures="4" errors="0" skipped="1">');
    expect(xml).toContain('<testsuite name="npm-audit" tests="3" failures="1" errors="0" skipped="0">');
    expect(xml).toContain('<testsuite name="eslint" tests="1" failures="1" errors="0" skipped="0">');
    expect(xml).toContain('<testsuite name="cfn-guard" tests="2" failures="1" errors="0" skipped="1">');
    expect(countTests(parsed(xml))).toEqual({ total: 9, passed: 4, failed: 4, errors: 0, skipped: 1 });
  });

  it.each([
    { why: 'the five XML specials are escaped in attributes', text: `a&b<c>d"e'f`, attribute: 'a&amp;b&lt;c&gt;d&quot;e&apos;f' },
    { why: 'control characters XML 1.0 forbids are dropped', text: 'bell\u0007 escape\u001b nul\u0000 end', attribute: 'bell escape nul end' },
    { why: 'U+FFFE, U+FFFF and lone surrogates are dropped, astral characters kept', text: 'x\uFFFE\uFFFF\uD800y😀', attribute: 'xy😀' },
    { why: 'line breaks and tabs become single spaces in a name', text: 'line one\r\n\tline two', attribute: 'line one line two' },
  ])('$why', ({ text, attribute }) => {
    const xml = renderScanReport([{ scanner: 'eslint', ran: true, findings: [finding({ id: text })] }]);
    expect(xml).toContain(`name="error ${attribute}"`);
  });

  it('keeps line breaks of a failure body, a carriage return as a reference', () => {
    const xml = renderScanReport([{ scanner: 'eslint', ran: true, findings: [finding({ why: 'first <line>\r\nsecond & last' })] }]);
    expect(xml).toContain('why: first &lt;line&gt;&#13;\nsecond &amp; last</failure>');
  });

  it('numbers findings that share severity, id and location, so every name is unique', () => {
    const names = cases([{ scanner: 'eslint', ran: true, findings: [finding({ location: 'a.ts:1:1' }), finding({ location: 'a.ts:1:1' }), finding({ location: 'a.ts:1:1' })] }]).map((testCase) => testCase.name);
    expect(names).toEqual(['error RULE1 at a.ts:1:1', 'error RULE1 at a.ts:1:1 (2)', 'error RULE1 at a.ts:1:1 (3)']);
  });
});

describe('adapters into the scan report', () => {
  it('takes a gate that did not run with its summary when it has no finding to say why', () => {
    const silent: GateResult = { tool: 'eslint', verdict: 'block', ran: false, findings: [], summary: 'BLOCKED: no report' };
    expect(scanResultOfGate(silent)).toEqual({ scanner: 'eslint', ran: false, reason: 'BLOCKED: no report' });
    expect(scanResultOfGate(unreadableReport('eslint', 'reports/eslint.json does not exist'))).toEqual({ scanner: 'eslint', ran: false, reason: 'reports/eslint.json does not exist' });
  });

  it('marks every policy gate as not run when the gates report cannot be read', () => {
    expect(policyGatesNotRun('no report').map((scan) => `${scan.scanner}:${String(scan.ran)}`)).toEqual(['cfn-lint:false', 'cfn-guard:false', 'cdk-nag:false', 'cdk-validation:false']);
  });

  it('reads back the JSON of "kiro-cd policy-gates", which countPolicyGateFindings reads too', () => {
    const text = JSON.stringify({ verdict: 'fail', templates: ['KiroCd-Pipeline.template.json'], results: policyGates });
    expect(parsePolicyGatesReport(text)).toEqual(policyGates);
    expect(countPolicyGateFindings(text)).toContainEqual({ tool: 'cfn-guard', severity: 'error', count: 0 });
  });

  it.each([
    { why: 'not JSON', text: '{"results": [' },
    { why: 'another tool\'s JSON', text: '[]' },
    { why: 'a gate this version does not know', text: JSON.stringify({ results: [{ gate: 'checkov', templatesChecked: 1, findings: [] }] }) },
    { why: 'a finding without a rule id', text: JSON.stringify({ results: [{ gate: 'cfn-lint', templatesChecked: 1, findings: [{ gate: 'cfn-lint', severity: 'error', message: 'x' }] }] }) },
  ])('rejects a gates report that is $why', ({ text }) => {
    expect(parsePolicyGatesReport(text)).toMatch(/not the JSON that "kiro-cd policy-gates --report-file" writes/);
  });
});
