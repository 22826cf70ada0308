/**
 * The work-item lock: a lease held by one poller invocation (and then by the build it started), so
 * two pollers never start the same item. Pure rules; the DynamoDB adapter enforces the same rule
 * atomically with a conditional write.
 */

/** A lock as stored in the lock table, keyed by the work item id. */
export interface WorkItemLock {
  readonly workItemId: string;
  /** Who holds it: the poller invocation id that took it. The build it starts inherits it. */
  readonly owner: string;
  /** Epoch seconds after which the lease is stale and any poller may take it over. */
  readonly leaseExpiresAt: number;
  /** ISO-8601 time the lease was taken. */
  readonly acquiredAt: string;
}

/**
 * True when a new lease may be taken: no lock exists, or the existing one's lease has run out.
 * The DynamoDB condition `attribute_not_exists(workItemId) OR leaseExpiresAt <= :now` is this rule.
 */
export function lockIsFree(existing: WorkItemLock | undefined, nowEpochSeconds: number): boolean {
  return existing === undefined || existing.leaseExpiresAt <= nowEpochSeconds;
}

/** Builds the lock a poller asks for: its lease covers the longest build plus a margin. */
export function newLease(workItemId: string, owner: string, now: Date, leaseSeconds: number): WorkItemLock {
  if (!Number.isInteger(leaseSeconds) || leaseSeconds <= 0) {
    throw new RangeError(`leaseSeconds must be a positive whole number of seconds, got ${leaseSeconds}`);
  }
  return {
    workItemId,
    owner,
    leaseExpiresAt: Math.floor(now.getTime() / 1000) + leaseSeconds,
    acquiredAt: now.toISOString(),
  };
}

/** Epoch seconds of a date, the unit DynamoDB TTL and the lease comparison use. */
export function epochSeconds(at: Date): number {
  return Math.floor(at.getTime() / 1000);
}
