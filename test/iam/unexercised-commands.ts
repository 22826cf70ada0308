/**
 * Command classes the runtime code imports that the least-privilege exercise never sends, and why.
 * The test fails on an unexercised command class not listed here.
 */
const BUILD_STAGE_ONLY = 'only kiro-cd publish-build-metrics sends it, inside the pipeline\'s build project (a build-stage command, not an operator one: the operator policy does not grant it)';

export const UNEXERCISED_COMMANDS: Readonly<Record<string, string>> = {
  'CloudFormation:GetTemplate':
    "only kiro-cd pipeline-changed sends it, inside the pipeline's Build project (a build-stage command); test/integration/synth/pipeline-changed-permissions.test.ts proves the Build role may read exactly the stacks self-mutation deploys",
  'CloudWatch:PutMetricData': BUILD_STAGE_ONLY,
  'SFN:SendTaskHeartbeat': 'only kiro-cd approve/reject send it, with an impossible token, to tell an endpoint that serves task tokens from one that does not (src/cli/aws/task-token-probe.ts)',
  'CodePipeline:ListPipelineExecutions':
    'the rollback step and kiro-cd rollback send it only when a full rollback starts while a stage rollback runs (a retried step adopting its own, docs/rollback.md); the emulator serves no CodePipeline runtime calls, the local CodePipeline tests cover it (test/unit/pipeline/domain/rollback/full-rollback.test.ts)',
  'CodeBuild:BatchGetBuilds': 'the exercise leaves the work-item table empty, so the sweep finds no unfinished build to look up; the e2e suite sends it only when its build does not finish in time',
};
