import { foldDeployments } from '../../../src/pipeline/domain/history/deployment-fold.js';
import { canonicalEvents } from '../../../src/pipeline/domain/history/event-order.js';
import { isSummaryEvent } from '../../../src/pipeline/domain/history/execution-summary.js';
import { selectLastKnownGood, selectRecords } from '../../../src/pipeline/domain/history/history-queries.js';
import type {
  DeploymentRecord,
  EnvironmentName,
  HistoryEvent,
  HistoryQuery,
} from '../../../src/pipeline/domain/history-model.js';
import type { DeploymentHistory, RecordResult } from '../../../src/pipeline/ports/deployment-history.js';

/**
 * In-memory `DeploymentHistory` for handler and decision tests. Faithful to the port contract and
 * to the DynamoDB adapter: an event is stored once per `eventId` (a second `record` answers
 * `duplicate`), records are derived with the same pure fold, and queries use the same selection.
 * `failNextRecord` lets a test see what a caller does when the store is down.
 */
export class InMemoryDeploymentHistory implements DeploymentHistory {
  private readonly events = new Map<string, HistoryEvent>();
  private pendingFailure: Error | undefined;

  /** Seeds the history, as if each event had been recorded. */
  constructor(initial: readonly HistoryEvent[] = []) {
    for (const event of initial) this.events.set(event.eventId, event);
  }

  /** Makes the next `record` call reject with `error` (once). */
  failNextRecord(error: Error): void {
    this.pendingFailure = error;
  }

  /** Every stored event, in canonical order. */
  allEvents(): HistoryEvent[] {
    return canonicalEvents([...this.events.values()]);
  }

  /** Every derived record, newest first. */
  allRecords(): DeploymentRecord[] {
    return foldDeployments([...this.events.values()]);
  }

  record(event: HistoryEvent): Promise<RecordResult> {
    const failure = this.pendingFailure;
    if (failure !== undefined) {
      this.pendingFailure = undefined;
      return Promise.reject(failure);
    }
    if (this.events.has(event.eventId)) return Promise.resolve('duplicate');
    this.events.set(event.eventId, event);
    return Promise.resolve('recorded');
  }

  latest(environment: EnvironmentName): Promise<DeploymentRecord | undefined> {
    return Promise.resolve(selectRecords(this.allRecords(), { environment, limit: 1 })[0]);
  }

  lastKnownGood(): Promise<DeploymentRecord | undefined> {
    return Promise.resolve(selectLastKnownGood(this.allRecords()));
  }

  list(query: HistoryQuery): Promise<DeploymentRecord[]> {
    return Promise.resolve(selectRecords(this.allRecords(), query));
  }

  timeline(executionId: string): Promise<HistoryEvent[]> {
    return Promise.resolve(this.allEvents().filter((event) => event.executionId === executionId));
  }

  summary(executionId: string): Promise<HistoryEvent[]> {
    return Promise.resolve(this.allEvents().filter((event) => event.executionId === executionId && isSummaryEvent(event)));
  }
}
