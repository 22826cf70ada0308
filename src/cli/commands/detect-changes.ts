import { writeFile } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadEnvironmentsFile } from '../../shared/config/environments-file.js';
import type { DeploymentConfig } from '../../shared/config/schema.js';
import { CdkStackDiff } from '../../pipeline/adapters/cdk/cdk-stack-diff.js';
import { readAssemblyStacks } from '../../pipeline/adapters/cdk/cloud-assembly-stacks.js';
import { GitSourceDiff } from '../../pipeline/adapters/git/git-source-diff.js';
import { DynamoDbDeploymentHistory } from '../../pipeline/adapters/aws/dynamodb-deployment-history.js';
import {
  decideInfrastructureChange,
  exportedVariableLine,
  type InfrastructureDecision,
  type SourceChanges,
  type StackDiffOutcome,
} from '../../pipeline/domain/change-detection/decide-infrastructure-change.js';
import { affectsInfrastructure } from '../../pipeline/domain/change-detection/infrastructure-paths.js';
import {
  INFRASTRUCTURE_LAYER,
  LAYER_TAG,
  selectInfrastructureStacks,
  type AssemblyStack,
} from '../../pipeline/domain/change-detection/infrastructure-stacks.js';
import type { EnvironmentName } from '../../pipeline/domain/history-model.js';
import { systemClock } from '../../shared/clock.js';
import type { DeploymentHistory } from '../../pipeline/ports/deployment-history.js';
import type { SourceDiff } from '../../pipeline/ports/source-diff.js';
import type { StackDiff } from '../../pipeline/ports/stack-diff.js';
import { asKiroCdError, ConfigurationError } from '../../shared/errors.js';
import { AWS_CLI_OPTIONS, AWS_CLI_OPTIONS_HELP, awsClientConfig, resolveAwsOptions, type AwsClientConfig } from '../aws/aws-options.js';
import { parseEnvironmentOption } from '../aws/history-options.js';
import { lastDeployedRecord } from '../build/last-deployed-commit.js';
import { requiredFlag, stringFlag } from '../build/report-files.js';
import { ExitCode, type Command, type CommandContext, type OptionValues } from '../command.js';
import { recordCliCalls } from '../aws/cli-caller.js';

const USAGE =
  'kiro-cd detect-changes --environment <test|staging|production> --to <sha> [--from <sha>] [--history-table <name>] [--cdk-app cdk.out] [--stack <name>]... [--exported-variables-file <path>] [--json]';

const HELP = [
  `Usage: ${USAGE}`,
  '',
  'Decides whether an environment\'s infrastructure stage deploys or is skipped, and writes',
  'INFRA_<ENV>=deploy|skip for the CodeBuild exported variable that the stage\'s VariableCheck',
  'entry condition reads. It compares the commit last deployed to the environment with --to',
  '(git diff over infrastructure/, package.json, package-lock.json, cdk.json, cdk.context.json)',
  'and runs "cdk diff --fail" on each infrastructure stack. Any doubt deploys.',
  '',
  'Options:',
  '  --environment <name>              test, staging or production',
  '  --to <sha>                        the commit about to deploy',
  '  --from <sha>                      compare with this commit instead of the one the history knows',
  '  --history-table <name>            deployment history table (default: KIRO_CD_HISTORY_TABLE; without',
  '                                    either, and without --from, the run counts as a first deployment)',
  '  --cdk-app <dir>                   the synthesized cloud assembly (default cdk.out)',
  '  --stack <name>                    an infrastructure stack to diff (repeatable; default: the stacks of',
  `                                    the <Env>-Infrastructure stage, and stacks tagged ${LAYER_TAG}=${INFRASTRUCTURE_LAYER}`,
  '                                    named <stackPrefix>-...)',
  '  --exported-variables-file <path>  write INFRA_<ENV>=deploy|skip there (for "set -a; . <path>")',
  '  --json                            print the decision as JSON',
  '',
  AWS_CLI_OPTIONS_HELP,
  '',
  'See docs/change-detection.md.',
].join('\n');

