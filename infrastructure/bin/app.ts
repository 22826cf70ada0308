/**
 * The CDK app: validates the configuration, builds the product (pipeline-runtime stack and the
 * pipeline stack with every environment's stages), registers the policy gates and synthesizes into
 * cdk.out at the repository root. Run by `cdk` (cdk.json) and by `npm run synth` (synth.ts imports
 * this file, so both take one code path).
 *
 * The configuration is checked before the stacks and the policy plugins are imported (dynamic
 * imports below): loading them is most of a failed run's cost (~1.6 of 2.3 CPU-s, and as much wall
 * time), so a mistake in environments.ts is reported in well under a second. A valid configuration
 * loads the same modules as before, only later.
 */
import { fileURLToPath } from 'node:url';
import { loadDeploymentConfig } from '../lib/config/load-config.js';

const config = loadDeploymentConfig();
const [{ App }, { buildKiroCdApp }, { applyPolicyPlugins }] = await Promise.all([
  import('aws-cdk-lib'),
  import('../lib/kiro-cd-app.js'),
  import('../lib/policy/apply-policy-plugins.js'),
]);
const app = new App({ outdir: process.env.CDK_OUTDIR ?? fileURLToPath(new URL('../../cdk.out', import.meta.url)) });
buildKiroCdApp(app, config);
await applyPolicyPlugins(app);
app.synth();
