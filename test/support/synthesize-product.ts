/**
 * Synthesizes the product into the directory given as the only argument exactly as
 * infrastructure/bin/app.ts does — buildKiroCdApp with the repository's configuration, CDK's built-in
 * CloudFormation validation on, the policy plugins (cdk-nag, the wildcard-action expansion) registered
 * by applyPolicyPlugins — with one difference: a validation finding is written to the assembly's
 * validation-report.json instead of stopping the synthesis, so the gates test
 * (test/integration/gates/all-templates.test.ts) lists every finding, and the files that only read
 * the assembly still get one. This is the suite's one full-validation synthesis of the real
 * configuration. Run by the global set-up in its own process (see shared-assembly.ts); writes
 * `<dir>/SYNTH_DONE` when the assembly is complete.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { loadDeploymentConfig } from '../../infrastructure/lib/config/load-config.js';
import { buildKiroCdApp } from '../../infrastructure/lib/kiro-cd-app.js';
import { applyPolicyPlugins } from '../../infrastructure/lib/policy/apply-policy-plugins.js';
import { SYNTH_DONE_FILE } from './shared-assembly-files.js';

const outdir = process.argv[2];
if (outdir === undefined) throw new Error('usage: tsx test/support/synthesize-product.ts <outdir>');
const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
buildKiroCdApp(app, loadDeploymentConfig());
await applyPolicyPlugins(app);
app.synth();
writeFileSync(join(outdir, SYNTH_DONE_FILE), new Date().toISOString());
