import type { LazyCommand } from '../command.js';

/**
 * Every `kiro-cd` subcommand, by name and summary; each lives in its own file in this folder, which
 * is imported only when that command runs. A command's module imports its AWS SDK clients and
 * adapters, and importing all of them made every `kiro-cd` process pay for every command
 * (docs/fast-feedback.md, "The CLI loads one command"). Add a new command here: the summary is the
 * one the command list prints, and test/unit/cli/command-registry.test.ts checks that each entry
 * loads the command of its name with the same summary.
 */
export const commands: readonly LazyCommand[] = [
  {
    name: 'detect-changes',
    summary: "Decide whether an environment's infrastructure deploys or is skipped (git diff + cdk diff).",
    load: async () => (await import('./detect-changes.js')).detectChangesCommand,
  },
  {
    name: 'pipeline-changed',
    summary: 'Decide whether self-mutation has anything to deploy (synthesized vs deployed pipeline templates).',
    load: async () => (await import('./pipeline-changed.js')).pipelineChangedCommand,
  },
  {
    name: 'gate',
    summary: 'Decide a build gate (audit, coverage, eslint, tests, licences, secrets) from its tool\'s report: 0 pass, 1 blocked.',
    load: async () => (await import('./gate.js')).gateCommand,
  },
  {
    name: 'policy-gates',
    summary: 'Run cfn-lint, cfn-guard (Control Tower + project rules) and cdk-nag over cdk.out',
    load: async () => (await import('./policy-gates.js')).policyGatesCommand,
  },
  {
    name: 'history',
    summary: 'List deployments from the deployment history (filter by environment, commit, time).',
    load: async () => (await import('./history.js')).historyCommand,
  },
  {
    name: 'publish-build-metrics',
    summary: 'Publish test, coverage and scan results to CloudWatch (KiroCD/Build); never fails the build.',
    load: async () => (await import('./publish-build-metrics.js')).publishBuildMetricsCommand,
  },
  {
    name: 'sbom',
    summary: 'Write CycloneDX SBOMs of the production dependencies and of each bundle; 1 when one cannot be produced.',
    load: async () => (await import('./sbom.js')).sbomCommand,
  },
  {
    name: 'scan-report',
    summary: 'Write npm audit, ESLint, secrets, licence and policy-gate findings as JUnit XML (report group security-scans); never fails the build.',
    load: async () => (await import('./scan-report.js')).scanReportCommand,
  },
  {
    name: 'status',
    summary: "Show each environment's release, pipeline stage state and health.",
    load: async () => (await import('./status.js')).statusCommand,
  },
  {
    name: 'dora',
    summary: 'Compute the four DORA measures from the deployment history.',
    load: async () => (await import('./dora.js')).doraCommand,
  },
  {
    name: 'plan',
    summary: 'Show what a commit range would deploy: changed stacks and skipped stages per environment.',
    load: async () => (await import('./plan.js')).planCommand,
  },
  {
    name: 'rollback',
    summary: 'Roll an environment back (dry run prints the plan); idempotent, the same path as the automatic rollback.',
    load: async () => (await import('./rollback.js')).rollbackCommand,
  },
  {
    name: 'approve',
    summary: 'Approve a release the health monitor paused for review (a warning alarm).',
    load: async () => (await import('./review.js')).approveCommand,
  },
  {
    name: 'reject',
    summary: 'Reject a release the health monitor paused for review (a warning alarm).',
    load: async () => (await import('./review.js')).rejectCommand,
  },
];
