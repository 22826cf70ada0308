/**
 * One synthesis per test run of the app with staging in another region than the pipeline, shared by
 * the two files that read that app shape: the policy gates over it
 * (test/integration/gates/all-templates-cross-region.test.ts) and the artifact replication stack's
 * tests (test/unit/infrastructure/stacks/artifact-replication-stack.test.ts). Each built and
 * synthesized the whole app itself before: a whole-app build twice in every full run.
 *
 * The first file to ask synthesizes it in its own worker (once-per-run.ts, as the CLI bundle is
 * built), into the run's directory that the global set-up provides and removes; the
 * other waits for the marker. In a worker and not in the shared synthesis's child process, because
 * the coverage figures count only what runs in the workers: the replication stack and the pipeline's
 * cross-region branches run nowhere else. (A child process of its own also saved no CPU: it imports
 * aws-cdk-lib and the app again, docs/fast-feedback.md "CPU per file".)
 *
 * The app is built as testApp() builds apps (no built-in validation: the product's shared synthesis
 * is the suite's one; no Lambda bundled: no reader reads a bundle) with the policy plugins applied as
 * app.ts applies them, which the gates need and the replication tests read through.
 */
import { inject } from 'vitest';
import { environmentsConfig } from '../../infrastructure/lib/config/environments.js';
import { loadDeploymentConfig } from '../../infrastructure/lib/config/load-config.js';
import { buildKiroCdApp } from '../../infrastructure/lib/kiro-cd-app.js';
import { applyPolicyPlugins } from '../../infrastructure/lib/policy/apply-policy-plugins.js';
import { CROSS_REGION_STAGING, SYNTH_DONE_FILE, SYNTH_FAILED_FILE } from './shared-assembly-files.js';
import { buildOncePerRun } from './once-per-run.js';
import { testApp } from './test-app.js';

/** A whole-app synthesis without validation or bundling: ~6 s of CPU; minutes on a busy 2-core machine. */
const WAIT_LIMIT_MS = 300_000;

/** Synthesizes the cross-region app into `outdir`, in this process. */
export async function synthesizeCrossRegionApp(outdir: string): Promise<void> {
  const app = testApp({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
  buildKiroCdApp(app, loadDeploymentConfig({ ...environmentsConfig, environments: environmentsConfig.environments.map((environment) => (environment.name === 'staging' ? { ...environment, region: CROSS_REGION_STAGING } : environment)) }));
  await applyPolicyPlugins(app);
  app.synth();
}

/** The run's cross-region assembly directory, synthesized by the first file that asks (test side). Throws with the synthesis's error when it failed. */
export async function crossRegionAssembly(): Promise<string> {
  const directory = inject('crossRegionAssembly');
  await buildOncePerRun({ what: 'cross-region synthesis', directory, doneFile: SYNTH_DONE_FILE, failedFile: SYNTH_FAILED_FILE, waitLimitMs: WAIT_LIMIT_MS }, () => synthesizeCrossRegionApp(directory));
  return directory;
}

declare module 'vitest' {
  export interface ProvidedContext {
    crossRegionAssembly: string;
  }
}
