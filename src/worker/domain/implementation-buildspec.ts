/**
 * The buildspecs of the implementation project, the CodeBuild project that runs a customer's command
 * under a role that can only write its own logs. Pure: the stack renders them, the poller sends one.
 *
 * The poller sends the command's buildspec with every StartBuild (`buildspecOverride`), so what a
 * build runs always comes with the work item it runs for. The project's own buildspec only refuses:
 * a build started by hand, without a work item, fails at once instead of running the command.
 */

/**
 * What an implementation build runs unless the stack is told otherwise: check out the item's branch
 * (a public GitHub repository: docs/application.md, "Private repositories") and run its tests. The
 * Kiro agent's command replaces it through the application stack's `implementationCommand`.
 */
export const DEFAULT_IMPLEMENTATION_COMMAND =
  'git clone --depth 1 --branch "$KIRO_BRANCH" "https://github.com/$KIRO_REPOSITORY.git" work && cd work && npm ci && npm test';

function buildspec(nodeVersion: string, commands: readonly string[]): string {
  return JSON.stringify({ version: '0.2', phases: { install: { 'runtime-versions': { nodejs: nodeVersion } }, build: { commands } } });
}

/**
 * The buildspec (JSON, which CodeBuild reads as YAML) that runs `command` on Node.js `nodeVersion`.
 * The command's exit code is the build's result: SUCCEEDED marks the item done, anything else failed.
 */
export function implementationBuildspec(command: string, nodeVersion: string): string {
  if (command.trim() === '') throw new RangeError('The implementation command is empty: give the application stack an implementationCommand, or leave it out for the default.');
  return buildspec(nodeVersion, [command]);
}

/** The project's own buildspec, run only when a build is started without the poller's override. */
export function refusingBuildspec(nodeVersion: string): string {
  return buildspec(nodeVersion, ['echo "Implementation builds run one work item each and are started by the Kiro worker poller, which sends the buildspec." >&2', 'exit 1']);
}
