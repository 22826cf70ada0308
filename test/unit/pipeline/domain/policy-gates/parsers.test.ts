import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { guardAcknowledgementsOf, parseCfnGuardOutput } from '../../../../../src/pipeline/domain/policy-gates/cfn-guard-findings.js';
import { iamServicesToJudge, parseCfnLintOutput } from '../../../../../src/pipeline/domain/policy-gates/cfn-lint-findings.js';
import { parseValidationReport } from '../../../../../src/pipeline/domain/policy-gates/cdk-nag-findings.js';
import { decideGates, formatFinding, type GateResult } from '../../../../../src/pipeline/domain/policy-gates/gate-finding.js';
import { MalformedInputError } from '../../../../../src/shared/errors.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseCfnLintOutput (recorded cfn-lint 1.51 output)', () => {
  it.each([
    ['cfn-lint-clean.json', 'a clean template prints an empty list', []],
    ['cfn-lint-error.json', 'an unknown property is an unaccepted error', [{ ruleId: 'E3002', severity: 'error', resource: 'Bad', accepted: false }]],
    ['cfn-lint-w3005.json', 'W3005 from CDK is accepted project-wide with a reason', [{ ruleId: 'W3005', severity: 'warning', resource: 'Bad', accepted: true }]],
  ])('%s: %s', (file, _why, expected) => {
    const findings = parseCfnLintOutput(fixture(file), 'cdk.out');
    expect(findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity, resource: f.resource, accepted: f.acceptedBecause !== undefined }))).toEqual(expected);
    for (const finding of findings) expect(finding.template).toMatch(/^[\w.]+\.template\.json$/);
  });

  it.each([
    ['not json', 'cfn-lint crashed and printed a traceback'],
    ['{"Level": "Error"}', 'an object instead of a list'],
  ])('rejects %s (%s)', (stdout) => {
    expect(() => parseCfnLintOutput(stdout)).toThrow(MalformedInputError);
  });
});

describe('parseCfnLintOutput: W3037 on an IAM action newer than cfn-lint', () => {
  const w3037 = (action: string): string =>
    JSON.stringify([
      {
        Filename: 'cdk.out/A.template.json',
        Level: 'Warning',
        Message: `'${action}' is not one of ['getobject', 'listbucket', 'putobject']`,
        Location: { Path: ['Resources', 'Policy', 'Properties', 'PolicyDocument', 'Statement', 0, 'Action', 3] },
        Rule: { Id: 'W3037' },
      },
    ]);
  const known = new Set(['s3:getobject', 's3:listbucket', 's3:putobject', 's3:getobjectannotation', 'ec2:getobjectannotationx']);

  it("accepts an action AWS's reference lists for the same service, naming it", () => {
    const [finding] = parseCfnLintOutput(w3037('getobjectannotation'), 'cdk.out', known);
    expect(finding?.acceptedBecause).toContain('s3:getobjectannotation');
  });

  it('keeps a typo, an action of another service, or any W3037 without the reference as a finding', () => {
    expect(parseCfnLintOutput(w3037('getobjct'), 'cdk.out', known)[0]?.acceptedBecause).toBeUndefined();
    expect(parseCfnLintOutput(w3037('getobjectannotationx'), 'cdk.out', known)[0]?.acceptedBecause).toBeUndefined();
    expect(parseCfnLintOutput(w3037('getobjectannotation'), 'cdk.out')[0]?.acceptedBecause).toBeUndefined();
  });
});

describe('iamServicesToJudge: the action lists W3037 findings need', () => {
  const output = (...matches: readonly { readonly rule: string; readonly message: string; readonly path: readonly (string | number)[] }[]): string =>
    JSON.stringify(matches.map((match) => ({ Filename: 'cdk.out/A.template.json', Level: 'Warning', Message: match.message, Location: { Path: match.path }, Rule: { Id: match.rule } })));
  const unknown = (action: string, path: readonly (string | number)[]) => ({ rule: 'W3037', message: `'${action}' is not one of ['getobject']`, path });
  const template: Record<string, unknown> = { list: ['s3:GetObject', 's3:GetObjectAnnotation', 'logs:GetObjectAnnotation', 'kms:Decrypt'], single: 'sqs:SendMessageBatchX', other: ['ec2:RunInstances'] };
  const valueAt = (_file: string, path: readonly (string | number)[]): unknown => template[String(path[0])];

  it.each([
    ['no W3037 finding: nothing to load', output({ rule: 'W3005', message: 'redundant', path: ['list'] }), []],
    ['the services of every entry of the flagged list that spells the flagged action', output(unknown('getobjectannotation', ['list'])), ['s3', 'logs']],
    ['a flagged Action that is one string', output(unknown('sendmessagebatchx', ['single'])), ['sqs']],
    ['several findings: the union', output(unknown('getobjectannotation', ['list']), unknown('sendmessagebatchx', ['single'])), ['s3', 'logs', 'sqs']],
  ])('%s', (_why, stdout, services) => {
    expect([...(iamServicesToJudge(stdout, valueAt) ?? ['(every service)'])]).toEqual(services);
  });

  it.each([
    ['the value there names no action of that name', output(unknown('getobjectannotation', ['other']))],
    ['there is no value there', output(unknown('getobjectannotation', ['missing']))],
  ])('asks for every service when %s, so nothing is judged on less than before', (_why, stdout) => {
    expect(iamServicesToJudge(stdout, valueAt)).toBeUndefined();
  });

  it('rejects output that is not cfn-lint JSON, as parseCfnLintOutput does', () => {
    expect(() => iamServicesToJudge('Traceback', valueAt)).toThrow(MalformedInputError);
  });
});

