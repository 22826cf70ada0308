import { rollbackExecutionName } from '../../../src/pipeline/adapters/aws/sfn-rollback-executions.js';
import { advanceRollback, type RollbackDependencies, type RollbackOutcome } from '../../../src/pipeline/domain/rollback/rollback-orchestrator.js';
import type { RollbackProgress } from '../../../src/pipeline/domain/rollback/rollback-progress.js';
import type { RollbackExecutionStart, RollbackExecutions } from '../../../src/pipeline/ports/rollback-executions.js';

/**
 * The rollback state machine as a handler test needs it: StartExecution's naming rule (one execution
 * per name: a second start with another input answers ExecutionAlreadyExists) and the loop the
 * definition runs (advance, wait on the clock, advance ... until done). The definition itself is run
 * in test/state-machines/rollback.test.ts.
 */
export class InProcessRollbackExecutions implements RollbackExecutions {
  readonly started: { readonly name: string; readonly progress: RollbackProgress }[] = [];
  private readonly runs: Promise<RollbackOutcome>[] = [];

  constructor(private readonly deps: () => RollbackDependencies) {}

  start(key: string, progress: RollbackProgress): Promise<RollbackExecutionStart> {
    const name = rollbackExecutionName(key);
    if (this.started.some((execution) => execution.name === name)) return Promise.resolve({ kind: 'exists' });
    this.started.push({ name, progress });
    this.runs.push(this.run(progress));
    return Promise.resolve({ kind: 'started', executionArn: `arn:aws:states:us-east-1:111111111111:execution:rollback:${name}` });
  }

  private async run(first: RollbackProgress): Promise<RollbackOutcome> {
    const deps = this.deps();
    let progress = first;
    for (;;) {
      const result = await advanceRollback(deps, progress);
      if ('done' in result) return result.done;
      progress = result.progress;
      await deps.clock.sleep(Math.max(1, Math.ceil(result.waitSeconds)) * 1000);
    }
  }

  /** How every execution started so far ended. */
  outcomes(): Promise<RollbackOutcome[]> {
    return Promise.all(this.runs);
  }
}
