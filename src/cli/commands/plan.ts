import { ENVIRONMENT_NAMES, type EnvironmentName } from '../../shared/config/schema.js';
import { planPipeline } from '../../pipeline/domain/plan/pipeline-plan.js';
import { deployedStages } from '../../pipeline/domain/plan/plan-queries.js';
import { infraVariableName } from '../../pipeline/domain/pipeline-vocabulary.js';
import { stageRole } from '../../pipeline/domain/stage-names.js';
import { loadEnvironmentsFile } from '../../shared/config/environments-file.js';
import { GitSourceDiff } from '../../pipeline/adapters/git/git-source-diff.js';
import {
  decideInfrastructureChange,
  type InfrastructureDecision,
  type StackDiffOutcome,
} from '../../pipeline/domain/change-detection/decide-infrastructure-change.js';
import { affectsInfrastructure } from '../../pipeline/domain/change-detection/infrastructure-paths.js';
import type { SourceDiff } from '../../pipeline/ports/source-diff.js';
import { ConfigurationError } from '../../shared/errors.js';
import type { DeploymentConfig } from '../../shared/config/schema.js';
import { ExitCode, type Command } from '../command.js';
import { parseEnvironmentOption } from '../aws/history-options.js';
import { renderTable } from '../aws/table.js';

/** What the plan command needs from outside. */
export interface PlanCommandDeps {
  readonly config: () => DeploymentConfig | Promise<DeploymentConfig>;
  /** Lists changed files between two commits of the repository at `cwd`. */
  readonly sourceDiff: (cwd: string) => SourceDiff;
}

/** What one environment would deploy for the commit range. */
export interface EnvironmentPlan {
  readonly environment: EnvironmentName;
  readonly decision: InfrastructureDecision;
  /** Stage by stage: run or skipped by its entry condition. */
  readonly stages: readonly { readonly stage: string; readonly outcome: 'run' | 'skipped' }[];
}

const HELP = `Usage: kiro-cd plan <from> <to> [--environment <env>] [--repository <dir>] [--output json|table]

Shows what deploying commit <to> after <from> would do, per environment: whether the infrastructure
stage deploys or is skipped (and why), which changed files touch the infrastructure, and which stages
run. It runs the pipeline's own change detection on \`git diff <from> <to>\`.

The comparison is by source: the infrastructure stacks count as changed exactly when a file that
feeds the synthesized templates changed (infrastructure/, package.json, package-lock.json, cdk.json,
cdk.context.json). In the pipeline, \`kiro-cd detect-changes\` also runs \`cdk diff\` against what is
deployed; a plan needs no AWS access.

Arguments:
  <from>                  The commit an environment runs now (SHA, branch or tag).
  <to>                    The commit to deploy.

Options:
  --environment <env>     Only this environment: test, staging or production.
  --repository <dir>      The git working copy (default: the current directory).
  --output json|table     Output format (default: table).

Exit codes: 0 planned, 2 bad arguments or a commit git does not know.`;

/** Runs change detection for every environment over the commit range. */
export async function planRange(
  config: DeploymentConfig,
  diff: SourceDiff,
  from: string,
  to: string,
  environments: readonly EnvironmentName[],
): Promise<EnvironmentPlan[]> {
  const paths = await diff.changedPaths(from, to);
  const infrastructurePaths = paths.filter(affectsInfrastructure);
  const decisions = config.environments
    .filter((environment) => environments.includes(environment.name))
    .map((environment) => {
      const stacks: StackDiffOutcome[] = [
        infrastructurePaths.length === 0
          ? { stack: `${environment.stackPrefix}-Core`, status: 'unchanged', detail: 'no file that feeds its template changed' }
          : { stack: `${environment.stackPrefix}-Core`, status: 'changed', detail: `${infrastructurePaths.length} infrastructure file(s) changed` },
      ];
      return decideInfrastructureChange({ environment: environment.name, to, source: { kind: 'diff', from, paths }, stacks, comparedBy: 'source' });
    });
  const variables = Object.fromEntries(decisions.map((decision) => [infraVariableName(decision.environment), decision.infrastructure]));
  const stageOutcomes = deployedStages(planPipeline(config, { healthMonitor: true }), variables);
  return decisions.map((decision) => ({
    environment: decision.environment,
    decision,
    stages: stageOutcomes.filter((outcome) => stageRole(outcome.stage, [decision.environment]).kind !== 'pipeline'),
  }));
}

/** Builds the `plan` command around its dependencies. */
export function createPlanCommand(deps: PlanCommandDeps): Command {
  return {
    name: 'plan',
    summary: 'Show what a commit range would deploy: changed stacks and skipped stages per environment.',
    help: HELP,
    options: { environment: { type: 'string' }, repository: { type: 'string' }, output: { type: 'string' } },
    async run(context, values, positionals) {
      const [from, to, ...extra] = positionals;
      if (from === undefined || to === undefined || extra.length > 0) {
        throw new ConfigurationError(`plan takes exactly two commits, <from> and <to>; got ${positionals.length} argument(s). Example: kiro-cd plan 3f2a9c1 HEAD`);
      }
      const output = values.output ?? 'table';
      if (output !== 'json' && output !== 'table') throw new ConfigurationError(`--output must be "json" or "table", not ${JSON.stringify(output)}.`);
      const only = parseEnvironmentOption(values.environment);
      const repository = typeof values.repository === 'string' ? values.repository : context.cwd;
      const plans = await planRange(await deps.config(), deps.sourceDiff(repository), from, to, only === undefined ? ENVIRONMENT_NAMES : [only]);
      if (output === 'json') {
        context.out.json(plans);
        return ExitCode.Ok;
      }
      context.out.info(`Plan for ${from}..${to}\n`);
      context.out.info(
        renderTable(
          [
            { heading: 'ENVIRONMENT', cell: (plan: EnvironmentPlan) => plan.environment },
            { heading: 'INFRASTRUCTURE', cell: (plan) => plan.decision.infrastructure },
            { heading: 'STAGES', cell: (plan) => plan.stages.map((stage) => `${stage.stage} ${stage.outcome}`).join(', ') },
            { heading: 'WHY', cell: (plan) => plan.decision.reasons.join('; ') },
          ],
          plans,
        ),
      );
      const changed = plans[0]?.decision.infrastructurePaths ?? [];
      context.out.info(changed.length === 0 ? '\nNo infrastructure file changed.' : `\nInfrastructure files changed:\n${changed.map((path) => `  ${path}`).join('\n')}`);
      return ExitCode.Ok;
    },
  };
}

/** `kiro-cd plan` on the configuration and the git working copy. */
export const planCommand: Command = createPlanCommand({
  config: () => loadEnvironmentsFile(),
  sourceDiff: (cwd) => new GitSourceDiff({ cwd }),
});