/** What detect-changes needs from outside; tests pass fakes. */
export interface DetectChangesDeps {
  readonly config: () => DeploymentConfig | Promise<DeploymentConfig>;
  readonly openHistory: (client: AwsClientConfig, tableName: string) => DeploymentHistory;
  readonly sourceDiff: (cwd: string, env: Readonly<Record<string, string | undefined>>) => SourceDiff;
  readonly stackDiff: (options: { readonly app: string; readonly cwd: string; readonly env: Readonly<Record<string, string | undefined>> }) => StackDiff;
  readonly readStacks: (assembly: string) => Promise<AssemblyStack[]>;
}

const COMMIT = /^[0-9a-fA-F]{7,40}$/;

function commitFlag(value: string | undefined, flag: string): string | undefined {
  if (value !== undefined && !COMMIT.test(value)) {
    throw new ConfigurationError(`--${flag} must be a commit SHA (7 to 40 hex digits), not "${value}".`, { option: flag });
  }
  return value;
}

function stackFlags(value: unknown): string[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((entry) => {
    if (typeof entry !== 'string' || entry.trim() === '') throw new ConfigurationError('--stack needs a stack name, such as --stack KiroWorker-Test-Core.', { option: 'stack' });
    return entry;
  });
}

async function sourceChanges(
  deps: DetectChangesDeps,
  context: CommandContext,
  values: OptionValues,
  environment: EnvironmentName,
  to: string,
): Promise<{ readonly source: SourceChanges; readonly note: string }> {
  let from = commitFlag(stringFlag(values, 'from'), 'from');
  let note = from === undefined ? '' : `comparing with --from ${from}`;
  if (from === undefined) {
    const table = stringFlag(values, 'history-table') ?? context.env.KIRO_CD_HISTORY_TABLE;
    if (table === undefined || table === '') {
      return { source: { kind: 'first-deployment' }, note: 'no deployment history given (--history-table) and no --from: treated as a first deployment' };
    }
    const aws = resolveAwsOptions(values, context.env, { region: (await deps.config()).pipeline.region });
    try {
      const record = await lastDeployedRecord(deps.openHistory(awsClientConfig(aws), table), environment);
      if (record === undefined) return { source: { kind: 'first-deployment' }, note: `the history table ${table} has no successful deployment to ${environment}` };
      from = record.commit.id;
      note = `last successful deployment to ${environment}: ${from} (execution ${record.executionId}, ${record.startedAt})`;
    } catch (error) {
      return { source: { kind: 'unavailable', reason: `the deployment history could not be read: ${asKiroCdError(error).message}` }, note: 'history unavailable' };
    }
  }
  try {
    return { source: { kind: 'diff', from, paths: await deps.sourceDiff(context.cwd, context.env).changedPaths(from, to) }, note };
  } catch (error) {
    return { source: { kind: 'unavailable', from, reason: asKiroCdError(error).message }, note };
  }
}

function logDecision(context: CommandContext, decision: InfrastructureDecision, note: string, to: string): void {
  const lines = [`Change detection for ${decision.environment}, deploying ${to}`, `  ${note}`];
  if (decision.changedPaths.length > 0) {
    lines.push(`  changed files (${String(decision.changedPaths.length)}; * = changes infrastructure templates):`);
    for (const path of decision.changedPaths) lines.push(`    ${affectsInfrastructure(path) ? '*' : ' '} ${path}`);
  }
  for (const stack of decision.stacks) {
    lines.push(`  cdk diff ${stack.stack}: ${stack.status}`);
    if (stack.detail !== undefined) lines.push(...stack.detail.split('\n').map((line) => `      ${line}`));
  }
  lines.push(`  infrastructure: ${decision.infrastructure.toUpperCase()}`);
  lines.push(...decision.reasons.map((reason) => `    - ${reason}`));
  context.out.info(lines.join('\n'));
}

