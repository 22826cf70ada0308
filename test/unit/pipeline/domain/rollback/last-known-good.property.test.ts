import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeploymentRecord } from '../../../../../src/pipeline/domain/history-model.js';
import { lastKnownGood } from '../../../../../src/pipeline/domain/rollback/last-known-good.js';
import { planRollback } from '../../../../../src/pipeline/domain/rollback/rollback-plan.js';
import { deploymentRecord, deploymentRecords } from './arbitraries.js';
import { ENVIRONMENTS, PIPELINE, executionId } from './rollback-fixtures.js';

/**
 * The rule, stated here independently of the product (requirements: "the last known good release"):
 * a production deployment that succeeded, whose health check passed, and that is not itself a
 * rollback; among those, the one that started last; two that started at the same time are ordered
 * by execution id, the greater one winning (any fixed tiebreak would do; this one is documented).
 */
function expectedLastKnownGood(records: readonly DeploymentRecord[]): DeploymentRecord | undefined {
  const accepted = records.filter((candidate) => candidate.environment === 'production' && candidate.status === 'succeeded' && candidate.health === 'passed' && !candidate.isRollback);
  const newestFirst = [...accepted].sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.executionId.localeCompare(a.executionId));
  return newestFirst[0];
}

describe('last known good', () => {
  it('is the newest production release that succeeded, passed its health check and is not a rollback', () => {
    fc.assert(
      fc.property(deploymentRecords, (records) => {
        expect(lastKnownGood(records)).toEqual(expectedLastKnownGood(records));
      }),
      { numRuns: 300 },
    );
  });

  it('rollback planning returns to that release, or to none when there is none', () => {
    fc.assert(
      fc.property(deploymentRecords, (records) => {
        // The release being rolled back failed in staging after everything in the history, so staging
        // does not run the last known good release (a full rollback to it is never a no-op).
        const failed = { pipelineName: PIPELINE, commit: { id: 'commit-failed' }, status: 'failed', health: 'failed', isRollback: false, executionId: executionId(99), environment: 'staging', startedAt: '2100-01-01T00:00:00.000Z' } as const;
        const plan = planRollback({ pipelineName: PIPELINE, environment: 'staging', stage: 'Staging-Application', executionId: executionId(99), trigger: 't', reason: 'r' }, [...records, failed], ENVIRONMENTS);
        const expected = expectedLastKnownGood(records);
        if (expected === undefined) expect(plan.full.kind).toBe('none');
        else expect(plan.full).toMatchObject({ kind: 'full', targetExecutionId: expected.executionId, targetCommitId: expected.commit.id });
      }),
      { numRuns: 300 },
    );
  });

  it('does not depend on the order of the history', () => {
    fc.assert(
      fc.property(fc.array(deploymentRecord, { maxLength: 20 }), (records) => {
        expect(lastKnownGood([...records].reverse())).toEqual(lastKnownGood(records));
      }),
    );
  });
});
