/**
 * The CDK app: validates the configuration, builds the product (pipeline-runtime stack and the
 * pipeline stack with every environment's stages), registers the policy gates and synthesizes into
 * cdk.out at the repository root. Run by `cdk` (cdk.json) and by `npm run synth` (synth.ts imports
 * this file, so both take one code path).
 */
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { loadDeploymentConfig } from '../lib/config/load-config.js';
import { buildKiroCdApp } from '../lib/kiro-cd-app.js';
import { applyPolicyPlugins } from '../lib/policy/apply-policy-plugins.js';

const config = loadDeploymentConfig();
const app = new App({ outdir: process.env.CDK_OUTDIR ?? fileURLToPath(new URL('../../cdk.out', import.meta.url)) });
buildKiroCdApp(app, config);
await applyPolicyPlugins(app);
app.synth();
