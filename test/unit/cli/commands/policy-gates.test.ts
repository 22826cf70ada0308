import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPolicyGatesCommand, policyGatesCommand } from '../../../../src/cli/commands/policy-gates.js';
import { RecordingOutput } from '../../../../src/cli/output.js';
import { runCli } from '../../../../src/cli/run-cli.js';
import type { GatesRun } from '../../../../src/pipeline/adapters/tools/run-gates.js';
import { countPolicyGateFindings, parsePolicyGatesReport } from '../../../../src/pipeline/domain/build-gates/policy-gates-report.js';
import type { GateResult } from '../../../../src/pipeline/domain/policy-gates/gate-finding.js';
import type { Command } from '../../../../src/cli/command.js';
import { ConfigurationError } from '../../../../src/shared/errors.js';

const FAILING: readonly GateResult[] = [
  { gate: 'cfn-lint', templatesChecked: 2, findings: [{ gate: 'cfn-lint', ruleId: 'W3005', severity: 'warning', template: 'A.template.json', resource: 'Fn', message: 'obsolete DependsOn' }] },
  { gate: 'cfn-guard', templatesChecked: 2, findings: [{ gate: 'cfn-guard', ruleId: 'S3_BUCKET_LOGGING', severity: 'error', template: 'A.template.json', resource: 'Logs', message: 'no access logs', acceptedBecause: 'it is the log bucket' }] },
  { gate: 'cdk-nag', templatesChecked: 0, findings: [] },
  { gate: 'cdk-validation', templatesChecked: 0, findings: [] },
];

const run = (results: readonly GateResult[]): GatesRun => ({
  stacks: [{ stage: '', displayName: 'A', stackName: 'A', environment: 'aws://1/us-east-1', templatePath: '/x/A.template.json', templateName: 'A.template.json', resourceCount: 3 }],
  results,
});

let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'kiro-gates-cmd-'));
});
afterAll(() => {
  rmSync(cwd, { recursive: true, force: true });
});

async function gates(command: Command, args: string[]) {
  const out = new RecordingOutput();
  const code = await runCli([command], ['policy-gates', ...args], { out, env: {}, cwd });
  return { code, out };
}

const fake = (results: readonly GateResult[]): Command => createPolicyGatesCommand({ runGates: () => Promise.resolve(run(results)) });

