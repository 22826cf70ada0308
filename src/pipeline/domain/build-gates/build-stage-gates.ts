import type { GateResult } from './gate-result.js';

/**
 * The gates of the Build stage that judge the code and its dependencies (docs/build-gates.md), next
 * to the policy gates that judge the templates: what each checks, the command the Build action runs,
 * and how a false positive is accepted. `kiro-cd policy-gates` and `npm start` print this list, with
 * the results of the gates they ran themselves.
 */

/** One build-stage gate. */
export interface BuildStageGate {
  /** The name `kiro-cd gate <name>` (or the command) knows it by. */
  readonly name: 'secrets' | 'licences' | 'sbom' | 'sast';
  /** The tool's finding kind in GateResult, when the gate produces one. */
  readonly tool?: GateResult['tool'];
  /** What it checks and what blocks, in one line. */
  readonly checks: string;
  /** The command the Build action runs. */
  readonly command: string;
  /** How a false positive is accepted (every acceptance has a reason; allowlist entries expire). */
  readonly falsePositive: string;
}

/** The supply-chain and static-analysis gates of the Build stage (issue 18), in the order the Build action runs them. */
export const BUILD_STAGE_GATES: readonly BuildStageGate[] = [
  {
    name: 'secrets',
    tool: 'secrets',
    checks: 'secretlint (recommended preset) over every tracked file and every file version of the commit range since production\'s commit; any finding blocks',
    command: 'kiro-cd gate secrets --since-deployed production',
    falsePositive: '.secrets-allowlist.json entry: path (+ rule), reason, expires',
  },
  {
    name: 'sast',
    tool: 'eslint',
    checks: 'eslint-plugin-security high-confidence rules as ESLint errors; an error blocks through gate eslint',
    command: 'kiro-cd gate eslint --input reports/eslint.json',
    falsePositive: 'eslint-disable-next-line <rule> -- <why> on that one line',
  },
  {
    name: 'licences',
    tool: 'licences',
    checks: 'production dependencies and every bundled package against licence-policy.json; a dev-only package in a bundle blocks',
    command: 'kiro-cd gate licences',
    falsePositive: 'licence-policy.json entry: package, licence, reason, expires',
  },
  {
    name: 'sbom',
    checks: 'CycloneDX SBOMs of the production dependencies and of each bundle, kept with the release; no SBOM, no release',
    command: 'kiro-cd sbom --output-dir cdk.out/sbom',
    falsePositive: 'none: nothing to accept, it fails only when it cannot be written',
  },
];

/**
 * The list as printed lines: one per gate with, when `results` holds its decision (the gates this
 * run executed), the summary, else where it runs. Pure.
 */
export function formatBuildStageGates(results: readonly GateResult[]): string[] {
  const width = Math.max(...BUILD_STAGE_GATES.map((gate) => gate.name.length));
  return BUILD_STAGE_GATES.flatMap((gate) => {
    const result = gate.tool === undefined ? undefined : results.find((candidate) => candidate.tool === gate.tool);
    const status = result === undefined ? `in the Build action: ${gate.command}` : result.summary;
    return [`  ${gate.name.padEnd(width)}  ${status}`, `  ${' '.repeat(width)}  checks: ${gate.checks}; false positive: ${gate.falsePositive}`];
  });
}
