import * as z from 'zod';
import { tryParseJson, type GateResult, type GateTool } from './gate-result.js';

/**
 * A gate's decision saved as JSON (`kiro-cd gate <name> --report-file <path>`), for the commands
 * that record the build afterwards (scan-report, publish-build-metrics). Gates that run their tool
 * themselves (secrets, licences) leave no tool report to read again, and re-running the tool in
 * post_build would double the build's time; their saved decision is the report.
 */

const findingSchema = z.strictObject({
  severity: z.enum(['critical', 'high', 'moderate', 'low', 'info', 'error', 'warning']),
  id: z.string(),
  message: z.string(),
  location: z.string().optional(),
  blocking: z.boolean(),
  acceptedBecause: z.string().optional(),
  why: z.string(),
});

const resultSchema = z.strictObject({
  tool: z.enum(['npm-audit', 'coverage', 'eslint', 'tests', 'secrets', 'licences']),
  verdict: z.enum(['pass', 'block', 'not-run']),
  ran: z.boolean(),
  findings: z.array(findingSchema),
  summary: z.string(),
});

/** The text `--report-file` writes: the decision as it was printed with `--json`. */
export function gateResultFileText(result: GateResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

/** Reads a saved decision back; a string says why it cannot be used (cut off, another gate's, not one at all). */
export function parseGateResultFile(text: string, expected: GateTool): GateResult | string {
  const value = tryParseJson(text);
  if (value === undefined) return 'not JSON (cut off, or not written by kiro-cd gate --report-file)';
  const parsed = resultSchema.safeParse(value);
  if (!parsed.success) return 'not a saved gate decision (kiro-cd gate --report-file)';
  if (parsed.data.tool !== expected) return `the ${parsed.data.tool} gate's decision, not the ${expected} gate's`;
  return parsed.data;
}
