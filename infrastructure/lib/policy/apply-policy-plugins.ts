import { Stage, Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { expandWildcardIamActions } from '../aspects/expand-wildcard-iam-actions.js';
import { IamActionCatalog } from '../aspects/iam-action-catalog.js';
import { validateWithBaselineWasmCode } from '../synthesis/baseline-wasm-validation.js';

/**
 * Registers the synthesis-time policy machinery on the app: cdk-nag's AwsSolutions pack as a CDK
 * validation plugin (its findings land in `cdk.out/validation-report.json`, and an in-process synth
 * with unacknowledged findings throws), and the aspect that expands wildcard IAM actions.
 * Asynchronous because the IAM action catalog is read once from disk before synthesis.
 *
 * Call it after every stage and stack exists (just before `app.synth()`): CDK does not carry an
 * App's aspects into nested Stages, so the aspect is added to each Stage found at this moment.
 * A stage created later would miss the expansion, and the cfn-guard rules would then report its
 * wildcards. It also has V8 compile WebAssembly with Liftoff alone from now on, for CDK's built-in
 * CloudFormation validation at the end of `app.synth()` (synthesis/baseline-wasm-validation.ts):
 * every validated synthesis (app.ts, the tests' shared one) comes through here just before it.
 */
export async function applyPolicyPlugins(app: App): Promise<void> {
  validateWithBaselineWasmCode();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const catalog = await IamActionCatalog.load();
  expandWildcardIamActions(app, catalog);
  for (const construct of app.node.findAll()) {
    if (construct !== app && Stage.isStage(construct)) expandWildcardIamActions(construct, catalog);
  }
}
