/** What CodeBuild says about a build: still running, ended with a status, or unknown to it. */
export type BuildState =
  | { readonly kind: 'running' }
  | { readonly kind: 'ended'; readonly status: string }
  | { readonly kind: 'not-found' };

/** Reads the state of implementation builds (CodeBuild BatchGetBuilds). */
export interface BuildStatusReader {
  /** The state of each build id asked for; throws a KiroCdError when CodeBuild cannot be asked. */
  states(buildIds: readonly string[]): Promise<ReadonlyMap<string, BuildState>>;
}