/** Builds `kiro-cd detect-changes` around its dependencies. */
export function createDetectChangesCommand(deps: DetectChangesDeps): Command {
  return {
    name: 'detect-changes',
    summary: 'Decide whether an environment\'s infrastructure deploys or is skipped (git diff + cdk diff).',
    help: HELP,
    options: {
      ...AWS_CLI_OPTIONS,
      environment: { type: 'string' },
      to: { type: 'string' },
      from: { type: 'string' },
      'history-table': { type: 'string' },
      'cdk-app': { type: 'string' },
      stack: { type: 'string', multiple: true },
      'exported-variables-file': { type: 'string' },
      json: { type: 'boolean' },
    },
    async run(context, values, positionals) {
      if (positionals.length > 0) throw new ConfigurationError(`detect-changes takes no arguments; got "${positionals.join(' ')}". Usage: ${USAGE}`);
      const environment = parseEnvironmentOption(requiredFlag(values, 'environment', USAGE));
      if (environment === undefined) throw new ConfigurationError(`--environment is required. Usage: ${USAGE}`);
      const to = commitFlag(requiredFlag(values, 'to', USAGE), 'to') ?? '';
      const config = await deps.config();
      const environmentConfig = config.environments.find((candidate) => candidate.name === environment);
      if (environmentConfig === undefined) {
        throw new ConfigurationError(`environment "${environment}" is not in infrastructure/lib/config/environments.ts; add it there or pick one of ${config.environments.map((e) => e.name).join(', ')}.`);
      }
      const app = stringFlag(values, 'cdk-app') ?? 'cdk.out';
      const appPath = isAbsolute(app) ? app : resolve(context.cwd, app);
      const named = stackFlags(values.stack);
      const stacks = named.length > 0 ? named : selectInfrastructureStacks(await deps.readStacks(appPath), { environment, stackPrefix: environmentConfig.stackPrefix }).map((stack) => stack.selector);

      const { source, note } = await sourceChanges(deps, context, values, environment, to);
      // cdk resolves from the project's node_modules/.bin first, as in an npm script.
      const env = { ...context.env, PATH: `${join(context.cwd, 'node_modules', '.bin')}${delimiter}${context.env.PATH ?? ''}` };
      const differ = deps.stackDiff({ app: appPath, cwd: context.cwd, env });
      const outcomes: StackDiffOutcome[] = [];
      for (const stack of stacks) outcomes.push(await differ.diff(stack));

      const decision = decideInfrastructureChange({ environment, to, source, stacks: outcomes });
      logDecision(context, decision, note, to);
      const line = exportedVariableLine(decision);
      const variablesFile = stringFlag(values, 'exported-variables-file');
      if (variablesFile !== undefined) {
        await writeFile(isAbsolute(variablesFile) ? variablesFile : resolve(context.cwd, variablesFile), `${line}\n`, 'utf8');
      }
      if (values.json === true) context.out.json(decision);
      context.out.info(line);
      return ExitCode.Ok;
    },
  };
}

/**
 * The real dependencies of `kiro-cd detect-changes`: git, the cdk CLI and the DynamoDB deployment
 * history, with the configuration imported from environments.ts at run time. The pipeline's bundled
 * detection (infrastructure/bin/detect-changes-entry.ts) reuses them with the configuration bundled in.
 */
export const DETECT_CHANGES_DEPS: DetectChangesDeps = {
  config: () => loadEnvironmentsFile(),
  openHistory: (client, tableName) => new DynamoDbDeploymentHistory({ client: recordCliCalls(new DynamoDBClient(client)), tableName, clock: systemClock }),
  sourceDiff: (cwd, env) => new GitSourceDiff({ cwd, env }),
  stackDiff: (options) => new CdkStackDiff(options),
  readStacks: readAssemblyStacks,
};

/** `kiro-cd detect-changes` with git, the cdk CLI and the DynamoDB deployment history. */
export const detectChangesCommand: Command = createDetectChangesCommand(DETECT_CHANGES_DEPS);
