/**
 * The one place the Build action's measured command times live. The release-duration model
 * (release-duration.ts) derives the Build from them, and docs/pipeline.md shows them in a table a
 * test keeps equal to this constant, so a better measurement (for instance `npm run bench` after
 * the test suite got faster) is entered here once and reaches the model and the documentation.
 *
 * Pure: data only (lint-enforced boundary).
 */

/** Seconds per command of the Build action. */
export interface BuildCommandSeconds {
  readonly npmCi: number;
  /** `npm run typecheck`. */
  readonly typecheck: number;
  /** Type-aware ESLint over the repository. */
  readonly lint: number;
  /** `vitest run --coverage`. */
  readonly vitest: number;
  /** `cdk synth`. */
  readonly synth: number;
  /** `kiro-cd policy-gates` over the assembly (cfn-lint, cfn-guard, cdk-nag). */
  readonly policyGates: number;
  /** `kiro-cd pipeline-changed`: one GetTemplate per stack self-mutation deploys. */
  readonly pipelineChangedCheck: number;
  /** `bundle-detection.ts`: esbuild of detect-changes and the copy of the CDK CLI (the Detect actions' tool artifact). */
  readonly detectionBundle: number;
}

/** A measurement of the Build's commands and the conditions it was taken under. */
export interface BuildMeasurement {
  /** Machine and load: the same command on the same machine is what to compare with. */
  readonly conditions: string;
  readonly commandSeconds: BuildCommandSeconds;
  /** Commands measured under other conditions than the rest, and which. */
  readonly notes: readonly string[];
}

/** What the Build's commands took when last measured (docs/pipeline.md, "Timeouts (TR-8) and expected durations"). */
export const BUILD_MEASUREMENT: BuildMeasurement = {
  conditions:
    'an idle 2-core machine of the CI kind (AMD EPYC, 23.5 GiB, Node 20.20, load average 1.5–3.5), 2026-12-08, each command run on its own, one after the other, as the Build runs them: npmCi (in a fresh clone) and vitest (Vitest\'s caches cleared) at e8fb4da, the others on a fresh clone of 60adb5f',
  commandSeconds: { npmCi: 33, typecheck: 19, lint: 39, vitest: 89, synth: 10, policyGates: 7, pipelineChangedCheck: 3, detectionBundle: 1 },
  notes: [
    'npmCi: the install phase\'s `npm ci --ignore-scripts` and `npm rebuild esbuild`, two runs with npm\'s cache already filled (31.9 and 32.7 s; 72.8 and 75.1 s at 60adb5f, when `npm ci` still compiled libxmljs2 with node-gyp); CodeBuild starts without that cache, which the model counts apart (coldCacheMinutes)',
    'vitest: `npx vitest run --coverage` alone (204 files, Vitest\'s cache of file durations cleared), one run: 88.8 s; in `npm test` it shares the two cores with the static checks',
    'pipelineChangedCheck: ~3 s for one GetTemplate per stack; its AWS calls have not been timed in a pipeline run',
  ],
};

/** The measurement as the Markdown table docs/pipeline.md shows (one row per command, then the conditions). */
export function formatBuildMeasurement(measurement: BuildMeasurement = BUILD_MEASUREMENT): string {
  const rows = Object.entries(measurement.commandSeconds).map(([command, seconds]) => `| ${command} | ${String(seconds)} |`);
  return ['| Build command | Seconds |', '| --- | --- |', ...rows, '', `Measured on ${measurement.conditions}.`, ...measurement.notes.map((note) => `- ${note}`)].join('\n');
}
