import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { KiroCdError, TransientError } from '../../../shared/errors.js';
import { parseValidationReport } from '../../domain/policy-gates/cdk-nag-findings.js';
import { guardAcknowledgementsOf, parseCfnGuardOutput, type GuardAcknowledgements } from '../../domain/policy-gates/cfn-guard-findings.js';
import { iamServicesToJudge, parseCfnLintOutput, type TemplatePath } from '../../domain/policy-gates/cfn-lint-findings.js';
import { groupByDeploymentRegion, type RegionGroup } from '../../domain/policy-gates/deployment-region.js';
import { asciiWordClassRule, isAsciiOnly } from '../../domain/policy-gates/guard-ascii-word-class.js';
import { guardRuleMayApply } from '../../domain/policy-gates/guard-rule-applicability.js';
import type { GateFinding, GateResult } from '../../domain/policy-gates/gate-finding.js';
import { readCloudAssembly, type AssemblyStack } from './cloud-assembly.js';
import { knownIamActionsOf } from './known-iam-actions.js';
import { CFN_GUARD_BINARY, guardRuleFiles } from './policy-tools.js';
import { runProcess, type ProcessResult } from './run-process.js';

/** The file CDK writes the reports of its validation plugins (cdk-nag among them) to. */
export const VALIDATION_REPORT_FILE = 'validation-report.json';

/** cfn-lint exit status is a bit mask: 2 errors, 4 warnings, 8 informational; anything else is a crash. */
const CFN_LINT_FINDING_BITS = 2 | 4 | 8;
/** cfn-guard 3: 0 all rules pass or skip, 19 a rule failed; anything else (5: a rule file does not parse) is a crash. */
const CFN_GUARD_FAILED = 19;

/**
 * Runs cfn-lint with `args` (everything after the command name) in `cwd`: its exit status and what
 * it printed. The gate needs nothing else from it, so a caller that lints many times may run it some
 * cheaper way that prints the same (test/support/cfn-lint-server.ts: forks of one Python process that
 * imported cfn-lint once, instead of a Python start a run).
 */
export type CfnLintRunner = (args: readonly string[], cwd: string) => Promise<ProcessResult>;

/** cfn-lint as a process of its own, from the PATH: what the CLI, `npm start` and the pipeline use. */
export const spawnCfnLint: CfnLintRunner = (args, cwd) =>
  runProcess('cfn-lint', args, {
    cwd,
    installHint: 'Install it with "python3 -m pip install cfn-lint" (scripts/ensure-tools.sh does this for npm test).',
  });

/**
 * cfn-lint over every template, each against the resource specification of the region its stack
 * deploys to (`--regions`, from the manifest's environment; an environment-agnostic stack gets
 * cfn-lint's default, the region the deploying CLI would use): one run a region, the runs side by
 * side, findings in the order of the stacks.
 */
export async function runCfnLint(assemblyDir: string, stacks: readonly AssemblyStack[], runLint: CfnLintRunner = spawnCfnLint): Promise<GateResult> {
  if (stacks.length === 0) return { gate: 'cfn-lint', templatesChecked: 0, findings: [] };
  const outputs = await Promise.all(groupByDeploymentRegion(stacks).map((group) => runCfnLintOnce(assemblyDir, group, runLint)));
  // A template is read only when a W3037 finding points into it, to learn the services it names.
  const templates = new Map<string, unknown>();
  const valueAt = (filename: string, path: TemplatePath): unknown => {
    const file = resolve(assemblyDir, filename);
    if (!templates.has(file)) templates.set(file, JSON.parse(readFileSync(file, 'utf8')));
    return path.reduce<unknown>((value, key) => (typeof value === 'object' && value !== null ? (value as Record<string | number, unknown>)[key] : undefined), templates.get(file));
  };
  const needed = outputs.map((stdout) => iamServicesToJudge(stdout, valueAt));
  const knownIamActions = await knownIamActionsOf(needed.includes(undefined) ? undefined : new Set(needed.flatMap((services) => [...(services ?? [])])));
  const findings = outputs.flatMap((stdout) => parseCfnLintOutput(stdout, resolve(assemblyDir), knownIamActions));
  return { gate: 'cfn-lint', templatesChecked: stacks.length, findings: inStackOrder(stacks, findings) };
}

