/**
 * Key schema of the worker's two tables, shared by the CDK stack that creates them and the adapters
 * that read them, so the two cannot drift apart.
 */
export const WORK_ITEMS_TABLE_KEYS = {
  partitionKey: 'workItemId',
  /** Global secondary index the poller queries for ready items, oldest first. */
  statusIndexName: 'by-status',
  statusIndexPartitionKey: 'status',
  statusIndexSortKey: 'updatedAt',
} as const;

export const LOCK_TABLE_KEYS = {
  partitionKey: 'workItemId',
  /** TTL attribute (epoch seconds): abandoned locks disappear some time after their lease ran out. */
  timeToLiveAttribute: 'expiresAt',
} as const;

/** How long after its lease a lock record is kept for diagnosis before DynamoDB TTL removes it. */
export const LOCK_RETENTION_AFTER_LEASE_SECONDS = 7 * 24 * 3600;
