/**
 * Synthesizes the product with the rehearsal's closed-deployment-window configuration
 * (`closedProductionWindowConfig`, src/rehearsal/rehearsal-config.ts: the repository's configuration
 * with a production window closed from the given time) into the given directory, so the
 * `closed-deployment-window` scenario meets the DeploymentWindow rule the CDK code renders from a
 * user's configuration. Run by the rehearsal in its own process (src/ never imports infrastructure/).
 * CDK's built-in validation and the policy plugins are off: the gates have checked the real
 * configuration's templates already; only the pipeline declaration of this assembly is read.
 *
 * Usage: tsx infrastructure/bin/synth-rehearsal-window.ts <outdir> <closed-from ISO time>
 */
import { App } from 'aws-cdk-lib';
import { closedProductionWindowConfig } from '../../src/rehearsal/rehearsal-config.js';
import { environmentsConfig } from '../lib/config/environments.js';
import { loadDeploymentConfig } from '../lib/config/load-config.js';
import { buildKiroCdApp } from '../lib/kiro-cd-app.js';

const [outdir, closedFrom] = process.argv.slice(2);
const from = new Date(closedFrom ?? '');
if (outdir === undefined || Number.isNaN(from.getTime())) {
  process.stderr.write('usage: tsx infrastructure/bin/synth-rehearsal-window.ts <outdir> <closed-from ISO time>\n');
  process.exit(2);
}
const app = new App({ outdir, builtinCloudFormationValidation: false });
buildKiroCdApp(app, loadDeploymentConfig(closedProductionWindowConfig(environmentsConfig, from)));
app.synth();
