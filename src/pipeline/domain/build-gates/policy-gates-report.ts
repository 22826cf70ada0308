import { z } from 'zod';
import type { ExternalFindingCount } from './build-metrics.js';
import { tryParseJson } from './gate-result.js';

/**
 * Reads the JSON that `kiro-cd gates --output json` prints (cfn-lint, cfn-guard, cdk-nag over the
 * cloud assembly) and counts its unaccepted findings per gate and severity, for the build metrics.
 */

/** The severities the policy gates report. */
export const POLICY_GATE_SEVERITIES = ['error', 'warning', 'info'] as const;

const reportSchema = z.object({
  results: z.array(
    z.object({
      gate: z.string(),
      findings: z.array(z.object({ severity: z.enum(POLICY_GATE_SEVERITIES), acceptedBecause: z.string().optional() })),
    }),
  ),
});

/** Counts per gate and severity (zeros included); a string describing the problem when the report is not usable. */
export function countPolicyGateFindings(text: string): ExternalFindingCount[] | string {
  const parsed = reportSchema.safeParse(tryParseJson(text));
  if (!parsed.success) return 'not the JSON of "kiro-cd gates --output json" (expected { results: [{ gate, findings: [{ severity }] }] })';
  return parsed.data.results.flatMap((result) =>
    POLICY_GATE_SEVERITIES.map((severity) => ({
      tool: result.gate,
      severity,
      count: result.findings.filter((finding) => finding.severity === severity && finding.acceptedBecause === undefined).length,
    })),
  );
}
