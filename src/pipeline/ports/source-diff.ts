/** The files that changed between two commits of the repository. */
export interface SourceDiff {
  /**
   * Paths changed between `from` and `to` (as `git diff --name-only from..to` lists them).
   * Rejects with a KiroCdError when the diff cannot be computed, such as when `from` is not in the
   * clone; callers treat that as "unknown" and fail safe.
   */
  changedPaths(from: string, to: string): Promise<string[]>;
}
