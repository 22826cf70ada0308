/** A GitHub commit status: state, context (`kiro-cd/<environment>`), one-line description, link. */
export interface CommitStatusUpdate {
  readonly state: 'pending' | 'success' | 'failure' | 'error';
  readonly context: string;
  /** At most 140 characters (GitHub's limit). */
  readonly description: string;
  readonly targetUrl: string;
}

/** Sets the status of a commit on the source repository. */
export interface CommitStatusPublisher {
  /** Rejects with a KiroCdError when the status could not be set after the adapter's retries. */
  publish(commitId: string, status: CommitStatusUpdate): Promise<void>;
}
