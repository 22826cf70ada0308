import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { expandIamActions } from '@cloud-copilot/iam-expand';
import { KiroCdError, TransientError } from '../../../shared/errors.js';
import { parseValidationReport } from '../../domain/policy-gates/cdk-nag-findings.js';
import { guardAcknowledgementsOf, parseCfnGuardOutput, type GuardAcknowledgements } from '../../domain/policy-gates/cfn-guard-findings.js';
import { parseCfnLintOutput } from '../../domain/policy-gates/cfn-lint-findings.js';
import { guardRuleMayApply } from '../../domain/policy-gates/guard-rule-applicability.js';
import type { GateFinding, GateResult } from '../../domain/policy-gates/gate-finding.js';
import { readCloudAssembly, type AssemblyStack } from './cloud-assembly.js';
import { CFN_GUARD_BINARY, guardRuleFiles } from './policy-tools.js';
import { runProcess } from './run-process.js';

/** The file CDK writes the reports of its validation plugins (cdk-nag among them) to. */
export const VALIDATION_REPORT_FILE = 'validation-report.json';

/** cfn-lint exit status is a bit mask: 2 errors, 4 warnings, 8 informational; anything else is a crash. */
const CFN_LINT_FINDING_BITS = 2 | 4 | 8;
/** cfn-guard 3: 0 all rules pass or skip, 19 a rule failed; anything else (5: a rule file does not parse) is a crash. */
const CFN_GUARD_FAILED = 19;

/** cfn-lint over every template, in one run. */
export async function runCfnLint(assemblyDir: string, stacks: readonly AssemblyStack[]): Promise<GateResult> {
  if (stacks.length === 0) return { gate: 'cfn-lint', templatesChecked: 0, findings: [] };
  const result = await runProcess('cfn-lint', ['-f', 'json', '--', ...stacks.map((stack) => stack.templatePath)], {
    cwd: assemblyDir,
    installHint: 'Install it with "python3 -m pip install cfn-lint" (scripts/ensure-tools.sh does this for npm test).',
  });
  if ((result.exitCode & ~CFN_LINT_FINDING_BITS) !== 0) {
    throw new TransientError(`cfn-lint failed to run (exit ${result.exitCode}): ${result.stderr.trim().slice(0, 1000)}`, { exitCode: result.exitCode });
  }
  // AWS's own action list, to tell an action newer than cfn-lint's bundled list from a typo (W3037).
  const knownIamActions = new Set((await expandIamActions('*', { expandAsterisk: true })).map((action) => action.toLowerCase()));
  return { gate: 'cfn-lint', templatesChecked: stacks.length, findings: parseCfnLintOutput(result.stdout, resolve(assemblyDir), knownIamActions) };
}

/** The resource types of every template. */
function resourceTypesOf(stacks: readonly AssemblyStack[]): ReadonlySet<string> {
  const types = new Set<string>();
  for (const stack of stacks) {
    const template = JSON.parse(readFileSync(stack.templatePath, 'utf8')) as { Resources?: Record<string, { Type?: unknown }> };
    for (const resource of Object.values(template.Resources ?? {})) if (typeof resource.Type === 'string') types.add(resource.Type);
  }
  return types;
}

/**
 * The rule files that can report anything over `stacks`: a file that selects only resource types
 * none of the templates holds would SKIP every rule, which `-S none` does not report, so it is not
 * run (guard-rule-applicability.ts; about three quarters of the Control Tower files for this product).
 */
export function applicableGuardRules(stacks: readonly AssemblyStack[], rules: readonly string[]): readonly string[] {
  const present = resourceTypesOf(stacks);
  return rules.filter((rule) => guardRuleMayApply(readFileSync(rule, 'utf8'), present));
}

