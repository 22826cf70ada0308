/**
 * The common shape of every build-stage gate decision (npm audit, coverage, ESLint, tests).
 * Pure types and helpers: the CLI prints these and maps the verdict to an exit code.
 */

/** The build-stage tools whose output a gate judges. */
export type GateTool = 'npm-audit' | 'coverage' | 'eslint' | 'tests' | 'secrets' | 'licences';

/**
 * - `pass`: the tool ran and nothing blocks.
 * - `block`: the tool ran (or failed in a way that must stop the deployment) and something blocks.
 * - `not-run`: the tool could not produce a verdict for a reason outside the project and the mode
 *   allows that (npm audit, locally, when the advisory service is unreachable): never a pass.
 */
export type GateVerdict = 'pass' | 'block' | 'not-run';

/**
 * Severity of one finding, in the tool's own vocabulary: npm audit's (`critical` ... `info`),
 * ESLint's (`error`, `warning`); coverage and test findings are `error` when they block.
 */
export type FindingSeverity = 'critical' | 'high' | 'moderate' | 'low' | 'info' | 'error' | 'warning';

/** One thing a gate found. */
export interface GateFinding {
  readonly severity: FindingSeverity;
  /** Stable identifier: an advisory id, a rule id, a measure, a test name. */
  readonly id: string;
  /** What was found, in one line. */
  readonly message: string;
  /** Where: a package, a file and line, a test suite. */
  readonly location?: string;
  readonly blocking: boolean;
  /** Set when an allowlist accepts the finding: the entry's reason. Accepted findings never block and are not counted in metrics. */
  readonly acceptedBecause?: string;
  /** Why it blocks (for blocking findings) or why it does not (allowlisted, below the threshold). */
  readonly why: string;
}

/** The decision of one gate. */
export interface GateResult {
  readonly tool: GateTool;
  readonly verdict: GateVerdict;
  /** False when the tool produced no usable report (it crashed, or could not reach a service): nothing was checked. */
  readonly ran: boolean;
  readonly findings: readonly GateFinding[];
  /** One line for the build log, starting with the verdict: "passed: ...", "BLOCKED: ...", "NOT RUN: ...". */
  readonly summary: string;
}

/** Builds a `block` result for a report that cannot be read: a missing or broken report never passes. */
export function unreadableReport(tool: GateTool, problem: string): GateResult {
  return {
    tool,
    verdict: 'block',
    ran: false,
    findings: [
      {
        severity: 'error',
        id: 'report-unreadable',
        message: problem,
        blocking: true,
        why: 'Without a readable report the gate cannot show that the build is safe, so it fails closed.',
      },
    ],
    summary: `BLOCKED: the ${tool} report could not be read: ${problem}`,
  };
}

/** Parses JSON without throwing: `undefined` when the text is not JSON. */
export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Narrow helper for untyped JSON objects. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
