import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AssemblyStack } from '../../../src/pipeline/adapters/tools/cloud-assembly.js';
import { guardRuleFiles } from '../../../src/pipeline/adapters/tools/policy-tools.js';
import { applicableGuardRules, runCfnGuard } from '../../../src/pipeline/adapters/tools/run-gates.js';

/**
 * Leaving out the rule files that cannot apply (guard-rule-applicability.ts) changes nothing the
 * gate reports: the real cfn-guard with every Control Tower control and the project's rules, over
 * every fixture template at once, reports the same findings with the selection (per template, and
 * `\w` spelled in ASCII over ASCII templates) as one run of every file as shipped.
 * (Over the product's own assembly the same was measured: 61 findings either way, 25.6 s → 10.3 s
 * idle, 60 of 238 rule files run; the ASCII spelling: 19.9 s → 15.0 s of CPU at load ~12,
 * docs/policy-gates.md.)
 */
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const stacks: AssemblyStack[] = readdirSync(fixtures)
  .filter((file) => file.endsWith('.template.json'))
  .map((file) => {
    const name = file.slice(0, -'.template.json'.length);
    return { stage: '', displayName: name, stackName: name, environment: 'aws://123456789012/eu-west-1', templatePath: join(fixtures, file), templateName: file, resourceCount: 0 };
  });

describe('cfn-guard over only the rule files that can apply', () => {
  it('leaves out most Control Tower files for templates of a few resource types, and keeps the project rules', () => {
    const all = guardRuleFiles();
    const applicable = applicableGuardRules(stacks, all);
    expect(applicable.length).toBeGreaterThan(0);
    expect(applicable.length).toBeLessThan(all.length / 2);
    expect(applicable.filter((rule) => rule.includes('infrastructure/policy'))).toEqual(all.filter((rule) => rule.includes('infrastructure/policy')));
  });

  it('reports exactly the findings of one run of every rule file as shipped, Control Tower findings included', async () => {
    const [selected, everything] = await Promise.all([runCfnGuard(fixtures, stacks), runCfnGuard(fixtures, stacks, guardRuleFiles(), { onlyApplicableRules: false, asciiWordClasses: false })]);
    const listed = (findings: typeof selected.findings): string[] => findings.map((finding) => JSON.stringify(finding)).sort();
    expect(listed(selected.findings)).toEqual(listed(everything.findings));
    // Control Tower controls' rule names are lower-case checks (s3_bucket_versioning_enabled_check); the project's are upper case.
    expect(everything.findings.filter((finding) => finding.ruleId.endsWith('_check')).length).toBeGreaterThan(5);
  }, 120_000);

  describe('over templates of its own', () => {
    const directory = mkdtempSync(join(tmpdir(), 'kiro-guard-selection-'));
    const write = (name: string, text: string): string => {
      writeFileSync(join(directory, name), text);
      return join(directory, name);
    };
    const stackOf = (file: string): AssemblyStack => ({ stage: '', displayName: file, stackName: file, environment: 'aws://123456789012/eu-west-1', templatePath: join(directory, file), templateName: file, resourceCount: 0 });
    write('bucket.template.json', JSON.stringify({ Resources: { Bucket: { Type: 'AWS::S3::Bucket', Properties: {} } } }));
    write('odd.template.json', JSON.stringify({ Resources: { Typeless: { Properties: {} } } }));
    write('empty.template.json', JSON.stringify({ Outputs: { Name: { Value: 'x' } } }));
    const ec2Only = write('ec2-only.guard', 'let instances = Resources.*[ Type == "AWS::EC2::Instance" ]\nrule ec2_check when %instances !empty { %instances.Properties.Monitoring == true }\n');

    it('reads resource types from templates without Resources or with a typeless resource, and runs no cfn-guard when no rule file can apply', async () => {
      const stacks = ['bucket.template.json', 'odd.template.json', 'empty.template.json'].map(stackOf);
      expect(applicableGuardRules(stacks, [ec2Only])).toEqual([]);
      expect(await runCfnGuard(directory, stacks, [ec2Only])).toEqual({ gate: 'cfn-guard', templatesChecked: 3, findings: [] });
    });

    it('still fails the gate when a rule file that may apply does not parse', async () => {
      const broken = write('broken.guard', 'rule broken when { Resources.*[ Type == /AWS::S3::/ \n');
      await expect(runCfnGuard(directory, [stackOf('bucket.template.json')], [broken])).rejects.toMatchObject({ code: 'GATE_TOOL_FAILED' });
    });
  });
});
