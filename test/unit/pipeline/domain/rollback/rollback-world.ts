import { CodePipelineControl } from '../../../../../src/pipeline/adapters/aws/codepipeline-control.js';
import type { RollbackDependencies } from '../../../../../src/pipeline/domain/rollback/rollback-orchestrator.js';
import { DEFAULT_ROLLBACK_TIMING } from '../../../../../src/pipeline/domain/rollback/rollback-timing.js';
import type { CodePipelineDouble } from '../../../../../src/local/codepipeline-double.js';
import type { InMemoryDeploymentHistory } from '../../../../support/fakes/in-memory-deployment-history.js';
import { InMemoryNotifier } from '../../../../support/fakes/in-memory-notifier.js';
import { CountingIds, ENVIRONMENTS, InMemoryRollbackLedger, ManualClock, PIPELINE } from './rollback-fixtures.js';

/** The orchestrator's dependencies around a seeded history and pipeline double, and the fakes a test asserts on. */
export interface RollbackWorld {
  readonly deps: RollbackDependencies;
  readonly history: InMemoryDeploymentHistory;
  readonly double: CodePipelineDouble;
  readonly notifier: InMemoryNotifier;
  readonly clock: ManualClock;
}

/**
 * Wires the rollback orchestrator to in-memory fakes: the given history, the given pipeline double
 * behind the real CodePipeline adapter, a fresh ledger, notifier, manual clock and counting ids,
 * the default timing and every environment. Each test seeds its own history and double first.
 */
export function rollbackWorld(history: InMemoryDeploymentHistory, double: CodePipelineDouble): RollbackWorld {
  const clock = new ManualClock();
  const notifier = new InMemoryNotifier();
  const deps: RollbackDependencies = {
    history,
    ledger: new InMemoryRollbackLedger(),
    pipeline: new CodePipelineControl(double, PIPELINE),
    notifier,
    clock,
    ids: new CountingIds(),
    timing: DEFAULT_ROLLBACK_TIMING,
    environments: ENVIRONMENTS,
  };
  return { deps, history, double, notifier, clock };
}
