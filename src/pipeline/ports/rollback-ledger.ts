/** What the ledger remembers about one rollback. */
export interface RollbackLease {
  readonly key: string;
  readonly rollbackId: string;
  readonly status: 'running' | 'succeeded' | 'failed';
  /** ISO-8601; a `running` lease past this time belongs to a crashed orchestrator and may be taken over. */
  readonly expiresAt: string;
  /** How it ended: `stage`, `full`, or why it failed. */
  readonly outcome?: string;
}

/** The answer to an attempt to take a lease. */
export type LeaseAttempt =
  | { readonly kind: 'acquired'; readonly lease: RollbackLease }
  /** Someone else holds it (a concurrent trigger) or it already finished: do nothing. */
  | { readonly kind: 'held'; readonly lease: RollbackLease };

/**
 * The rollback ledger: a lease per rollback key, taken with a conditional write, so duplicate or
 * concurrent triggers produce one rollback and a finished rollback is never run again.
 */
export interface RollbackLedger {
  /** Takes the lease unless it exists and is finished or still held (not expired) by another run. */
  acquire(key: string, rollbackId: string, now: Date, expiresAt: Date): Promise<LeaseAttempt>;
  /** Marks the lease finished. Only the holder (`rollbackId`) may do so. */
  finish(key: string, rollbackId: string, status: 'succeeded' | 'failed', outcome: string): Promise<void>;
  /** Reads a lease, if any. */
  get(key: string): Promise<RollbackLease | undefined>;
}
