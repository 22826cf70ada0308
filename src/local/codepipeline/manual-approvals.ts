/**
 * The manual approval action, which CodePipeline runs itself: it waits for PutApprovalResult with
 * the action's token, or fails when its timeout passes (the stage runner's timeout)
 * ([PutApprovalResult](https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_PutApprovalResult.html)).
 */
import type { ActionResult, ActionRunner } from './action-runner.js';
import { CodePipelineApiError } from './api-errors.js';

interface Pending {
  readonly executionId: string;
  readonly stageName: string;
  readonly actionName: string;
  readonly resolve: (result: ActionResult) => void;
}

/** An approval waiting for its answer, as listeners see it. */
export interface PendingApproval {
  readonly token: string;
  readonly executionId: string;
  readonly stageName: string;
  readonly actionName: string;
}

/** Pending approvals, by token. */
export class ManualApprovals {
  private readonly pending = new Map<string, Pending>();
  private readonly listeners: ((approval: PendingApproval) => void)[] = [];

  constructor(private readonly newToken: () => string) {}

  /** The approval action's runner. */
  readonly runner: ActionRunner = (invocation) =>
    new Promise<ActionResult>((resolve) => {
      const token = this.newToken();
      const entry = { executionId: invocation.executionId, stageName: invocation.stageName, actionName: invocation.action.name };
      this.pending.set(token, { ...entry, resolve });
      invocation.signal.addEventListener('abort', () => { this.pending.delete(token); }, { once: true });
      for (const listener of this.listeners) listener({ token, ...entry });
    });

  /** Tells `listener` about every approval that starts waiting (the rehearsal's approver listens). */
  onWaiting(listener: (approval: PendingApproval) => void): void {
    this.listeners.push(listener);
  }

  /** The token an execution's approval action waits with, for GetPipelineState. */
  tokenFor(executionId: string, stageName: string, actionName: string): string | undefined {
    for (const [token, pending] of this.pending) {
      if (pending.executionId === executionId && pending.stageName === stageName && pending.actionName === actionName) return token;
    }
    return undefined;
  }

  /** PutApprovalResult: Approved succeeds the action, Rejected fails it. */
  answer(input: { readonly stageName: string; readonly actionName: string; readonly token: string; readonly status: string; readonly summary: string }): void {
    const pending = this.pending.get(input.token);
    if (pending === undefined || pending.stageName !== input.stageName || pending.actionName !== input.actionName) {
      throw new CodePipelineApiError('InvalidApprovalTokenException', `The approval action ${input.stageName}.${input.actionName} has no pending request with token ${input.token}.`);
    }
    if (input.status !== 'Approved' && input.status !== 'Rejected') throw new CodePipelineApiError('ValidationException', `result.status must be Approved or Rejected, got ${input.status}.`);
    this.pending.delete(input.token);
    pending.resolve({ status: input.status === 'Approved' ? 'Succeeded' : 'Failed', summary: input.summary });
  }
}
