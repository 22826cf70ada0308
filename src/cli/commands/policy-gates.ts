import { resolve } from 'node:path';
import { runAllGates, type GatesRun } from '../../pipeline/adapters/tools/run-gates.js';
import { blockingFindings, decideGates, formatFinding, GATE_NAMES } from '../../pipeline/domain/policy-gates/gate-finding.js';
import { formatBuildStageGates } from '../../pipeline/domain/build-gates/build-stage-gates.js';
import { ConfigurationError } from '../../shared/errors.js';
import { stringFlag } from '../build/report-files.js';
import { removeReportFile, writeReportFile } from '../build/write-report.js';
import { ExitCode, type Command } from '../command.js';
import type { Output } from '../output.js';

/** Prints one line per gate (findings, accepted) and every unaccepted finding. */
export function printGatesTable(run: GatesRun, out: Output): void {
  for (const gate of GATE_NAMES) {
    const result = run.results.find((candidate) => candidate.gate === gate);
    if (result === undefined) continue;
    const blocking = blockingFindings(result);
    const accepted = result.findings.length - blocking.length;
    out.info(`  ${gate.padEnd(15)} ${String(blocking.length).padStart(4)} finding(s)${accepted > 0 ? `, ${accepted} accepted` : ''}`);
  }
  const verdict = decideGates(run.results);
  if (verdict.kind === 'fail') {
    out.info('');
    for (const finding of verdict.blocking) out.info(`  ${formatFinding(finding)}`);
  }
}

const HELP = [
  'Usage: kiro-cd policy-gates [--assembly cdk.out] [--output table|json] [--report-file <path>]',
  '',
  'Runs every policy gate over every template of the synthesized cloud assembly (nested stage',
  'assemblies included): cfn-lint, cfn-guard with the AWS Control Tower rules and',
  'infrastructure/policy, and reads the cdk-nag findings CDK wrote to validation-report.json.',
  'Exits 1 when any finding is not accepted. docs/policy-gates.md says how to accept one.',
  '',
  'Options:',
  '  --assembly <dir>       the cloud assembly (default: cdk.out)',
  '  --output <format>      table (default) or json',
  '  --report-file <path>   also write the JSON of "--output json" ({ verdict, templates, results })',
  '                         to <path>, creating its directories, for "kiro-cd scan-report" and',
  '                         "kiro-cd publish-build-metrics --gates-report". An old file there is',
  '                         removed first, so a run that crashes leaves no stale report behind.',
].join('\n');

/** What the policy-gates command needs from outside; tests pass a fake run. */
export interface PolicyGatesCommandDeps {
  /** Runs every gate over the cloud assembly in the directory. */
  readonly runGates: (assemblyDir: string) => Promise<GatesRun>;
}

/** Builds `kiro-cd policy-gates` around its dependencies. */
export function createPolicyGatesCommand(deps: PolicyGatesCommandDeps): Command {
  return {
    name: 'policy-gates',
    summary: 'Run cfn-lint, cfn-guard (Control Tower + project rules) and cdk-nag over cdk.out',
    help: HELP,
    options: { assembly: { type: 'string' }, output: { type: 'string' }, 'report-file': { type: 'string' } },
    async run(context, values) {
      const output = values.output ?? 'table';
      if (output !== 'table' && output !== 'json') {
        throw new ConfigurationError(`--output must be "table" or "json", not "${String(output)}".`);
      }
      const reportFlag = stringFlag(values, 'report-file');
      const reportFile = reportFlag === undefined ? undefined : resolve(context.cwd, reportFlag);
      if (reportFile !== undefined) await removeReportFile('report-file', reportFile);
      const assembly = resolve(context.cwd, typeof values.assembly === 'string' ? values.assembly : 'cdk.out');
      const run = await deps.runGates(assembly);
      const verdict = decideGates(run.results);
      const report = { verdict: verdict.kind, templates: run.stacks.map((stack) => stack.templateName), results: run.results };
      if (output === 'json') {
        context.out.json(report);
      } else {
        context.out.info(`Policy gates over ${run.stacks.length} template(s) in ${assembly}:`);
        printGatesTable(run, context.out);
        context.out.info(verdict.kind === 'pass' ? '\nAll gates passed.' : `\n${verdict.blocking.length} unaccepted finding(s): see docs/policy-gates.md.`);
        // The gates over the code and its dependencies run in the Build action, beside these (docs/build-gates.md).
        context.out.info('\nBuild-stage gates, beside the template gates (run by the Build action; docs/build-gates.md):');
        for (const line of formatBuildStageGates([])) context.out.info(line);
      }
      if (reportFile !== undefined) await writeReportFile('report-file', reportFile, `${JSON.stringify(report, null, 2)}\n`);
      return verdict.kind === 'pass' ? ExitCode.Ok : ExitCode.Failed;
    },
  };
}

/** `kiro-cd policy-gates`: every policy gate over every template of a synthesized cloud assembly. */
export const policyGatesCommand: Command = createPolicyGatesCommand({ runGates: runAllGates });
