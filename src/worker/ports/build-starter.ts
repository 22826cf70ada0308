/** What an implementation build needs to know about its work item. */
export interface BuildRequest {
  readonly workItemId: string;
  readonly repository: string;
  readonly branch: string;
  /** The lock owner; the build-state-change handler releases the lock under this name when the build ends. */
  readonly lockOwner: string;
}

/** Starts builds of the implementation project (the customer's command, never under the worker's role). */
export interface BuildStarter {
  /** Starts one build and returns its id; throws a KiroCdError (transient or user) when it cannot. */
  start(request: BuildRequest): Promise<{ readonly buildId: string }>;
}
