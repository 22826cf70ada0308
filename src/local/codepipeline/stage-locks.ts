/**
 * SUPERSEDED execution mode: a stage holds one execution at a time; an execution that finished a
 * stage waits to enter the next while it is occupied, and when a newer execution arrives to wait
 * for the same stage, the older waiting one is superseded
 * ([How pipeline executions work](https://docs.aws.amazon.com/codepipeline/latest/userguide/concepts-how-it-works.html),
 * PipelineExecution status `Superseded`: "while this pipeline execution was waiting for the next
 * stage to be completed, a newer pipeline execution advanced and continued through the pipeline instead").
 */

interface Waiter {
  readonly executionId: string;
  /** When the execution started: the newer one wins the wait. */
  readonly startedAt: number;
  readonly resolve: (entered: boolean) => void;
}

/** The stage locks of one pipeline. */
export class StageLocks {
  private readonly holders = new Map<string, string>();
  private readonly waiting = new Map<string, Waiter>();

  /**
   * Resolves true once `executionId` holds `stage`; false when it was superseded while waiting or
   * `signal` aborted (the execution was stopped or cancelled).
   */
  enter(stage: string, executionId: string, startedAt: number, signal: AbortSignal): Promise<boolean> {
    const holder = this.holders.get(stage);
    if (holder === undefined || holder === executionId) {
      this.holders.set(stage, executionId);
      return Promise.resolve(true);
    }
    const previous = this.waiting.get(stage);
    if (previous !== undefined) {
      if (previous.startedAt > startedAt) return Promise.resolve(false);
      previous.resolve(false);
    }
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = { executionId, startedAt, resolve };
      this.waiting.set(stage, waiter);
      signal.addEventListener(
        'abort',
        () => {
          if (this.waiting.get(stage) === waiter) this.waiting.delete(stage);
          resolve(false);
        },
        { once: true },
      );
    });
  }

  /** The execution leaves `stage`; the execution waiting for it, if any, enters. */
  leave(stage: string, executionId: string): void {
    if (this.holders.get(stage) !== executionId) return;
    this.holders.delete(stage);
    const next = this.waiting.get(stage);
    if (next === undefined) return;
    this.waiting.delete(stage);
    this.holders.set(stage, next.executionId);
    next.resolve(true);
  }

  /** The execution holding `stage` now, if any. */
  holderOf(stage: string): string | undefined {
    return this.holders.get(stage);
  }
}
