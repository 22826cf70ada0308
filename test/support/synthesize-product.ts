/**
 * Synthesizes the product into `outdir` exactly as infrastructure/bin/app.ts does — buildKiroCdApp
 * with the repository's configuration, CDK's built-in CloudFormation validation on, the policy
 * plugins (cdk-nag, the wildcard-action expansion) registered by applyPolicyPlugins — with one
 * difference: a validation finding is written to the assembly's validation-report.json instead of
 * stopping the synthesis, so the gates test (test/integration/gates/all-templates.test.ts) lists every
 * finding, and the files that only read the assembly still get one. This is the suite's one
 * full-validation synthesis of the real configuration, run once per test run in the worker of the
 * first file that asks for it (shared-assembly.ts).
 */
import { App } from 'aws-cdk-lib';
import { loadDeploymentConfig } from '../../infrastructure/lib/config/load-config.js';
import { buildKiroCdApp } from '../../infrastructure/lib/kiro-cd-app.js';
import { applyPolicyPlugins } from '../../infrastructure/lib/policy/apply-policy-plugins.js';

/** Synthesizes the product, validated and bundled, into `outdir`, in this process. */
export async function synthesizeProduct(outdir: string): Promise<void> {
  const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
  buildKiroCdApp(app, loadDeploymentConfig());
  await applyPolicyPlugins(app);
  app.synth();
}
