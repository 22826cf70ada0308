/**
 * Which repository paths can change the synthesized infrastructure templates of an environment.
 *
 * - `infrastructure/**`: the CDK app itself (stacks, constructs, configuration, policy rules).
 * - `package.json`, `package-lock.json`: the aws-cdk-lib version and every construct library
 *   decide what the same code synthesizes to.
 * - `cdk.json`: feature flags and the app command change the output.
 * - `cdk.context.json`: cached context lookups feed synthesis.
 *
 * Everything else (the worker under `src/worker/`, the pipeline runtime, tests, docs) does not
 * change an infrastructure stack: the worker's code ships in the application stack. This list is a
 * cheap first signal; `cdk diff` of the environment's stacks is the second, and either one saying
 * "changed" deploys (see docs/change-detection.md).
 */

/** Paths (exact) at the repository root that change synthesized templates. */
export const INFRASTRUCTURE_ROOT_FILES: readonly string[] = ['package.json', 'package-lock.json', 'cdk.json', 'cdk.context.json'];

/** Directory prefixes whose every file may change synthesized templates. */
export const INFRASTRUCTURE_DIRECTORIES: readonly string[] = ['infrastructure/'];

/** Normalises a path as `git diff --name-only` prints it: trimmed, no leading `./`, forward slashes. */
export function normalisePath(path: string): string {
  return path.trim().replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

/** True when a change to `path` can change an environment's infrastructure templates. */
export function affectsInfrastructure(path: string): boolean {
  const normalised = normalisePath(path);
  return INFRASTRUCTURE_ROOT_FILES.includes(normalised) || INFRASTRUCTURE_DIRECTORIES.some((prefix) => normalised.startsWith(prefix));
}

/** Sorted, de-duplicated, normalised paths without empty lines. */
export function canonicalPaths(paths: readonly string[]): string[] {
  return [...new Set(paths.map(normalisePath).filter((path) => path !== ''))].sort();
}
