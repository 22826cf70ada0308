/**
 * The pipeline's time: the TR-8 budgets, the timeout of every CodeBuild action, and the check that
 * refuses a configuration whose tests cannot fit the budget.
 *
 * Pure: no CDK, no AWS SDK, no I/O (lint-enforced boundary).
 */
import { ConfigurationError } from '../../../shared/errors.js';
import type { EnvironmentConfig, PostDeploymentSuite } from '../../../shared/config/schema.js';

/** Time budgets from TR-8 (minutes). Asserted by the plan tests; see docs/pipeline.md. */
export const TIME_BUDGETS = {
  /** Unit tests plus every post-deployment suite, summed over the whole pipeline. */
  testsTotalMinutes: 30,
  /** Infrastructure deployment of one environment. */
  infrastructureDeployMinutes: 15,
  /** Application deployment of one environment. */
  applicationDeployMinutes: 10,
} as const;

/** CodeBuild timeouts (minutes) of the actions the pipeline runs. Every CodeBuild action has one. */
export const ACTION_TIMEOUTS = {
  /**
   * Each of the Build stage's synth and unit-test actions: install, then the gates and synth, or the
   * unit and property tests with coverage (the slower, measured ~4.5; docs/pipeline.md).
   */
  build: 12,
  /** The Build stage's type-check and ESLint side by side (measured ~2.5 with install). */
  staticChecks: 8,
  /** npm ci + cdk diff against one environment. */
  changeDetection: 10,
  /** CDK Pipelines' self-mutation (cdk deploy of the pipeline stack). */
  selfMutation: 15,
  /** CDK Pipelines' asset publishing. */
  assetPublishing: 10,
  /**
   * Post-deployment suites, per environment. CodeBuild accepts 5 minutes at the least (CloudFormation
   * rejects less). The end-to-end suite waits for a real worker build of its fixture (provisioning,
   * clone, npm ci, tests): up to 6 minutes (test/deployed/e2e), plus the suite's own install.
   */
  suites: { integration: 5, e2e: 8, smoke: 5 } satisfies Record<PostDeploymentSuite, number>,
} as const;

/**
 * Refuses a configuration whose tests cannot fit the TR-8 budget: the build's tests plus every
 * environment's post-deployment suite, each at its action timeout. The schema accepts every suite
 * in every environment, so only the sum can tell (e2e in test and staging: 12 + 8 + 8 + 5 = 33).
 */
export function checkTestBudget(environments: readonly EnvironmentConfig[]): void {
  const suites = environments.map((environment) => ({ name: environment.name, suite: environment.postDeploymentTests, minutes: ACTION_TIMEOUTS.suites[environment.postDeploymentTests] }));
  const total = ACTION_TIMEOUTS.build + suites.reduce((sum, entry) => sum + entry.minutes, 0);
  if (total <= TIME_BUDGETS.testsTotalMinutes) return;
  const parts = suites.map((entry) => `${entry.name} ${entry.suite} ${entry.minutes} min`).join(', ');
  throw new ConfigurationError(
    `key "postDeploymentTests": the tests of one run take up to ${total} minutes (build ${ACTION_TIMEOUTS.build} min, ${parts}), over the ${TIME_BUDGETS.testsTotalMinutes}-minute budget; ` +
      `give one of these environments a shorter suite (integration or smoke: ${ACTION_TIMEOUTS.suites.smoke} min)`,
    { key: 'postDeploymentTests', total, budget: TIME_BUDGETS.testsTotalMinutes },
  );
}
