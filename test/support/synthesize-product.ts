/**
 * Synthesizes the product (buildKiroCdApp with the repository's configuration, as app.ts builds it)
 * into the directory given as the only argument, with CDK's built-in CloudFormation validation off
 * and without the policy plugins: the suite's one full-validation synthesis is
 * test/integration/gates/all-templates.test.ts. Run by the global set-up in its own process (see
 * shared-assembly.ts); writes `<dir>/SYNTH_DONE` when the assembly is complete.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { loadDeploymentConfig } from '../../infrastructure/lib/config/load-config.js';
import { buildKiroCdApp } from '../../infrastructure/lib/kiro-cd-app.js';
import { SYNTH_DONE_FILE } from './shared-assembly-files.js';

const outdir = process.argv[2];
if (outdir === undefined) throw new Error('usage: tsx test/support/synthesize-product.ts <outdir>');
const app = new App({ outdir, builtinCloudFormationValidation: false });
buildKiroCdApp(app, loadDeploymentConfig());
app.synth();
writeFileSync(join(outdir, SYNTH_DONE_FILE), new Date().toISOString());
