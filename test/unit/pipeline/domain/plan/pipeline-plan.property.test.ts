import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../../../../infrastructure/lib/config/load-config.js';
import { environmentsConfig } from '../../../../../infrastructure/lib/config/environments.js';
import { WORKER_ALARM_IDS } from '../../../../../src/shared/config/alarm-catalog.js';
import { POST_DEPLOYMENT_SUITES, type DeploymentConfigInput } from '../../../../../src/shared/config/schema.js';
import { planPipeline } from '../../../../../src/pipeline/domain/plan/pipeline-plan.js';
import { testMinutesUpperBound } from '../../../../../src/pipeline/domain/plan/plan-queries.js';
import { ACTION_TIMEOUTS, TIME_BUDGETS } from '../../../../../src/pipeline/domain/plan/time-budgets.js';
import { ConfigurationError } from '../../../../../src/shared/errors.js';

/**
 * Configurations the schema accepts: every environment's tunable keys drawn at random within the
 * schema's limits, the post-deployment suite included (some combinations exceed the test budget).
 */
const schemaValidConfigs = fc
  .record({
    intervals: fc.tuple(fc.constantFrom(10, 30, 60), fc.constantFrom(10, 30, 60), fc.constantFrom(10, 30, 60)),
    multiples: fc.tuple(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10 })),
    critical: fc.tuple(
      fc.subarray([...WORKER_ALARM_IDS], { minLength: 1 }),
      fc.subarray([...WORKER_ALARM_IDS], { minLength: 1 }),
      fc.subarray([...WORKER_ALARM_IDS], { minLength: 1 }),
    ),
    approvalMinutes: fc.integer({ min: 5, max: 86_400 }),
    stagingApproval: fc.boolean(),
    window: fc.option(fc.constantFrom('cron(* 9-16 ? * MON-THU *)', 'cron(* * ? * MON-FRI *)')),
    healthMonitor: fc.boolean(),
    historyTable: fc.option(fc.constant('kiro-history')),
    inPipelineAccount: fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()),
    suites: fc.tuple(fc.constantFrom(...POST_DEPLOYMENT_SUITES), fc.constantFrom(...POST_DEPLOYMENT_SUITES), fc.constantFrom(...POST_DEPLOYMENT_SUITES)),
  })
  .map(({ intervals, multiples, critical, approvalMinutes, stagingApproval, window, healthMonitor, historyTable, inPipelineAccount, suites }) => {
    const input: DeploymentConfigInput = {
      ...environmentsConfig,
      environments: environmentsConfig.environments.map((environment, index) => ({
        ...environment,
        ...(inPipelineAccount[index] === true ? { account: environmentsConfig.pipeline.account } : {}),
        healthCheck: { durationSeconds: intervals[index]! * multiples[index]!, intervalSeconds: intervals[index]! },
        alarms: { critical: critical[index]!, warning: [] },
        approval:
          environment.name === 'production'
            ? { required: true, timeoutMinutes: approvalMinutes }
            : { required: environment.name === 'staging' && stagingApproval },
        ...(window === null ? {} : { deploymentWindow: { cron: window, timeZone: 'UTC' } }),
        postDeploymentTests: suites[index]!,
        e2eFixture: { repository: 'kiro-dev/kiro-worker-e2e-fixture', branch: 'main' },
      })),
    };
    return {
      config: loadDeploymentConfig(input),
      options: { healthMonitor, ...(historyTable === null ? {} : { historyTableName: historyTable }) },
    };
  });

/** Minutes of tests one run may take: the build plus every environment's suite, at their timeouts. */
function testMinutes(config: { readonly environments: readonly { readonly postDeploymentTests: keyof typeof ACTION_TIMEOUTS.suites }[] }): number {
  return ACTION_TIMEOUTS.build + config.environments.reduce((sum, environment) => sum + ACTION_TIMEOUTS.suites[environment.postDeploymentTests], 0);
}