describe('parseCfnGuardOutput (recorded cfn-guard 3.1 output)', () => {
  it('reports nothing for a passing run', () => {
    expect(parseCfnGuardOutput(fixture('cfn-guard-pass.json'))).toEqual([]);
  });

  it('reports one finding per failing rule and resource, with the rule message', () => {
    const findings = parseCfnGuardOutput(fixture('cfn-guard-failure.json'), (file) => file.replace('cdk.out/', ''));
    expect(findings.map((f) => [f.ruleId, f.resource])).toEqual([
      ['S3_BUCKET_KMS_ENCRYPTED', 'B08E7C7AF'],
      ['IAM_NO_WILDCARD_ACTIONS', 'RDefaultPolicy0707467B'],
      ['s3_bucket_versioning_enabled_check', 'B08E7C7AF'],
    ]);
    expect(findings.every((f) => f.acceptedBecause === undefined && f.template === 'Sample.template.json')).toBe(true);
    expect(findings[1]?.message).toContain('[IAM_NO_WILDCARD_ACTIONS]');
  });

  it('accepts a finding only where the resource names the rule and gives a reason', () => {
    const template = {
      Resources: {
        B08E7C7AF: { Metadata: { guard: { SuppressedRules: ['s3_bucket_versioning_enabled_check', 'S3_BUCKET_KMS_ENCRYPTED'], Reasons: { s3_bucket_versioning_enabled_check: 'Access-log bucket: objects are written once.' } } } },
      },
    };
    const findings = parseCfnGuardOutput(fixture('cfn-guard-failure.json'), (file) => file.replace('cdk.out/', ''), (name) => (name === 'Sample.template.json' ? guardAcknowledgementsOf(template) : new Map()));
    expect(findings.filter((f) => f.acceptedBecause !== undefined).map((f) => f.ruleId)).toEqual(['s3_bucket_versioning_enabled_check']);
  });

  it('rejects output that is not cfn-guard JSON', () => {
    expect(() => parseCfnGuardOutput('Parsing error handling rule file')).toThrow(MalformedInputError);
    expect(() => parseCfnGuardOutput('[{"name": "x", "status": "FAIL", "not_compliant": [{}]}]')).toThrow(/without a rule name/);
  });
});

describe('parseValidationReport (recorded CDK validation-report.json with cdk-nag 3)', () => {
  it('reads nothing from a clean report', () => {
    expect(parseValidationReport(fixture('validation-report-clean.json'))).toEqual([]);
  });

  it('reads every violation of cdk-nag as an unaccepted cdk-nag finding on its construct', () => {
    const findings = parseValidationReport(fixture('validation-report-failure.json'));
    expect(findings.map((f) => [f.gate, f.ruleId, f.resource])).toEqual([
      ['cdk-nag', 'AwsSolutions-S10', 'Sample/B/Resource'],
      ['cdk-nag', 'AwsSolutions-IAM5[Action::s3:GetObject*]', 'Sample/R/DefaultPolicy/Resource'],
      ['cdk-nag', 'AwsSolutions-IAM5[Action::s3:GetBucket*]', 'Sample/R/DefaultPolicy/Resource'],
    ]);
  });

  it('files violations of other plugins (the built-in CloudFormation validator) under cdk-validation', () => {
    const report = JSON.stringify({ pluginReports: [{ pluginName: 'cfn-validate', violations: [{ ruleName: 'E1', description: 'bad', severity: 'warning', violatingConstructs: [{ constructPath: 'S/R' }] }] }] });
    expect(parseValidationReport(report)).toEqual([{ gate: 'cdk-validation', ruleId: 'E1', severity: 'warning', resource: 'S/R', message: 'bad' }]);
  });

  it('rejects a report of another shape', () => {
    expect(() => parseValidationReport('{"reports": []}')).toThrow(MalformedInputError);
    expect(() => parseValidationReport('<html>')).toThrow(MalformedInputError);
  });
});

describe('decideGates', () => {
  const accepted = { gate: 'cfn-lint', ruleId: 'W3005', severity: 'warning', message: 'm', acceptedBecause: 'CDK ordering' } as const;
  const warning = { gate: 'cfn-guard', ruleId: 'R', severity: 'warning', message: 'm', template: 'T.template.json', resource: 'Res' } as const;
  it.each<[string, GateResult[], string, number]>([
    ['no findings at all pass', [{ gate: 'cfn-lint', templatesChecked: 3, findings: [] }], 'pass', 0],
    ['accepted findings do not block', [{ gate: 'cfn-lint', templatesChecked: 1, findings: [accepted] }], 'pass', 0],
    ['a warning blocks like an error: the bar is zero unaccepted findings', [{ gate: 'cfn-guard', templatesChecked: 1, findings: [warning, accepted] }], 'fail', 1],
  ])('%s', (_why, results, kind, blocking) => {
    const verdict = decideGates(results);
    expect(verdict.kind).toBe(kind);
    expect(verdict.kind === 'fail' ? verdict.blocking.length : 0).toBe(blocking);
  });

  it('formats a finding with its place and acceptance', () => {
    expect(formatFinding(warning)).toBe('[cfn-guard] warning R at T.template.json Res: m');
    expect(formatFinding(accepted)).toBe('[cfn-lint] warning W3005: m (accepted: CDK ordering)');
  });
});
