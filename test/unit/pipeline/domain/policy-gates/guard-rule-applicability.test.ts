import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guardRuleMayApply, selectedResourceTypes } from '../../../../../src/pipeline/domain/policy-gates/guard-rule-applicability.js';

/** The shape of a Control Tower proactive control: a comment naming the type, a type variable, a selection. */
const controlTowerStyle = (type: string): string => `#
# Resource Types:
#   ${type}
#
let RESOURCE_TYPE = "${type}"
let selected = Resources.*[ Type == %RESOURCE_TYPE ]
rule check when %selected !empty {
  %selected.Properties.Encrypted == true
  << Violation: not encrypted >>
}
`;

const present = (...types: string[]): ReadonlySet<string> => new Set(types);

describe('guardRuleMayApply', () => {
  it('runs a file that selects a type the templates hold, and leaves out one whose only type is absent', () => {
    expect(guardRuleMayApply(controlTowerStyle('AWS::S3::Bucket'), present('AWS::S3::Bucket', 'AWS::KMS::Key'))).toBe(true);
    expect(guardRuleMayApply(controlTowerStyle('AWS::EC2::Instance'), present('AWS::S3::Bucket', 'AWS::KMS::Key'))).toBe(false);
  });

  it('runs a file with several types when any one of them is present, single or double quoted', () => {
    const text = `let a = Resources.*[ Type in ['AWS::EC2::Instance', "AWS::Lambda::Function"] ]\nrule r when %a !empty { %a.Properties.X exists }\n`;
    expect(selectedResourceTypes(text)).toEqual(new Set(['AWS::EC2::Instance', 'AWS::Lambda::Function']));
    expect(guardRuleMayApply(text, present('AWS::Lambda::Function'))).toBe(true);
    expect(guardRuleMayApply(text, present('AWS::SQS::Queue'))).toBe(false);
  });

  it('always runs a file that names a type other than as a complete quoted literal (a regular expression, an unquoted or partial type)', () => {
    const regex = `${controlTowerStyle('AWS::EC2::Instance')}let any_ec2 = Resources.*[ Type == /^AWS::EC2::/ ]\n`;
    const unquoted = `let x = Resources.*[ Type == AWS::EC2::Instance ]\n`;
    const trailing = `${controlTowerStyle('AWS::EC2::Instance')}let y = 1 # also AWS::EC2::Volume\n`;
    for (const text of [regex, unquoted, trailing]) {
      expect(selectedResourceTypes(text)).toBeUndefined();
      expect(guardRuleMayApply(text, present())).toBe(true);
    }
  });

  it('always runs a file that names no type (rules over Parameters, Outputs or every resource)', () => {
    expect(guardRuleMayApply('rule no_secrets { Parameters.*.NoEcho == true }\n', present())).toBe(true);
    expect(guardRuleMayApply('# only a comment: AWS::S3::Bucket\nrule r { Resources.* exists }\n', present())).toBe(true);
  });

  it('ignores types named only in whole-line comments', () => {
    const text = `#   AWS::S3::Bucket\nlet t = "AWS::EC2::Instance"\nlet s = Resources.*[ Type == %t ]\n`;
    expect(selectedResourceTypes(text)).toEqual(new Set(['AWS::EC2::Instance']));
    expect(guardRuleMayApply(text, present('AWS::S3::Bucket'))).toBe(false);
  });

  const typeName = fc.tuple(fc.constantFrom('S3', 'EC2', 'Lambda', 'KMS', 'IAM'), fc.constantFrom('Bucket', 'Instance', 'Function', 'Key', 'Role')).map(([service, resource]) => `AWS::${service}::${resource}`);

  it('never leaves out a file when every type it selects is present, and never when one more present type is added to a file it runs', () => {
    fc.assert(
      fc.property(fc.uniqueArray(typeName, { minLength: 1, maxLength: 4 }), fc.array(typeName, { maxLength: 4 }), (selected, others) => {
        const text = selected.map((type, index) => `let t${String(index)} = "${type}"\n`).join('') + 'rule r { Resources.* exists }\n';
        expect(guardRuleMayApply(text, present(...selected))).toBe(true);
        for (const type of selected) expect(guardRuleMayApply(text, present(type, ...others))).toBe(true);
        const absent = others.filter((type) => !selected.includes(type));
        expect(guardRuleMayApply(text, present(...absent))).toBe(false);
      }),
    );
  });
});
