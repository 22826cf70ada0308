import { resolve } from 'node:path';
import { runAllGates, type GatesRun } from '../../pipeline/adapters/tools/run-gates.js';
import { blockingFindings, decideGates, formatFinding, GATE_NAMES } from '../../pipeline/domain/gates/gate-finding.js';
import { ConfigurationError } from '../../shared/errors.js';
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

/** `kiro-cd gates`: every policy gate over every template of a synthesized cloud assembly. */
export const gatesCommand: Command = {
  name: 'gates',
  summary: 'Run cfn-lint, cfn-guard (Control Tower + project rules) and cdk-nag over cdk.out',
  help: [
    'Usage: kiro-cd gates [--assembly cdk.out] [--output table|json]',
    '',
    'Runs every policy gate over every template of the synthesized cloud assembly (nested stage',
    'assemblies included): cfn-lint, cfn-guard with the AWS Control Tower rules and',
    'infrastructure/policy, and reads the cdk-nag findings CDK wrote to validation-report.json.',
    'Exits 1 when any finding is not accepted. docs/policy-gates.md says how to accept one.',
    '',
    'Options:',
    '  --assembly <dir>   the cloud assembly (default: cdk.out)',
    '  --output <format>  table (default) or json',
  ].join('\n'),
  options: { assembly: { type: 'string' }, output: { type: 'string' } },
  async run(context, values) {
    const output = values.output ?? 'table';
    if (output !== 'table' && output !== 'json') {
      throw new ConfigurationError(`--output must be "table" or "json", not "${String(output)}".`);
    }
    const assembly = resolve(context.cwd, typeof values.assembly === 'string' ? values.assembly : 'cdk.out');
    const run = await runAllGates(assembly);
    const verdict = decideGates(run.results);
    if (output === 'json') {
      context.out.json({ verdict: verdict.kind, templates: run.stacks.map((stack) => stack.templateName), results: run.results });
    } else {
      context.out.info(`Policy gates over ${run.stacks.length} template(s) in ${assembly}:`);
      printGatesTable(run, context.out);
      context.out.info(verdict.kind === 'pass' ? '\nAll gates passed.' : `\n${verdict.blocking.length} unaccepted finding(s): see docs/policy-gates.md.`);
    }
    return verdict.kind === 'pass' ? ExitCode.Ok : ExitCode.Failed;
  },
};