/** cfn-guard (Control Tower rules + infrastructure/policy) over every template, in one run. */
export async function runCfnGuard(
  assemblyDir: string,
  stacks: readonly AssemblyStack[],
  rules: readonly string[] = guardRuleFiles(),
  { onlyApplicableRules = true }: { readonly onlyApplicableRules?: boolean } = {},
): Promise<GateResult> {
  if (stacks.length === 0) return { gate: 'cfn-guard', templatesChecked: 0, findings: [] };
  const applicable = onlyApplicableRules ? applicableGuardRules(stacks, rules) : rules;
  if (applicable.length === 0) return { gate: 'cfn-guard', templatesChecked: stacks.length, findings: [] };
  const args = ['validate', ...stacks.flatMap((stack) => ['-d', stack.templatePath]), ...applicable.flatMap((rule) => ['-r', rule]), '-z', '-S', 'none', '-o', 'json'];
  const result = await runProcess(CFN_GUARD_BINARY, args, {
    cwd: assemblyDir,
    installHint: 'It ships in @cdklabs/cdk-validator-cfnguard (bin/ubuntu/x86_64); run "npm ci" on Linux x86-64.',
  });
  if (result.exitCode !== 0 && result.exitCode !== CFN_GUARD_FAILED) {
    throw new KiroCdError(`cfn-guard failed to run (exit ${result.exitCode}): ${result.stderr.trim().slice(0, 1000)}. A rule file that does not parse is the usual cause.`, {
      code: 'GATE_TOOL_FAILED',
      fault: 'internal',
      context: { exitCode: result.exitCode },
    });
  }
  const byPath = new Map(stacks.map((stack) => [resolve(stack.templatePath), stack]));
  const acknowledgements = new Map<string, GuardAcknowledgements>();
  const nameOf = (dataFile: string): string => byPath.get(resolve(assemblyDir, dataFile))?.templateName ?? relative(assemblyDir, dataFile);
  const acknowledgementsFor = (templateName: string): GuardAcknowledgements => {
    const cached = acknowledgements.get(templateName);
    if (cached !== undefined) return cached;
    const read = guardAcknowledgementsOf(JSON.parse(readFileSync(join(assemblyDir, templateName), 'utf8')));
    acknowledgements.set(templateName, read);
    return read;
  };
  return { gate: 'cfn-guard', templatesChecked: stacks.length, findings: parseCfnGuardOutput(result.stdout, nameOf, acknowledgementsFor) };
}

/**
 * The findings of the CDK validation plugins (cdk-nag, the built-in CloudFormation validator), read
 * from the report CDK wrote during synthesis. A missing report means no plugin ran, which must not
 * pass silently.
 */
export function readValidationPlugins(assemblyDir: string): readonly GateResult[] {
  const path = join(assemblyDir, VALIDATION_REPORT_FILE);
  if (!existsSync(path)) {
    throw new KiroCdError(
      `${path} is missing: cdk-nag did not run during synthesis. Call applyPolicyPlugins(app) in infrastructure/bin/app.ts and synthesize again.`,
      { code: 'GATE_REPORT_MISSING', fault: 'user', context: { path } },
    );
  }
  const findings = parseValidationReport(readFileSync(path, 'utf8'));
  const of = (gate: GateFinding['gate']): GateResult => ({ gate, templatesChecked: 0, findings: findings.filter((finding) => finding.gate === gate) });
  return [of('cdk-nag'), of('cdk-validation')];
}

/** Everything the gates saw in one cloud assembly. */
export interface GatesRun {
  readonly stacks: readonly AssemblyStack[];
  readonly results: readonly GateResult[];
}

/** Runs every gate over the cloud assembly in `assemblyDir` (cfn-lint and cfn-guard concurrently). */
export async function runAllGates(assemblyDir: string): Promise<GatesRun> {
  const stacks = readCloudAssembly(assemblyDir);
  const plugins = readValidationPlugins(assemblyDir);
  const [lint, guard] = await Promise.all([runCfnLint(assemblyDir, stacks), runCfnGuard(assemblyDir, stacks)]);
  return { stacks, results: [lint, guard, ...plugins] };
}
