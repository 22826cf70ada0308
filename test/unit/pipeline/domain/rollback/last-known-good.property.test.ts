import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeploymentRecord } from '../../../../../src/pipeline/domain/history-model.js';
import { lastKnownGood, passedProduction } from '../../../../../src/pipeline/domain/rollback/last-known-good.js';
import { planRollback } from '../../../../../src/pipeline/domain/rollback/rollback-plan.js';
import { ENVIRONMENTS, PIPELINE, executionId, record } from './rollback-fixtures.js';

const deployment: fc.Arbitrary<DeploymentRecord> = fc
  .record({
    n: fc.integer({ min: 1, max: 50 }),
    environment: fc.constantFrom(...ENVIRONMENTS),
    minute: fc.integer({ min: 0, max: 10_000 }),
    status: fc.constantFrom<DeploymentRecord['status']>('succeeded', 'failed', 'rolled-back', 'in-progress', 'stopped'),
    health: fc.constantFrom<DeploymentRecord['health']>('passed', 'failed', 'pending', 'paused'),
    isRollback: fc.boolean(),
  })
  .map(({ n, environment, minute, status, health, isRollback }) =>
    record({ executionId: executionId(n), environment, startedAt: new Date(Date.UTC(2026, 0, 1) + minute * 60_000).toISOString(), status, health, isRollback }),
  );

describe('last known good', () => {
  it('rollback planning always picks the newest release that passed production', () => {
    fc.assert(
      // One record per execution and environment, as the history folds them (two production records
      // of one execution with different start times cannot exist, and would make "the chosen one" ambiguous).
      fc.property(fc.uniqueArray(deployment, { maxLength: 30, selector: (candidate) => `${candidate.executionId}/${candidate.environment}` }), (records) => {
        const plan = planRollback({ pipelineName: PIPELINE, environment: 'staging', stage: 'Staging-Application', executionId: executionId(99), trigger: 't', reason: 'r' }, records, ENVIRONMENTS);
        const passed = records.filter(passedProduction);
        if (passed.length === 0) {
          expect(plan.full.kind).toBe('none');
          return;
        }
        const newest = Math.max(...passed.map((candidate) => Date.parse(candidate.startedAt)));
        expect(plan.full.kind).toBe('full');
        const chosen = passed.find((candidate) => plan.full.kind === 'full' && candidate.executionId === plan.full.targetExecutionId);
        expect(chosen).toBeDefined();
        expect(Date.parse(chosen!.startedAt)).toBe(newest);
      }),
    );
  });

  it('does not depend on the order of the history', () => {
    fc.assert(
      fc.property(fc.array(deployment, { maxLength: 20 }), (records) => {
        expect(lastKnownGood([...records].reverse())).toEqual(lastKnownGood(records));
      }),
    );
  });
});
