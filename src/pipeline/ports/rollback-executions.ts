import type { RollbackProgress } from '../domain/rollback/rollback-progress.js';

/** What starting a rollback's execution led to. */
export type RollbackExecutionStart =
  | { readonly kind: 'started'; readonly executionArn: string }
  /** An execution for this rollback key exists already (another trigger started it, or it ended). */
  | { readonly kind: 'exists' };

/**
 * Where a rollback runs once its trigger has planned it: the rollback state machine, which advances
 * the progress step by step and waits between steps. One execution per rollback key.
 */
export interface RollbackExecutions {
  /** Starts the execution that carries `progress` out, named after `key` so a second start finds the first. */
  start(key: string, progress: RollbackProgress): Promise<RollbackExecutionStart>;
}
