import fc from 'fast-check';
import type { DeploymentRecord } from '../../../../../src/pipeline/domain/history-model.js';
import { ENVIRONMENTS, executionId, record } from './rollback-fixtures.js';

/**
 * Shared generators for rollback properties. Start times come from a small range so that ties
 * (two releases started in the same minute) are common: the tiebreak is part of the rule.
 * Production, success, a passed health check and forward releases are each drawn more often than
 * the alternatives, so most histories hold several releases the rule must choose between.
 */
export const deploymentRecord: fc.Arbitrary<DeploymentRecord> = fc
  .record({
    n: fc.integer({ min: 1, max: 50 }),
    // Weighted towards accepted production releases, so that several candidates compete (and tie).
    environment: fc.oneof({ weight: 3, arbitrary: fc.constant(ENVIRONMENTS[2]!) }, fc.constantFrom(...ENVIRONMENTS)),
    minute: fc.integer({ min: 0, max: 10 }),
    status: fc.oneof({ weight: 3, arbitrary: fc.constant<DeploymentRecord['status']>('succeeded') }, fc.constantFrom<DeploymentRecord['status']>('failed', 'rolled-back', 'in-progress', 'stopped')),
    health: fc.oneof({ weight: 3, arbitrary: fc.constant<DeploymentRecord['health']>('passed') }, fc.constantFrom<DeploymentRecord['health']>('failed', 'pending', 'paused')),
    isRollback: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, fc.constant(true)),
  })
  .map(({ n, environment, minute, status, health, isRollback }) =>
    record({ executionId: executionId(n), environment, startedAt: new Date(Date.UTC(2026, 0, 1) + minute * 60_000).toISOString(), status, health, isRollback }),
  );

/** A history as the fold produces it: at most one record per execution and environment. */
export const deploymentRecords: fc.Arbitrary<DeploymentRecord[]> = fc.uniqueArray(deploymentRecord, {
  maxLength: 30,
  selector: (candidate) => `${candidate.executionId}/${candidate.environment}`,
});
