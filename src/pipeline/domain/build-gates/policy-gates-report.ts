import * as z from 'zod';
import { GATE_NAMES, type GateResult as PolicyGateResult } from '../policy-gates/gate-finding.js';
import type { ExternalFindingCount } from './build-metrics.js';
import { tryParseJson } from './gate-result.js';

/**
 * Reads the JSON of the policy gates (`kiro-cd policy-gates --report-file`, or `--output json`: cfn-lint,
 * cfn-guard, cdk-nag over the cloud assembly) back into their results, for the scan report and the
 * build metrics. One reader, so the two can never disagree on what the file says.
 */

/** The severities the policy gates report. */
export const POLICY_GATE_SEVERITIES = ['error', 'warning', 'info'] as const;

const policyGatesReportSchema = z.object({
  results: z.array(
    z.object({
      gate: z.enum(GATE_NAMES),
      templatesChecked: z.number(),
      findings: z.array(
        z.object({
          gate: z.enum(GATE_NAMES),
          ruleId: z.string(),
          severity: z.enum(POLICY_GATE_SEVERITIES),
          template: z.string().optional(),
          resource: z.string().optional(),
          message: z.string(),
          acceptedBecause: z.string().optional(),
        }),
      ),
    }),
  ),
});

/**
 * Reads the JSON that `kiro-cd policy-gates --output json` prints (or `--report-file` writes) back into the
 * gates' results; a string describing the problem when it is not that JSON.
 */
export function parsePolicyGatesReport(text: string): PolicyGateResult[] | string {
  const parsed = policyGatesReportSchema.safeParse(tryParseJson(text));
  if (!parsed.success) {
    return 'not the JSON that "kiro-cd policy-gates --report-file" writes and "kiro-cd policy-gates --output json" prints (expected { results: [{ gate, templatesChecked, findings: [{ gate, ruleId, severity, message }] }] })';
  }
  return parsed.data.results.map((result) => ({
    gate: result.gate,
    templatesChecked: result.templatesChecked,
    findings: result.findings.map((finding) => ({
      gate: finding.gate,
      ruleId: finding.ruleId,
      severity: finding.severity,
      message: finding.message,
      ...(finding.template === undefined ? {} : { template: finding.template }),
      ...(finding.resource === undefined ? {} : { resource: finding.resource }),
      ...(finding.acceptedBecause === undefined ? {} : { acceptedBecause: finding.acceptedBecause }),
    })),
  }));
}

/** Counts per gate and severity (zeros included); a string describing the problem when the report is not usable. */
export function countPolicyGateFindings(text: string): ExternalFindingCount[] | string {
  const results = parsePolicyGatesReport(text);
  if (typeof results === 'string') return results;
  return results.flatMap((result) =>
    POLICY_GATE_SEVERITIES.map((severity) => ({
      tool: result.gate,
      severity,
      count: result.findings.filter((finding) => finding.severity === severity && finding.acceptedBecause === undefined).length,
    })),
  );
}
