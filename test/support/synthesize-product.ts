/**
 * The shared syntheses' process (shared-assembly.ts): `tsx test/support/synthesize-product.ts
 * <product dir> <cross-region dir>`. It synthesizes each variant whose directory holds a request
 * (SYNTH_REQUESTED), the product first, writes `<dir>/SYNTH_DONE` when that assembly is complete (or
 * SYNTH_FAILED with the error), and then waits for further requests until the global set-up stops it
 * at the end of the run: aws-cdk-lib and the app's code are imported once for every variant.
 *
 * - `product`: exactly as infrastructure/bin/app.ts does — buildKiroCdApp with the repository's
 *   configuration, CDK's built-in CloudFormation validation on, the policy plugins (cdk-nag, the
 *   wildcard-action expansion) registered by applyPolicyPlugins — with one difference: a validation
 *   finding is written to the assembly's validation-report.json instead of stopping the synthesis, so
 *   the gates test (test/integration/gates/all-templates.test.ts) lists every finding, and the files
 *   that only read the assembly still get one. This is the suite's one full-validation synthesis of
 *   the real configuration.
 * - `cross-region`: the same app and plugins with staging in {@link CROSS_REGION_STAGING}, as
 *   testApp() builds apps: no built-in validation (the product's synthesis is the suite's one) and
 *   no Lambda bundled (no reader of this assembly reads a bundle; docs/synthesis-in-tests.md).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { App } from 'aws-cdk-lib';
import { environmentsConfig } from '../../infrastructure/lib/config/environments.js';
import { loadDeploymentConfig } from '../../infrastructure/lib/config/load-config.js';
import { buildKiroCdApp } from '../../infrastructure/lib/kiro-cd-app.js';
import { applyPolicyPlugins } from '../../infrastructure/lib/policy/apply-policy-plugins.js';
import { CROSS_REGION_STAGING, SYNTH_DONE_FILE, SYNTH_FAILED_FILE, SYNTH_REQUESTED_FILE, type AssemblyVariant } from './shared-assembly-files.js';
import { testApp } from './test-app.js';

/** How often the process looks for a request once it has nothing to do (two file checks: nothing to speak of). */
const REQUEST_POLL_MS = 100;

async function synthesize(variant: AssemblyVariant, outdir: string): Promise<void> {
  const context = { '@aws-cdk/core:failSynthOnValidationErrors': false };
  if (variant === 'product') {
    const app = new App({ outdir, context });
    buildKiroCdApp(app, loadDeploymentConfig());
    await applyPolicyPlugins(app);
    app.synth();
    return;
  }
  const app = testApp({ outdir, context });
  buildKiroCdApp(app, loadDeploymentConfig({ ...environmentsConfig, environments: environmentsConfig.environments.map((environment) => (environment.name === 'staging' ? { ...environment, region: CROSS_REGION_STAGING } : environment)) }));
  await applyPolicyPlugins(app);
  app.synth();
}

const [productDirectory, crossRegionDirectory] = process.argv.slice(2);
if (productDirectory === undefined || crossRegionDirectory === undefined) throw new Error('usage: tsx test/support/synthesize-product.ts <product dir> <cross-region dir>');
const pending = new Map<AssemblyVariant, string>([
  ['product', productDirectory],
  ['cross-region', crossRegionDirectory],
]);
while (pending.size > 0) {
  const next = [...pending].find(([, directory]) => existsSync(join(directory, SYNTH_REQUESTED_FILE)));
  if (next === undefined) {
    await sleep(REQUEST_POLL_MS);
    continue;
  }
  const [variant, directory] = next;
  pending.delete(variant);
  try {
    await synthesize(variant, directory);
    writeFileSync(join(directory, SYNTH_DONE_FILE), new Date().toISOString());
  } catch (error) {
    writeFileSync(join(directory, SYNTH_FAILED_FILE), `the ${variant} synthesis failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}
