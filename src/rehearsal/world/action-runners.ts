/**
 * Which runner does an action's work in the rehearsal, chosen from the action's type and the
 * template resources it names, never from a hand-kept list of actions:
 * - Source: the scenario repository's commit (the override, or the branch head), with the output
 *   variables of a CodeStar connection source.
 * - Build/Test CodeBuild: a project whose buildspec runs `detect-changes` runs the real detection; a
 *   project whose buildspec deploys the pipeline stack (CDK Pipelines' self-mutation) updates the
 *   local pipeline to the structure the commit synthesizes; any other project (builds, suites,
 *   asset publishing) takes the outcome the scenario scripts for the commit (default success).
 * - Deploy CloudFormation: records the stack deployed; when the stack holds a Lambda deployment
 *   group, CodeDeploy shifts its alias: the commit now runs in the environment, unless CodeDeploy's
 *   own alarm check stops it (an alarm of the group's `AlarmConfiguration` in ALARM fails the stack
 *   update). Deploy CodeDeploy actions do the same for their group.
 * - Invoke StepFunctions: the synthesized state machine, run locally.
 */
import { ENVIRONMENT_NAMES } from '../../shared/config/schema.js';
import { stageRole } from '../../pipeline/domain/stage-names.js';
import type { ActionInvocation, ActionResult, ActionRunner, ActionRunnerLookup } from '../../local/codepipeline/action-runner.js';
import type { AlarmStateReader } from '../../local/codepipeline/stage-conditions.js';
import type { CommitInfo, EnvironmentName } from '../../pipeline/domain/history-model.js';
import { PIPELINE_CHANGED_VARIABLE } from '../../pipeline/domain/change-detection/pipeline-definition-change.js';
import type { DeployRecords } from './deploy-records.js';
import type { TemplateDeploymentGroup, TemplateProject } from './template-projects.js';

/** What the runners work with. */
export interface RehearsalRunnerOptions {
  readonly projects: ReadonlyMap<string, TemplateProject>;
  readonly deploymentGroups: ReadonlyMap<string, TemplateDeploymentGroup>;
  readonly records: DeployRecords;
  readonly alarms: AlarmStateReader;
  /** The commit an execution builds (what its source action fetched). */
  readonly commitOf: (executionId: string) => string | undefined;
  /** The source: the commit to fetch (the override, or the branch head) and its details. */
  readonly fetchCommit: (revision: string | undefined) => CommitInfo & { readonly repository: string };
  /** The template a commit synthesizes for a stack (what CloudFormation would receive). */
  readonly templateOf: (commitId: string, stackName: string) => string;
  /** The scripted outcome of a CodeBuild action for a commit, as `<stage>.<action>`; undefined means success. */
  readonly scripted: (commitId: string, stageAndAction: string) => ActionResult | undefined;
  readonly detect: (project: TemplateProject, commitId: string) => Promise<ActionResult>;
  /** Self-mutation: the pipeline stack deploy of the commit. */
  readonly selfMutate: (commitId: string) => void;
  /**
   * What `kiro-cd pipeline-changed` in the Build finds for a commit: whether the pipeline it
   * synthesizes differs from the one deployed (UpdatePipeline's entry condition reads it).
   */
  readonly pipelineChanged: (commitId: string) => boolean;
  /** The pipeline stack's name: a project deploying it is the self-mutation. */
  readonly pipelineStackName: string;
  readonly stepFunctions: ActionRunner;
  readonly now: () => Date;
}

function environmentOf(stageName: string): EnvironmentName | undefined {
  const role = stageRole(stageName, ENVIRONMENT_NAMES);
  return role.kind === 'pipeline' ? undefined : role.environment;
}

/** The CloudFormation action's `ParameterOverrides` (a JSON object), or undefined when it is not JSON. */
function parameterOverrides(text: string | undefined): Record<string, string> | undefined {
  try {
    return JSON.parse(text ?? '{}') as Record<string, string>;
  } catch {
    return undefined;
  }
}

function missingCommit(invocation: ActionInvocation): ActionResult {
  return { status: 'Failed', summary: `No source commit is known for execution ${invocation.executionId}.` };
}