/** Valid configurations: those the schema accepts and the test budget allows. */
const configs = schemaValidConfigs.filter(({ config }) => testMinutes(config) <= TIME_BUDGETS.testsTotalMinutes);

describe('pipeline plan properties', () => {
  it('always runs Build → test → staging → approval → production', () => {
    fc.assert(
      fc.property(configs, ({ config, options }) => {
        const names = planPipeline(config, options).stages.map((s) => s.name);
        const at = (name: string) => names.indexOf(name);
        expect(at('Build')).toBe(0);
        const order = ['Build', 'Test-Infrastructure', 'Test-Application', 'Staging-Infrastructure', 'Staging-Application', 'Approve-Production', 'Production-Infrastructure', 'Production-Application'];
        const positions = order.map(at);
        expect(positions.every((p) => p >= 0)).toBe(true);
        expect([...positions].sort((a, b) => a - b)).toEqual(positions);
        expect(at('Approve-Production')).toBe(at('Production-Infrastructure') - 1);
      }),
    );
  });

  it('gives every environment stage an on-failure rollback and every infrastructure stage the skip condition', () => {
    fc.assert(
      fc.property(configs, ({ config, options }) => {
        for (const stage of planPipeline(config, options).stages) {
          if (stage.kind === 'infrastructure' || stage.kind === 'application') {
            expect(stage.conditions.onFailure?.result).toBe('ROLLBACK');
          }
          if (stage.kind === 'infrastructure') {
            expect(stage.conditions.beforeEntry?.result).toBe('SKIP');
            expect(stage.conditions.beforeEntry?.rules.map((r) => r.kind)).toEqual(['variable-check']);
          }
          if (stage.kind === 'application') {
            // A critical alarm rolls the stage back: through the native alarm condition where it can
            // see the alarms (the pipeline's account), else through the health monitor alone.
            const environment = config.environments.find((candidate) => candidate.name === stage.environment);
            if (environment?.account === config.pipeline.account) {
              expect(stage.conditions.onSuccess?.result).toBe('ROLLBACK');
              expect(stage.conditions.onSuccess?.rules.length).toBeGreaterThan(0);
            } else {
              expect(stage.conditions.onSuccess).toBeUndefined();
              if (options.healthMonitor) expect(stage.healthCheck).toBeDefined();
            }
          }
        }
      }),
    );
  });

  it('uses SKIP only with VariableCheck rules, as CodePipeline requires, and at most 5 rules a condition', () => {
    fc.assert(
      fc.property(configs, ({ config, options }) => {
        for (const stage of planPipeline(config, options).stages) {
          if (stage.kind === 'build' || stage.kind === 'change-detection') continue;
          for (const condition of [stage.conditions.beforeEntry, stage.conditions.onSuccess, stage.conditions.onFailure]) {
            if (condition === undefined) continue;
            expect(condition.rules.length).toBeLessThanOrEqual(5);
            if (condition.result === 'SKIP') expect(condition.rules.every((r) => r.kind === 'variable-check')).toBe(true);
          }
        }
      }),
    );
  });

  it('keeps the tests of a whole run within the 30-minute budget whatever the configuration, or refuses it naming the environments and minutes', () => {
    fc.assert(
      fc.property(schemaValidConfigs, ({ config, options }) => {
        const total = testMinutes(config);
        if (total <= TIME_BUDGETS.testsTotalMinutes) {
          expect(testMinutesUpperBound(planPipeline(config, options))).toBeLessThanOrEqual(TIME_BUDGETS.testsTotalMinutes);
          return;
        }
        const refused = (() => {
          try {
            planPipeline(config, options);
          } catch (error) {
            return error;
          }
          return undefined;
        })();
        expect(refused).toBeInstanceOf(ConfigurationError);
        const message = refused instanceof Error ? refused.message : '';
        expect(message).toContain(`up to ${total} minutes`);
        for (const environment of config.environments) expect(message).toContain(`${environment.name} ${environment.postDeploymentTests} ${ACTION_TIMEOUTS.suites[environment.postDeploymentTests]} min`);
      }),
    );
  });
});
