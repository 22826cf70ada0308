import type { DeploymentNotice } from '../../../src/pipeline/domain/notice.js';
import type { Notifier } from '../../../src/pipeline/ports/notifier.js';

/**
 * In-memory `Notifier`: keeps every notice it was given, in order, for assertions. Like the SNS
 * adapter it either delivers the whole notice or rejects; `failNext` makes the next call reject
 * once, to test what a caller does when SNS is unavailable.
 */
export class InMemoryNotifier implements Notifier {
  /** Notices delivered so far, oldest first. */
  readonly notices: DeploymentNotice[] = [];
  private pendingFailure: Error | undefined;

  /** Makes the next `notify` call reject with `error` (once). */
  failNext(error: Error): void {
    this.pendingFailure = error;
  }

  /** Notices of one kind, oldest first. */
  ofKind(kind: DeploymentNotice['kind']): DeploymentNotice[] {
    return this.notices.filter((notice) => notice.kind === kind);
  }

  notify(notice: DeploymentNotice): Promise<void> {
    const failure = this.pendingFailure;
    if (failure !== undefined) {
      this.pendingFailure = undefined;
      return Promise.reject(failure);
    }
    this.notices.push(notice);
    return Promise.resolve();
  }
}
