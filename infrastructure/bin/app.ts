/**
 * The CDK app: validates the configuration, builds every environment's stages, registers the policy
 * gates and synthesizes into cdk.out at the repository root. Run by `cdk` (cdk.json) and by
 * `npm run synth` (synth.ts imports this file, so both take one code path).
 */
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { loadDeploymentConfig } from '../lib/config/load-config.js';
import { applyPolicyPlugins } from '../lib/policy/apply-policy-plugins.js';
import { createEnvironmentStages } from '../lib/stages/environment-stages.js';
import { PipelineRuntimeStack } from '../lib/stacks/pipeline-runtime-stack.js';

const config = loadDeploymentConfig();
const app = new App({ outdir: process.env.CDK_OUTDIR ?? fileURLToPath(new URL('../../cdk.out', import.meta.url)) });
const pipelineEnv = { account: config.pipeline.account, region: config.pipeline.region };
for (const environment of config.environments) createEnvironmentStages(app, environment, pipelineEnv);
new PipelineRuntimeStack(app, 'KiroCd-PipelineRuntime', { config, env: pipelineEnv });
await applyPolicyPlugins(app);
app.synth();
