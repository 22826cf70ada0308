import { COVERAGE_MEASURES, type CoverageTotals } from './coverage.js';
import type { FindingSeverity, GateResult, GateTool } from './gate-result.js';
import type { TestCounts } from './junit.js';

/**
 * Turns the build stage's parsed results into CloudWatch metric data (namespace `KiroCD/Build`):
 * test counts, coverage per measure, and findings per tool and severity. Pure: the caller passes
 * the time, the adapter sends the data.
 */

/** The namespace of every build metric. */
export const BUILD_METRICS_NAMESPACE = 'KiroCD/Build';

/** One data point, independent of the SDK's types. */
export interface MetricDatum {
  readonly name: string;
  readonly value: number;
  readonly unit: 'Count' | 'Percent';
  /** Dimension name → value, such as `{ Pipeline: 'kiro-codebuild-worker', Tool: 'eslint', Severity: 'error' }`. */
  readonly dimensions: Readonly<Record<string, string>>;
  readonly timestamp: Date;
}

/** Findings counted by another tool (the policy gates: cfn-lint, cfn-guard, cdk-nag). */
export interface ExternalFindingCount {
  readonly tool: string;
  readonly severity: string;
  readonly count: number;
}

/** What the build produced; every part is optional, a missing part publishes nothing. */
export interface BuildResults {
  readonly pipeline: string;
  readonly at: Date;
  readonly tests?: TestCounts;
  readonly coverage?: CoverageTotals;
  /** Gate results whose findings are counted by severity (npm audit, ESLint). */
  readonly gates?: readonly GateResult[];
  /** Findings of the policy gates, already counted, with every severity the tool knows (zeros too). */
  readonly external?: readonly ExternalFindingCount[];
  /** Scanners whose report was missing or unreadable (the policy gates when the gates report is): ScanNotRun. */
  readonly scansNotRun?: readonly string[];
}

/**
 * The severities published for each tool, zeros included: a dashboard or alarm then sees "0 high"
 * rather than missing data, which CloudWatch cannot tell apart from "not reported".
 */
export const SEVERITIES_BY_TOOL: Readonly<Partial<Record<GateTool, readonly FindingSeverity[]>>> = {
  'npm-audit': ['critical', 'high', 'moderate', 'low', 'info'],
  eslint: ['error', 'warning'],
  secrets: ['error', 'warning', 'info'],
  licences: ['error', 'warning', 'info'],
};

/** Builds every datum for one build. */
export function buildMetricData(results: BuildResults): MetricDatum[] {
  const { pipeline, at } = results;
  const data: MetricDatum[] = [];
  const datum = (name: string, value: number, unit: MetricDatum['unit'], dimensions: Record<string, string>): void => {
    data.push({ name, value, unit, dimensions: { Pipeline: pipeline, ...dimensions }, timestamp: at });
  };

  if (results.tests !== undefined) {
    datum('TestsPassed', results.tests.passed, 'Count', {});
    datum('TestsFailed', results.tests.failed + results.tests.errors, 'Count', {});
    datum('TestsSkipped', results.tests.skipped, 'Count', {});
  }
  if (results.coverage !== undefined) {
    for (const measure of COVERAGE_MEASURES) {
      // "Unknown" (nothing measured) publishes 0: the gate blocks it, and a gap would hide that.
      datum('CoveragePct', results.coverage[measure].pct ?? 0, 'Percent', { Measure: measure });
    }
  }
  for (const gate of results.gates ?? []) {
    if (!gate.ran) {
      // A scan that did not run has no findings to count: publishing zeros would look clean.
      datum('ScanNotRun', 1, 'Count', { Tool: gate.tool });
      continue;
    }
    const severities = SEVERITIES_BY_TOOL[gate.tool] ?? [];
    for (const severity of severities) {
      const count = gate.findings.filter((finding) => finding.severity === severity && finding.acceptedBecause === undefined).length;
      datum('Findings', count, 'Count', { Tool: gate.tool, Severity: severity });
    }
  }
  for (const external of results.external ?? []) {
    datum('Findings', external.count, 'Count', { Tool: external.tool, Severity: external.severity });
  }
  for (const tool of results.scansNotRun ?? []) datum('ScanNotRun', 1, 'Count', { Tool: tool });
  return data;
}