/** One cfn-lint run over the templates of one region; its JSON output. */
async function runCfnLintOnce(assemblyDir: string, group: RegionGroup<AssemblyStack>, runLint: CfnLintRunner): Promise<string> {
  const regions = group.region === undefined ? [] : ['--regions', group.region];
  const result = await runLint(['-f', 'json', ...regions, '--', ...group.members.map((stack) => stack.templatePath)], assemblyDir);
  if ((result.exitCode & ~CFN_LINT_FINDING_BITS) !== 0) {
    throw new TransientError(`cfn-lint failed to run (exit ${result.exitCode}): ${result.stderr.trim().slice(0, 1000)}`, { exitCode: result.exitCode });
  }
  return result.stdout;
}

/** Findings grouped by template, in the order of `stacks`, each template's in the order found; any other template's after them. */
function inStackOrder(stacks: readonly AssemblyStack[], findings: readonly GateFinding[]): GateFinding[] {
  const byTemplate = new Map<string, GateFinding[]>();
  for (const finding of findings) byTemplate.set(finding.template ?? '', [...(byTemplate.get(finding.template ?? '') ?? []), finding]);
  const names = [...stacks.map((stack) => stack.templateName), ...byTemplate.keys()];
  return [...new Set(names)].flatMap((name) => byTemplate.get(name) ?? []);
}

/** One template as cfn-guard's selection needs it, read and parsed once. */
interface GuardTemplate {
  readonly stack: AssemblyStack;
  readonly types: ReadonlySet<string>;
  readonly asciiOnly: boolean;
  readonly acknowledgements: GuardAcknowledgements;
}

function readGuardTemplate(stack: AssemblyStack): GuardTemplate {
  const template = JSON.parse(readFileSync(stack.templatePath, 'utf8')) as { Resources?: Record<string, { Type?: unknown }> };
  const types = new Set<string>();
  for (const resource of Object.values(template.Resources ?? {})) if (typeof resource.Type === 'string') types.add(resource.Type);
  return { stack, types, asciiOnly: isAsciiOnly(template), acknowledgements: guardAcknowledgementsOf(template) };
}

/**
 * The rule files that can report anything over `stacks`: a file that selects only resource types
 * none of the templates holds would SKIP every rule, which `-S none` does not report, so it is not
 * run (guard-rule-applicability.ts; about three quarters of the Control Tower files for this product).
 */
export function applicableGuardRules(stacks: readonly AssemblyStack[], rules: readonly string[]): readonly string[] {
  const present = new Set(stacks.flatMap((stack) => [...readGuardTemplate(stack).types]));
  return rules.filter((rule) => guardRuleMayApply(readFileSync(rule, 'utf8'), present));
}

/** How runCfnGuard may cut cfn-guard's work; each option leaves the findings as they are. */
export interface CfnGuardOptions {
  /**
   * Run on each template only the rule files that may apply to its resource types
   * (guard-rule-applicability.ts), templates that need the same files in one cfn-guard run.
   * @default true
   */
  readonly onlyApplicableRules?: boolean;
  /**
   * Over templates whose every key and string is ASCII, run the rule files with `\w` spelled in
   * ASCII (guard-ascii-word-class.ts): the same findings, without the Unicode class cfn-guard
   * compiles at every comparison. @default true
   */
  readonly asciiWordClasses?: boolean;
}

/**
 * cfn-guard (Control Tower rules + infrastructure/policy) over every template. With the default
 * options each template meets only the rule files that may apply to it, so templates are grouped by
 * that set of files, one cfn-guard run a group; with both options off it is one run of every file
 * over every template (the way the faster one is checked against, guard-rule-selection.test.ts).
 */
