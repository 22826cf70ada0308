import { randomUUID } from 'node:crypto';
import type { ReviewGate } from '../pipeline/ports/review-gate.js';
import { TASK_ERRORS } from '../pipeline/ports/review-gate.js';

interface Waiter {
  readonly resolve: (output: unknown) => void;
  readonly reject: (error: Error) => void;
  /** Expires the token when its task's TimeoutSeconds run out. */
  readonly expiry?: ReturnType<typeof setTimeout>;
}

/** The error a failed task carries into the state machine: its `name` is what a Catch matches. */
export class TaskFailure extends Error {
  constructor(errorName: string, cause: string) {
    super(cause);
    this.name = errorName;
  }
}

/**
 * Stands in for Step Functions' task tokens when a definition runs locally (aws-local-stepfunctions
 * has none): a `.waitForTaskToken` task waits on a token from {@link issue}, and SendTaskSuccess /
 * SendTaskFailure become {@link approve} / {@link reject} / {@link interruptWatch}, with the same
 * outputs and error names the real ReviewGate adapter sends (`sfn-review-gate.ts`).
 */
export class TaskTokenBroker implements ReviewGate {
  private readonly waiting = new Map<string, Waiter>();
  private readonly listeners: ((token: string, purpose: string) => void)[] = [];

  /**
   * Issues a token for a task that is about to wait; `purpose` names the task (its state name).
   * With `timeoutMs` (the task's TimeoutSeconds), the token expires when that time has run out, as
   * Step Functions invalidates the token of a timed-out task: a later answer gets `TaskTimedOut`.
   * The task itself is timed out by the state machine (`States.Timeout`), not here.
   */
  issue(purpose: string, timeoutMs?: number): { readonly token: string; readonly answered: Promise<unknown> } {
    const token = `${purpose}:${randomUUID()}`;
    const answered = new Promise<unknown>((resolve, reject) => {
      if (timeoutMs === undefined) {
        this.waiting.set(token, { resolve, reject });
        return;
      }
      const expiry = setTimeout(() => {
        this.expire(token);
      }, timeoutMs);
      // A waiting token must not keep the process alive on its own.
      expiry.unref();
      this.waiting.set(token, { resolve, reject, expiry });
    });
    return { token, answered };
  }

  /** Tells `listener` about every task that starts waiting (after its Lambda step ran). */
  onWaiting(listener: (token: string, purpose: string) => void): void {
    this.listeners.push(listener);
  }

  /** Called once the waiting task's own step has run, so listeners may answer it. */
  announce(token: string, purpose: string): void {
    for (const listener of this.listeners) listener(token, purpose);
  }

  /** Forgets a token whose task ended another way (its timeout), as Step Functions invalidates it. */
  expire(token: string): void {
    clearTimeout(this.waiting.get(token)?.expiry);
    this.waiting.delete(token);
  }

  approve(token: string, actor: string, comment?: string): Promise<void> {
    this.take(token).resolve({ decision: 'approved', actor, ...(comment === undefined ? {} : { comment }) });
    return Promise.resolve();
  }

  reject(token: string, actor: string, comment?: string): Promise<void> {
    this.take(token).reject(new TaskFailure(TASK_ERRORS.reviewRejected, JSON.stringify({ actor, comment })));
    return Promise.resolve();
  }

  interruptWatch(token: string, alarmName: string, reason: string): Promise<void> {
    this.take(token).reject(new TaskFailure(TASK_ERRORS.criticalAlarm, `${alarmName}: ${reason}`));
    return Promise.resolve();
  }

  private take(token: string): Waiter {
    const waiter = this.waiting.get(token);
    // Step Functions answers TaskTimedOut for a token that is no longer valid.
    if (waiter === undefined) throw new TaskFailure('TaskTimedOut', `No task waits for token ${token}; it has timed out or was answered.`);
    this.expire(token);
    return waiter;
  }
}