describe('kiro-cd policy-gates --report-file', () => {
  it('writes the JSON of --output json next to the table, creating directories, and keeps exit 1 for an unaccepted finding', async () => {
    const { code, out } = await gates(fake(FAILING), ['--report-file', 'reports/deep/gates.json']);
    expect(code).toBe(1);
    expect(out.stdout).toContain('[cfn-lint] warning W3005 at A.template.json Fn: obsolete DependsOn');
    const written = readFileSync(join(cwd, 'reports/deep/gates.json'), 'utf8');
    expect(JSON.parse(written)).toEqual({ verdict: 'fail', templates: ['A.template.json'], results: FAILING });

    const json = await gates(fake(FAILING), ['--output', 'json']);
    expect(JSON.parse(json.out.stdout)).toEqual(JSON.parse(written));
  });

  it('lists the build-stage gates (secrets, sast, licences, sbom) beside the template gates, each with its false-positive procedure (issue 18)', async () => {
    const { out } = await gates(fake([]), []);
    const listed = out.stdout.slice(out.stdout.indexOf('Build-stage gates'));
    for (const gate of ['secrets', 'sast', 'licences', 'sbom']) expect(listed).toMatch(new RegExp(`\\n {2}${gate} +in the Build action: kiro-cd `));
    expect(listed).toContain('false positive: .secrets-allowlist.json entry: path (+ rule), reason, expires');
    // JSON output stays the policy-gate report that scan-report and publish-build-metrics read.
    const json = await gates(fake([]), ['--output', 'json']);
    expect(json.out.stdout).not.toContain('Build-stage gates');
  });

  it('writes a file that countPolicyGateFindings and the scan report read back', async () => {
    await gates(fake(FAILING), ['--report-file', 'reports/gates.json']);
    const written = readFileSync(join(cwd, 'reports/gates.json'), 'utf8');
    expect(countPolicyGateFindings(written)).toEqual([
      { tool: 'cfn-lint', severity: 'error', count: 0 },
      { tool: 'cfn-lint', severity: 'warning', count: 1 },
      { tool: 'cfn-lint', severity: 'info', count: 0 },
      { tool: 'cfn-guard', severity: 'error', count: 0 },
      { tool: 'cfn-guard', severity: 'warning', count: 0 },
      { tool: 'cfn-guard', severity: 'info', count: 0 },
      ...['cdk-nag', 'cdk-validation'].flatMap((tool) => ['error', 'warning', 'info'].map((severity) => ({ tool, severity, count: 0 }))),
    ]);
    expect(parsePolicyGatesReport(written)).toEqual(FAILING);
  });

  it('writes the file with --output json too, and exits 0 when every finding is accepted', async () => {
    const { code, out } = await gates(fake([FAILING[1]!]), ['--output', 'json', '--report-file', join(cwd, 'passing.json')]);
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(join(cwd, 'passing.json'), 'utf8'))).toEqual(JSON.parse(out.stdout));
    expect(JSON.parse(out.stdout)).toMatchObject({ verdict: 'pass' });
  });

  it('removes an old report before it runs, so a run that crashes leaves no stale report behind', async () => {
    writeFileSync(join(cwd, 'stale.json'), JSON.stringify({ verdict: 'pass', templates: [], results: [] }));
    const crashing = createPolicyGatesCommand({ runGates: () => Promise.reject(new ConfigurationError('No cloud assembly in cdk.out')) });
    const { code, out } = await gates(crashing, ['--report-file', 'stale.json']);
    expect(code).toBe(2);
    expect(out.stderr).toContain('No cloud assembly in cdk.out');
    expect(existsSync(join(cwd, 'stale.json'))).toBe(false);
  });

  it('is a usage error, naming the flag, when the report cannot be written', async () => {
    mkdirSync(join(cwd, 'a-directory'), { recursive: true });
    const { code, out } = await gates(fake(FAILING), ['--report-file', 'a-directory']);
    expect(code).toBe(2);
    expect(out.stderr).toMatch(/--report-file .*a-directory: cannot write it/);
  });

  it('is a usage error with an unknown --output format', async () => {
    expect((await gates(fake(FAILING), ['--output', 'yaml'])).code).toBe(2);
  });

  it('documents --report-file in its help', async () => {
    const { code, out } = await gates(policyGatesCommand, ['--help']);
    expect(code).toBe(0);
    expect(out.stdout).toContain('--report-file <path>');
  });

  it('runs the real gates over an assembly without templates and reports the cdk-nag finding CDK recorded', async () => {
    const assembly = join(cwd, 'cdk.out');
    mkdirSync(assembly, { recursive: true });
    writeFileSync(join(assembly, 'manifest.json'), JSON.stringify({ version: '36.0.0', artifacts: {} }));
    writeFileSync(
      join(assembly, 'validation-report.json'),
      JSON.stringify({ pluginReports: [{ pluginName: 'AwsSolutions', violations: [{ ruleName: 'AwsSolutions-S1', description: 'The S3 Bucket has server access logs disabled.', severity: 'error', violatingConstructs: [{ constructPath: 'App/Stack/Bucket' }] }] }] }),
    );
    const { code } = await gates(policyGatesCommand, ['--assembly', 'cdk.out', '--report-file', 'reports/real.json']);
    expect(code).toBe(1);
    const results = parsePolicyGatesReport(readFileSync(join(cwd, 'reports/real.json'), 'utf8'));
    expect(results).toContainEqual({ gate: 'cdk-nag', templatesChecked: 0, findings: [{ gate: 'cdk-nag', ruleId: 'AwsSolutions-S1', severity: 'error', resource: 'App/Stack/Bucket', message: 'The S3 Bucket has server access logs disabled.' }] });
  });
});
