import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { expandWildcardIamActions } from '../aspects/expand-wildcard-iam-actions.js';
import { IamActionCatalog } from '../aspects/iam-action-catalog.js';

/**
 * Registers the synthesis-time policy machinery on the app: cdk-nag's AwsSolutions pack as a CDK
 * validation plugin (its findings land in `cdk.out/validation-report.json`, and an in-process synth
 * with unacknowledged findings throws), and the aspect that expands wildcard IAM actions.
 * Asynchronous because the IAM action catalog is read once from disk before synthesis.
 */
export async function applyPolicyPlugins(app: App): Promise<void> {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  expandWildcardIamActions(app, await IamActionCatalog.load());
}
