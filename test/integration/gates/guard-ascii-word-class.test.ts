import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readCloudAssembly, type AssemblyStack } from '../../../src/pipeline/adapters/tools/cloud-assembly.js';
import { guardRuleFiles } from '../../../src/pipeline/adapters/tools/policy-tools.js';
import { runCfnGuard } from '../../../src/pipeline/adapters/tools/run-gates.js';
import { asciiWordClassRule } from '../../../src/pipeline/domain/policy-gates/guard-ascii-word-class.js';
import type { GateFinding } from '../../../src/pipeline/domain/policy-gates/gate-finding.js';
import { productAssembly } from '../../support/shared-assembly.js';

/**
 * The Control Tower files whose `\w` runCfnGuard spells in ASCII over ASCII templates
 * (guard-ascii-word-class.ts) report, with the real cfn-guard, exactly what the files as shipped
 * report: over random IAM actions, over the product's own assembly, and not over a template with a
 * non-ASCII action, where only the Unicode class finds the wildcard.
 */
const rewritable = guardRuleFiles().filter((rule) => asciiWordClassRule(readFileSync(rule, 'utf8')) !== undefined);
const wildcardRule = rewritable.find((rule) => rule.endsWith('/ct-iam-pr-5.guard'));
const listed = (findings: readonly GateFinding[]): string[] => findings.map((finding) => JSON.stringify(finding)).sort();
const asShipped = { onlyApplicableRules: false, asciiWordClasses: false } as const;

const directory = mkdtempSync(join(tmpdir(), 'kiro-guard-ascii-'));
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});
const stackOf = (file: string, template: unknown): AssemblyStack => {
  writeFileSync(join(directory, file), JSON.stringify(template));
  return { stage: '', displayName: file, stackName: file, environment: 'aws://123456789012/eu-west-1', templatePath: join(directory, file), templateName: file, resourceCount: 0 };
};
/** An inline policy allowing `actions`, one statement each. */
const policyTemplate = (actions: readonly string[]): unknown => ({
  Resources: {
    Policy: {
      Type: 'AWS::IAM::Policy',
      Properties: { PolicyName: 'p', Roles: ['r'], PolicyDocument: { Version: '2012-10-17', Statement: actions.map((action) => ({ Effect: 'Allow', Action: action, Resource: '*' })) } },
    },
  },
});

describe('cfn-guard with \\w spelled in ASCII', () => {
  it('applies to the IAM wildcard-action controls and the three others with \\w in a pattern (GitHub URL, ACM certificate ARN)', () => {
    const names = ['ct-codebuild-pr-1.guard', 'ct-elasticloadbalancing-pr-2.guard', 'ct-elasticloadbalancing-pr-8.guard', 'ct-iam-pr-3.guard', 'ct-iam-pr-5.guard'];
    expect(rewritable.map((rule) => rule.slice(rule.lastIndexOf('/') + 1)).sort()).toEqual(names);
  });

  it('reports what the shipped files report over random ASCII actions, wildcards among them (property)', async () => {
    const action = fc.stringMatching(/^[A-Za-z0-9_:*\-. ?]{0,12}$/);
    const samples = fc.sample(fc.array(action, { minLength: 1, maxLength: 60 }), { numRuns: 6, seed: 17 });
    samples.push(['s3:*', '*', 'kms:Decrypt', 'ec2:Describe*', '::*', 'a_b:*', 'a-b:*', 's3:Get*Object']);
    let found = 0;
    for (const [index, actions] of samples.entries()) {
      const stack = stackOf(`random-${index}.template.json`, policyTemplate(actions));
      const iamRules = rewritable.filter((rule) => rule.includes('/ct-iam-'));
      const [fast, shipped] = await Promise.all([runCfnGuard(directory, [stack], iamRules), runCfnGuard(directory, [stack], iamRules, asShipped)]);
      expect(listed(fast.findings), actions.join(' ')).toEqual(listed(shipped.findings));
      found += shipped.findings.length;
    }
    // The comparison is not between two empty lists: the wildcards above are found.
    expect(found).toBeGreaterThan(0);
  }, 120_000);

  it('keeps the Unicode class for a template with a non-ASCII string, whose wildcard only it finds', async () => {
    const stack = stackOf('non-ascii.template.json', policyTemplate(['café:*']));
    const result = await runCfnGuard(directory, [stack], [wildcardRule ?? '']);
    expect(result.findings.map((finding) => [finding.ruleId, finding.resource])).toEqual([['iam_inline_policy_no_statements_with_full_access_check', 'Policy']]);
    // What the ASCII spelling would have missed, had it been used on this template:
    const ascii = join(directory, 'ascii-ct-iam-pr-5.guard');
    writeFileSync(ascii, asciiWordClassRule(readFileSync(wildcardRule ?? '', 'utf8')) ?? '');
    expect((await runCfnGuard(directory, [stack], [ascii], asShipped)).findings).toEqual([]);
  });

  it('reports what the shipped files report over the product assembly', async () => {
    const assembly = await productAssembly();
    const stacks = readCloudAssembly(assembly);
    const [fast, shipped] = await Promise.all([runCfnGuard(assembly, stacks, rewritable), runCfnGuard(assembly, stacks, rewritable, asShipped)]);
    expect(listed(fast.findings)).toEqual(listed(shipped.findings));
  }, 420_000);
});
