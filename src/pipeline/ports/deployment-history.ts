import type {
  DeploymentRecord,
  EnvironmentName,
  HistoryEvent,
  HistoryQuery,
} from '../domain/history-model.js';

/** Whether recording changed anything: a duplicate event is accepted and changes nothing. */
export type RecordResult = 'recorded' | 'duplicate';

/** The deployment history: an idempotent, order-tolerant log of deployment facts. */
export interface DeploymentHistory {
  /** Records one event. Recording the same `eventId` again returns `duplicate` and changes nothing. */
  record(event: HistoryEvent): Promise<RecordResult>;
  /** The newest deployment into the environment (any status), if any. */
  latest(environment: EnvironmentName): Promise<DeploymentRecord | undefined>;
  /**
   * The last known good release: the newest non-rollback deployment into production that succeeded
   * and passed its health check. Its commit is what a full rollback returns every environment to.
   */
  lastKnownGood(): Promise<DeploymentRecord | undefined>;
  /** Deployments matching the query, newest first. */
  list(query: HistoryQuery): Promise<DeploymentRecord[]>;
  /** Every event of one execution, in the order the facts happened. */
  timeline(executionId: string): Promise<HistoryEvent[]>;
  /**
   * The execution's summary events (domain/history/execution-summary.ts: those naming its commit or
   * a failed action), in the order the facts happened: what a notice or commit status needs, read
   * without reading the whole timeline.
   */
  summary(executionId: string): Promise<HistoryEvent[]>;
}
