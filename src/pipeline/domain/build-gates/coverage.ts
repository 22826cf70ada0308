import { isRecord, tryParseJson, unreadableReport, type GateFinding, type GateResult } from './gate-result.js';

/**
 * The coverage gate. Input: `coverage/coverage-summary.json`, written by the istanbul `json-summary`
 * reporter (Vitest's v8 provider uses it). Blocks when any of lines, branches, functions or statements
 * is under the threshold.
 */

/** The four measures the gate checks (US-2: at least 80 % each). */
export const COVERAGE_MEASURES = ['lines', 'branches', 'functions', 'statements'] as const;
export type CoverageMeasure = (typeof COVERAGE_MEASURES)[number];

/** One measure of the total: istanbul writes `pct: "Unknown"` when nothing was measured. */
export interface MeasureCoverage {
  readonly total: number;
  readonly covered: number;
  /** Percentage, or undefined when nothing was measured (`total` is 0). */
  readonly pct: number | undefined;
}

/** The `total` entry of the summary. */
export type CoverageTotals = Readonly<Record<CoverageMeasure, MeasureCoverage>>;

/** Parses the summary's totals; a string describing the problem when it has not the expected shape. */
export function parseCoverageSummary(text: string): CoverageTotals | string {
  const value = tryParseJson(text);
  if (!isRecord(value)) return 'coverage summary is not a JSON object (was the json-summary reporter enabled?)';
  const total = value.total;
  if (!isRecord(total)) return 'coverage summary has no "total" entry';
  const entries: [CoverageMeasure, MeasureCoverage][] = [];
  for (const measure of COVERAGE_MEASURES) {
    const entry = total[measure];
    if (!isRecord(entry) || typeof entry.total !== 'number' || typeof entry.covered !== 'number') {
      return `coverage summary has no usable "total.${measure}" entry`;
    }
    const pct = typeof entry.pct === 'number' ? entry.pct : undefined;
    if (pct === undefined && entry.total !== 0) return `coverage summary has "total.${measure}.pct" that is not a number`;
    entries.push([measure, { total: entry.total, covered: entry.covered, pct }]);
  }
  return Object.fromEntries(entries) as Record<CoverageMeasure, MeasureCoverage>;
}

/** Decides the coverage gate for a threshold in percent (0-100). */
export function decideCoverage(totals: CoverageTotals | string, threshold: number): GateResult {
  if (typeof totals === 'string') return unreadableReport('coverage', totals);
  const findings: GateFinding[] = [];
  for (const measure of COVERAGE_MEASURES) {
    const { pct, covered, total } = totals[measure];
    if (pct === undefined) {
      findings.push({
        severity: 'error',
        id: measure,
        message: `${measure}: nothing was measured (0 of 0)`,
        blocking: true,
        why: 'No code was measured, so coverage cannot show the code is tested: check the coverage "include" patterns.',
      });
    } else if (pct < threshold) {
      findings.push({
        severity: 'error',
        id: measure,
        message: `${measure} coverage ${String(pct)} % (${String(covered)}/${String(total)}) is under ${String(threshold)} %`,
        blocking: true,
        why: `Every measure must reach ${String(threshold)} %: add tests for the uncovered ${measure}.`,
      });
    }
  }
  const line = COVERAGE_MEASURES.map((measure) => `${measure} ${totals[measure].pct === undefined ? 'n/a' : `${String(totals[measure].pct)} %`}`).join(', ');
  const failing = findings.map((finding) => finding.id);
  return {
    tool: 'coverage',
    verdict: findings.length > 0 ? 'block' : 'pass',
    ran: true,
    findings,
    summary: failing.length > 0 ? `BLOCKED: ${failing.join(', ')} under ${String(threshold)} % (${line})` : `passed: ${line} (threshold ${String(threshold)} %)`,
  };
}