export async function runCfnGuard(
  assemblyDir: string,
  stacks: readonly AssemblyStack[],
  rules: readonly string[] = guardRuleFiles(),
  { onlyApplicableRules = true, asciiWordClasses = true }: CfnGuardOptions = {},
): Promise<GateResult> {
  if (stacks.length === 0) return { gate: 'cfn-guard', templatesChecked: 0, findings: [] };
  const templates = stacks.map(readGuardTemplate);
  const ruleTexts = new Map(rules.map((rule) => [rule, readFileSync(rule, 'utf8')]));
  const scratch = mkdtempSync(join(tmpdir(), 'kiro-guard-rules-'));
  try {
    const asciiRules = new Map<string, string>();
    const asciiRuleOf = (rule: string): string => {
      const known = asciiRules.get(rule);
      if (known !== undefined) return known;
      const rewritten = asciiWordClassRule(ruleTexts.get(rule) ?? '');
      let path = rule;
      if (rewritten !== undefined) {
        path = join(scratch, `${asciiRules.size}-${basename(rule)}`);
        writeFileSync(path, rewritten);
      }
      asciiRules.set(rule, path);
      return path;
    };
    const groups = new Map<string, { readonly rules: readonly string[]; readonly templates: GuardTemplate[] }>();
    for (const template of templates) {
      const applicable = onlyApplicableRules ? rules.filter((rule) => guardRuleMayApply(ruleTexts.get(rule) ?? '', template.types)) : rules;
      if (applicable.length === 0) continue;
      const runRules = asciiWordClasses && template.asciiOnly ? applicable.map(asciiRuleOf) : applicable;
      const key = runRules.join('\n');
      const group = groups.get(key) ?? { rules: runRules, templates: [] };
      group.templates.push(template);
      groups.set(key, group);
    }
    // Every run is awaited before the rewritten rule files are removed, even when one of them fails.
    const settled = await Promise.allSettled([...groups.values()].map((group) => runCfnGuardOnce(assemblyDir, group.templates, group.rules)));
    const outputs = settled.map((outcome) => {
      if (outcome.status === 'rejected') throw outcome.reason;
      return outcome.value;
    });
    return { gate: 'cfn-guard', templatesChecked: stacks.length, findings: inStackOrder(stacks, outputs.flat()) };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** One cfn-guard run of `rules` over `templates`. */
async function runCfnGuardOnce(assemblyDir: string, templates: readonly GuardTemplate[], rules: readonly string[]): Promise<readonly GateFinding[]> {
  const args = ['validate', ...templates.flatMap((template) => ['-d', template.stack.templatePath]), ...rules.flatMap((rule) => ['-r', rule]), '-z', '-S', 'none', '-o', 'json'];
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
  const byPath = new Map(templates.map((template) => [resolve(template.stack.templatePath), template]));
  const byName = new Map(templates.map((template) => [template.stack.templateName, template]));
  const nameOf = (dataFile: string): string => byPath.get(resolve(assemblyDir, dataFile))?.stack.templateName ?? relative(assemblyDir, dataFile);
  const acknowledgementsFor = (templateName: string): GuardAcknowledgements => byName.get(templateName)?.acknowledgements ?? new Map();
  return parseCfnGuardOutput(result.stdout, nameOf, acknowledgementsFor);
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

/** How runAllGates runs its tools. */
export interface GateTools {
  /** How cfn-lint is run. @default spawnCfnLint */
  readonly cfnLint?: CfnLintRunner;
}

/** Runs every gate over the cloud assembly in `assemblyDir` (cfn-lint and cfn-guard concurrently). */
export async function runAllGates(assemblyDir: string, { cfnLint = spawnCfnLint }: GateTools = {}): Promise<GatesRun> {
  const stacks = readCloudAssembly(assemblyDir);
  const plugins = readValidationPlugins(assemblyDir);
  const [lint, guard] = await Promise.all([runCfnLint(assemblyDir, stacks, cfnLint), runCfnGuard(assemblyDir, stacks)]);
  return { stacks, results: [lint, guard, ...plugins] };
}
