import type { GateResult } from '../../pipeline/domain/build-gates/gate-result.js';
import { ExitCode, type ExitCodeValue } from '../command.js';
import type { Output } from '../output.js';

/**
 * Prints a gate's result for the build log: the verdict, the summary, then every finding with why
 * it blocks or does not. Blocking findings come first so the reason for a red build is on top.
 */
export function printGateResult(out: Output, result: GateResult): void {
  const ordered = [...result.findings.filter((finding) => finding.blocking), ...result.findings.filter((finding) => !finding.blocking)];
  // Every summary starts with its verdict (passed / BLOCKED / NOT RUN), so it is printed as is.
  const lines = [`[${result.tool}] ${result.summary}`];
  for (const finding of ordered) {
    const where = finding.location === undefined ? '' : ` at ${finding.location}`;
    lines.push(`  ${finding.blocking ? '✗ blocks' : '- reported'} ${finding.severity} ${finding.id}${where}: ${finding.message}`);
    lines.push(`      ${finding.why}`);
  }
  if (result.verdict === 'pass') out.info(lines.join('\n'));
  else out.error(lines.join('\n'));
}

/**
 * The exit code of a gate: 0 pass, 1 blocked, 3 not run. "Not run" shares the code of a transient
 * failure ("a tool that could not run; retrying may help"): it is never 0, so nothing mistakes it
 * for a pass, and never 1, so a local caller can tell it from a real finding.
 */
export function gateExitCode(result: GateResult): ExitCodeValue {
  if (result.verdict === 'pass') return ExitCode.Ok;
  if (result.verdict === 'block') return ExitCode.Failed;
  return ExitCode.Transient;
}
