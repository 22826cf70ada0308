import type * as kms from 'aws-cdk-lib/aws-kms';

/**
 * What the worker's application-stack components (the poller and the worker project) use of the core
 * stack: its key, their log group and the two tables. The core stack lives in another CDK Stage, so
 * these are names and ARNs (read from its SSM parameters), not constructs.
 */
export interface WorkerCoreReferences {
  /** The environment's key: encrypts what the component writes (logs, artifacts) and its environment. */
  readonly key: kms.IKey;
  /** Name of the KMS-encrypted log group (created by the core stack) the component writes to. */
  readonly logGroupName: string;
  readonly workItemsTableName: string;
  readonly workItemsTableArn: string;
  readonly lockTableName: string;
  readonly lockTableArn: string;
}
