/**
 * The names under which the product's code records its AWS calls (see `call-recorder.ts`): each
 * deployed function by its construct path inside its stack (the path CDK turns into the logical id,
 * so the least-privilege proof finds the function and its role in the synthesized templates), and
 * each CLI command as `kiro-cd <command>`. A test pins that every function name matches exactly one
 * function of the synthesized templates.
 */
export const FUNCTION_CALLERS = {
  recordPipelineEvent: 'PipelineEvents/Recorder',
  notifyPipelineEvent: 'PipelineEvents/Notifier',
  publishDeliveryMetrics: 'PipelineEvents/DoraPublisher',
  updateCommitStatus: 'PipelineEvents/CommitStatus',
  healthMonitorStep: 'DeploymentSafety/HealthMonitor/StepFunction',
  alarmStateChange: 'DeploymentSafety/HealthMonitor/AlarmEventFunction',
  /** The rollback trigger: plans and starts the rollback state machine (the construct id predates the state machine). */
  rollbackOrchestrator: 'DeploymentSafety/Rollback/Orchestrator',
  /** The rollback state machine's step: advances the rollback. */
  rollbackAdvance: 'DeploymentSafety/Rollback/Advance',
  workerPoller: 'Poller/Function',
  workerBuildEnd: 'BuildEnd/Function',
} as const;

/** A deployed function's caller name. */
export type FunctionCaller = (typeof FUNCTION_CALLERS)[keyof typeof FUNCTION_CALLERS];

/** The caller name of a CLI command. */
export function cliCaller(command: string): string {
  return `kiro-cd ${command}`;
}
