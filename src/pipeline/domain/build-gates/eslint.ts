import * as z from 'zod';
import { tryParseJson, unreadableReport, type GateFinding, type GateResult } from './gate-result.js';

/**
 * The ESLint gate. Input: the output of `eslint -f json` (an array with one entry per file).
 * Any error blocks, a parse error (`fatal`) included; warnings are reported.
 */

const messageSchema = z.object({
  ruleId: z.string().nullable().optional(),
  severity: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  message: z.string(),
  line: z.number().optional(),
  column: z.number().optional(),
  fatal: z.boolean().optional(),
});

const reportSchema = z.array(
  z.object({
    filePath: z.string(),
    messages: z.array(messageSchema),
    errorCount: z.number(),
    warningCount: z.number(),
  }),
);

/** One file's results, as ESLint's JSON formatter writes them. */
export type EslintFileResult = z.infer<typeof reportSchema>[number];

/** Parses ESLint's JSON output; a string describing the problem when it has not the expected shape. */
export function parseEslintReport(text: string): readonly EslintFileResult[] | string {
  const value = tryParseJson(text);
  if (value === undefined) return 'ESLint output is not JSON (was it run with "-f json"?)';
  const parsed = reportSchema.safeParse(value);
  if (!parsed.success) return 'ESLint output is not the JSON formatter\'s array of file results';
  return parsed.data;
}

function relative(filePath: string, root: string | undefined): string {
  if (root === undefined || !filePath.startsWith(root)) return filePath;
  return filePath.slice(root.length).replace(/^[\\/]+/, '');
}

/** Decides the ESLint gate. `root` shortens file paths in the findings (the repository root). */
export function decideEslint(report: readonly EslintFileResult[] | string, root?: string): GateResult {
  if (typeof report === 'string') return unreadableReport('eslint', report);
  const findings: GateFinding[] = [];
  for (const file of report) {
    for (const message of file.messages) {
      if (message.severity === 0) continue;
      const error = message.severity === 2;
      const rule = message.ruleId ?? (message.fatal === true ? 'parse-error' : 'eslint');
      findings.push({
        severity: error ? 'error' : 'warning',
        id: rule,
        message: message.message,
        location: `${relative(file.filePath, root)}:${String(message.line ?? 0)}:${String(message.column ?? 0)}`,
        blocking: error,
        why: error
          ? message.fatal === true
            ? 'The file cannot be parsed, so it cannot be linted or built: fix the syntax.'
            : `ESLint errors block the build: fix it or, if the rule is wrong here, disable it on that line with a reason.`
          : 'Warnings are reported, not blocking.',
      });
    }
  }
  const errors = findings.filter((finding) => finding.blocking).length;
  const warnings = findings.length - errors;
  const tally = `${String(errors)} errors, ${String(warnings)} warnings in ${String(report.length)} files`;
  return {
    tool: 'eslint',
    verdict: errors > 0 ? 'block' : 'pass',
    ran: true,
    findings,
    summary: errors > 0 ? `BLOCKED: ${tally}` : `passed: ${tally}`,
  };
}
