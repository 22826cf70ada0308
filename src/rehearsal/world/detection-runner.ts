/**
 * Runs a change-detection CodeBuild action as its buildspec runs it: the `kiro-cd detect-changes`
 * command line of the project's buildspec, with CodeBuild's variables filled in, through the real
 * command on the scenario's git repository and the deployment history on the emulator. Its
 * exported variables (the buildspec's `exported-variables`) come back as the action's output
 * variables. Only `cdk diff` is stood in for: it compares the template the commit synthesizes with
 * the one the CloudFormation deploy action last recorded for the stack (what CloudFormation holds).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingOutput } from '../../cli/output.js';
import { runCli } from '../../cli/run-cli.js';
import { createDetectChangesCommand } from '../../cli/commands/detect-changes.js';
import { GitSourceDiff } from '../../pipeline/adapters/git/git-source-diff.js';
import type { StackDiffOutcome } from '../../pipeline/domain/change-detection/decide-infrastructure-change.js';
import type { AssemblyStack } from '../../pipeline/domain/change-detection/infrastructure-stacks.js';
import type { EnvironmentName } from '../../pipeline/domain/history-model.js';
import type { DeploymentHistory } from '../../pipeline/ports/deployment-history.js';
import type { DeploymentConfig } from '../../shared/config/schema.js';
import type { ActionResult } from '../../local/codepipeline/action-runner.js';
import type { DeployRecords } from './deploy-records.js';
import type { ReleaseRepository } from '../release-repository.js';

/** What the detection runs against. */
export interface DetectionContext {
  readonly config: DeploymentConfig;
  readonly repository: ReleaseRepository;
  readonly records: DeployRecords;
  readonly openHistory: (tableName: string) => DeploymentHistory;
  readonly readStacks: () => Promise<AssemblyStack[]>;
}

const DETECT = /(?:^|\s)detect-changes\s+(.*)$/;

/** The shell commands of a buildspec, every phase in order (JSON as CDK writes it, or YAML list items). */
function commandsOf(buildSpec: string): string[] {
  try {
    const parsed = JSON.parse(buildSpec) as { phases?: Record<string, { commands?: unknown }> };
    return Object.values(parsed.phases ?? {}).flatMap((phase) => (Array.isArray(phase.commands) ? phase.commands.map(String) : []));
  } catch {
    return buildSpec.split(/\r?\n/).map((line) => line.replace(/^\s*-\s*/, '').trim());
  }
}

/** The detect-changes command line of a buildspec (its arguments), or undefined when the project runs none. */
export function detectionCommandLine(buildSpec: string): string | undefined {
  for (const command of commandsOf(buildSpec)) {
    const found = DETECT.exec(command);
    if (found?.[1] !== undefined) return found[1];
  }
  return undefined;
}

/** The exported-variables names of a buildspec (`env.exported-variables`); empty when it cannot be read as JSON (every variable is kept then). */
function exportedVariables(buildSpec: string): string[] {
  try {
    const parsed = JSON.parse(buildSpec) as { env?: { 'exported-variables'?: string[] } };
    return parsed.env?.['exported-variables'] ?? [];
  } catch {
    return [];
  }
}

/** Fills `$NAME` and `${NAME}` from the build's environment, as the shell would. */
function expand(argument: string, variables: Readonly<Record<string, string>>): string {
  return argument.replace(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g, (_, name: string) => variables[name] ?? '');
}

function parseExports(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .map((line) => /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim()))
      .flatMap((match) => (match === null ? [] : [[match[1] ?? '', match[2] ?? '']])),
  );
}

/**
 * Runs the detection line of `buildSpec` for `commitId`. `projectVariables` are the project's
 * environment variables; CodeBuild adds CODEBUILD_RESOLVED_SOURCE_VERSION (the commit built).
 */
export async function runDetection(context: DetectionContext, buildSpec: string, projectVariables: Readonly<Record<string, string>>, commitId: string): Promise<ActionResult> {
  const line = detectionCommandLine(buildSpec);
  if (line === undefined) return { status: 'Failed', summary: 'The project runs no detect-changes command.' };
  const environment = { ...projectVariables, CODEBUILD_RESOLVED_SOURCE_VERSION: commitId };
  const argv = line.split(/\s+/).filter((part) => part !== '').map((part) => expand(part, environment));
  // The exported-variables file goes to a scratch directory, so the scenario's repository stays clean.
  const scratch = mkdtempSync(join(tmpdir(), 'kiro-detect-'));
  const fileIndex = argv.indexOf('--exported-variables-file');
  const exportsFile = join(scratch, 'exported.env');
  if (fileIndex >= 0) argv[fileIndex + 1] = exportsFile;
  // `cdk diff` takes a selector (`<stage>/Core`); CloudFormation knows the stack by its name.
  const stackNames = new Map((await context.readStacks()).map((stack) => [stack.selector, stack.stackName]));
  const stackDiff = (environmentName: EnvironmentName) => ({
    diff: (stack: string): Promise<StackDiffOutcome> => {
      const stackName = stackNames.get(stack) ?? stack;
      const deployed = context.records.lastStack(environmentName, stackName);
      if (deployed === undefined) return Promise.resolve({ stack, status: 'changed', detail: 'the stack has never been deployed' });
      const same = JSON.stringify(JSON.parse(deployed.template)) === JSON.stringify(JSON.parse(context.repository.templateAt(commitId)));
      return Promise.resolve(same ? { stack, status: 'unchanged' } : { stack, status: 'changed', detail: `template differs from the one deployed by ${deployed.commitId.slice(0, 8)}` });
    },
  });
  const environmentName = context.config.environments.find((candidate) => argv.join(' ').includes(`--environment ${candidate.name}`))?.name;
  const command = createDetectChangesCommand({
    config: () => context.config,
    openHistory: (_client, tableName) => context.openHistory(tableName),
    sourceDiff: (cwd, env) => new GitSourceDiff({ cwd, env }),
    stackDiff: () => stackDiff(environmentName ?? 'test'),
    readStacks: () => context.readStacks(),
  });
  const out = new RecordingOutput();
  try {
    const code = await runCli([command], ['detect-changes', ...argv], { out, env: { ...process.env, ...environment }, cwd: context.repository.directory });
    if (code !== 0) return { status: 'Failed', summary: `kiro-cd detect-changes exited ${code}: ${out.stderr.slice(-500)}` };
    const exported = parseExports(readFileSync(exportsFile, 'utf8'));
    const wanted = exportedVariables(buildSpec);
    const outputVariables = Object.fromEntries(Object.entries(exported).filter(([name]) => wanted.length === 0 || wanted.includes(name)));
    return { status: 'Succeeded', summary: out.stdout.trim().split('\n').at(-1) ?? 'detected', outputVariables };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