/** The runner lookup for the rehearsal's local CodePipeline. */
export function rehearsalRunners(options: RehearsalRunnerOptions): ActionRunnerLookup {
  const source: ActionRunner = (invocation) => {
    const commit = options.fetchCommit(invocation.sourceRevision);
    return Promise.resolve({
      status: 'Succeeded',
      externalExecutionId: commit.id,
      // A CodeStar connection source reports its summary as JSON (the recorder reads the message from it).
      summary: JSON.stringify({ ProviderType: 'GitHub', CommitMessage: commit.message ?? '' }),
      outputVariables: {
        CommitId: commit.id,
        CommitMessage: commit.message ?? '',
        AuthorDisplayName: commit.author ?? '',
        BranchName: invocation.configuration.BranchName ?? 'main',
        FullRepositoryName: commit.repository,
        ProviderType: 'GitHub',
        ConnectionArn: invocation.configuration.ConnectionArn ?? '',
      },
    });
  };

  const codeBuild: ActionRunner = async (invocation) => {
    const commitId = options.commitOf(invocation.executionId);
    if (commitId === undefined) return missingCommit(invocation);
    const project = options.projects.get(invocation.configuration.ProjectName ?? '');
    if (project === undefined) return { status: 'Failed', summary: `No CodeBuild project ${invocation.configuration.ProjectName ?? ''} in the synthesized templates.` };
    if (project.buildSpec.includes('detect-changes')) return options.detect(project, commitId);
    if (/cdk\b[^\n"]*\bdeploy\b/.test(project.buildSpec) && project.buildSpec.includes(options.pipelineStackName)) {
      options.selfMutate(commitId);
      return { status: 'Succeeded', summary: `deployed ${options.pipelineStackName} as ${commitId.slice(0, 8)} synthesizes it` };
    }
    const result = options.scripted(commitId, `${invocation.stageName}.${invocation.action.name}`) ?? { status: 'Succeeded', summary: `${invocation.action.name} passed (scripted)` };
    // The Build's own comparison of the pipeline's templates is not scripted: it follows the commit.
    if (result.status !== 'Succeeded' || !project.buildSpec.includes(' pipeline-changed ')) return result;
    return { ...result, outputVariables: { ...result.outputVariables, [PIPELINE_CHANGED_VARIABLE]: String(options.pipelineChanged(commitId)) } };
  };

  /** CodeDeploy's own check while it deploys: an alarm of the group's AlarmConfiguration in ALARM stops the deployment. */
  const alarmStop = async (group: TemplateDeploymentGroup): Promise<string | undefined> => {
    for (const alarm of group.alarms) {
      if ((await options.alarms.stateOf(alarm)) === 'ALARM') return `CodeDeploy stopped the deployment: alarm ${alarm} of ${group.name} is in ALARM.`;
    }
    return undefined;
  };

  const recordCodeDeployment = (invocation: ActionInvocation, group: TemplateDeploymentGroup, commitId: string): void => {
    const environment = environmentOf(invocation.stageName);
    if (environment !== undefined) options.records.recordApplication({ environment, application: group.application, deploymentGroup: group.name, commitId, executionId: invocation.executionId, at: options.now() });
  };

  const cloudFormation: ActionRunner = async (invocation) => {
    const commitId = options.commitOf(invocation.executionId);
    if (commitId === undefined) return missingCommit(invocation);
    const mode = invocation.configuration.ActionMode ?? 'CREATE_UPDATE';
    const stackName = invocation.configuration.StackName ?? '';
    const environment = environmentOf(invocation.stageName);
    // A change set is prepared first (CHANGE_SET_REPLACE) and deployed by the execute action.
    if (mode === 'CHANGE_SET_REPLACE' || environment === undefined) return { status: 'Succeeded', summary: `${mode} ${stackName} at ${commitId.slice(0, 8)}` };
    const parameters = parameterOverrides(invocation.configuration.ParameterOverrides);
    if (parameters === undefined) return { status: 'Failed', summary: `ParameterOverrides of ${stackName} is not JSON.` };
    // A stack with a Lambda deployment group updates its alias through CodeDeploy: CodeDeploy's alarm check applies.
    const groups = [...options.deploymentGroups.values()].filter((group) => group.stackName === stackName);
    for (const group of groups) {
      const stopped = await alarmStop(group);
      if (stopped !== undefined) return { status: 'Failed', summary: `Stack ${stackName} UPDATE_FAILED: ${stopped}` };
    }
    options.records.recordStack({ environment, stackName, template: options.templateOf(commitId, stackName), parameters, commitId, executionId: invocation.executionId, at: options.now() });
    for (const group of groups) recordCodeDeployment(invocation, group, commitId);
    return { status: 'Succeeded', summary: `${mode} ${stackName} at ${commitId.slice(0, 8)}` };
  };

  const codeDeploy: ActionRunner = async (invocation) => {
    const commitId = options.commitOf(invocation.executionId);
    if (commitId === undefined) return missingCommit(invocation);
    const key = `${invocation.configuration.ApplicationName ?? ''}/${invocation.configuration.DeploymentGroupName ?? ''}`;
    const group = options.deploymentGroups.get(key);
    if (group === undefined) return { status: 'Failed', summary: `No CodeDeploy deployment group ${key} in the synthesized templates.` };
    const stopped = await alarmStop(group);
    if (stopped !== undefined) return { status: 'Failed', summary: stopped };
    recordCodeDeployment(invocation, group, commitId);
    return { status: 'Succeeded', summary: `${commitId.slice(0, 8)} deployed to ${group.name}` };
  };

  const byType: Readonly<Record<string, ActionRunner>> = {
    'Build/CodeBuild': codeBuild,
    'Test/CodeBuild': codeBuild,
    'Deploy/CloudFormation': cloudFormation,
    'Deploy/CodeDeploy': codeDeploy,
    'Invoke/StepFunctions': options.stepFunctions,
  };
  return (_stage, action) => (action.category === 'Source' ? source : byType[`${action.category}/${action.provider}`]);
}
