import { CodePipelineControl } from '../../../../../src/pipeline/adapters/aws/codepipeline-control.js';
import type { RollbackDependencies } from '../../../../../src/pipeline/domain/rollback/rollback-orchestrator.js';
import { DEFAULT_ROLLBACK_TIMING } from '../../../../../src/pipeline/domain/rollback/rollback-timing.js';
import type { LocalPipelineHarness } from '../../../../support/local-pipeline/local-pipeline-harness.js';
import type { SteppedClock } from '../../../../support/local-pipeline/stepped-clock.js';
import type { InMemoryDeploymentHistory } from '../../../../support/fakes/in-memory-deployment-history.js';
import { InMemoryNotifier } from '../../../../support/fakes/in-memory-notifier.js';
import { CountingIds, ENVIRONMENTS, InMemoryRollbackLedger, PIPELINE } from './rollback-fixtures.js';

/** The orchestrator's dependencies around a history and the local CodePipeline that ran it, and the fakes a test asserts on. */
export interface RollbackWorld {
  readonly deps: RollbackDependencies;
  readonly history: InMemoryDeploymentHistory;
  /** The local CodePipeline; `calls` holds what the orchestrator called. */
  readonly codepipeline: LocalPipelineHarness;
  readonly notifier: InMemoryNotifier;
  /** The orchestrator's clock, on the pipeline's time line: sleeping lets the pipeline's actions run. */
  readonly clock: SteppedClock;
}

/**
 * Wires the rollback orchestrator to in-memory fakes: the given history, the local CodePipeline
 * behind the real CodePipeline adapter and SDK client, a fresh ledger, notifier, the pipeline's
 * stepped clock and counting ids, the default timing and every environment. Each test makes its own
 * history and pipeline executions first.
 */
export function rollbackWorld(history: InMemoryDeploymentHistory, codepipeline: LocalPipelineHarness): RollbackWorld {
  const clock = codepipeline.clock;
  const notifier = new InMemoryNotifier();
  const deps: RollbackDependencies = {
    history,
    ledger: new InMemoryRollbackLedger(),
    pipeline: new CodePipelineControl(codepipeline.client, PIPELINE),
    notifier,
    clock,
    ids: new CountingIds(),
    timing: DEFAULT_ROLLBACK_TIMING,
    environments: ENVIRONMENTS,
  };
  return { deps, history, codepipeline, notifier, clock };
}
