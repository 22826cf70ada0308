/** What a build of the worker project needs to know about its work item. */
export interface BuildRequest {
  readonly workItemId: string;
  readonly repository: string;
  readonly branch: string;
  /** The lock owner; the build releases the lock under this name when it finishes. */
  readonly lockOwner: string;
}

/** Starts builds of the worker's CodeBuild project. */
export interface BuildStarter {
  /** Starts one build and returns its id; throws a KiroCdError (transient or user) when it cannot. */
  start(request: BuildRequest): Promise<{ readonly buildId: string }>;
}
