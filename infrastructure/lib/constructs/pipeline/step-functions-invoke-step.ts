import { aws_codepipeline as codepipeline, aws_codepipeline_actions as actions, aws_stepfunctions as sfn, pipelines } from 'aws-cdk-lib';

/** Properties of {@link StepFunctionsInvokeStep}. */
export interface StepFunctionsInvokeStepProps {
  /** The state machine to run; the action succeeds exactly when its execution succeeds. */
  readonly stateMachine: sfn.IStateMachine;
  /**
   * The execution input. Values may hold CodePipeline variable references such as
   * `#{codepipeline.PipelineExecutionId}`; CodePipeline resolves them when the action runs.
   * @default {} (an empty JSON object)
   */
  readonly input?: Readonly<Record<string, string>>;
  /**
   * Prefix of the execution name, so executions can be told apart in the console.
   * @default the action name
   */
  readonly executionNamePrefix?: string;
}

/**
 * A CDK Pipelines step that runs a Step Functions state machine through CodePipeline's native
 * StepFunctions invoke action. CDK Pipelines has no such step; this one plugs the L2 action in
 * through {@link pipelines.ICodePipelineActionFactory}.
 *
 * The action succeeds when the execution ends in Succeed and fails when it ends in Fail, times out
 * or is aborted, so a failed execution fails the stage (and its on-failure rollback applies).
 */
export class StepFunctionsInvokeStep extends pipelines.Step implements pipelines.ICodePipelineActionFactory {
  private readonly props: StepFunctionsInvokeStepProps;

  constructor(id: string, props: StepFunctionsInvokeStepProps) {
    super(id);
    this.props = props;
  }

  /** Adds the StepFunctions invoke action to the stage CDK Pipelines is building. */
  produceAction(stage: codepipeline.IStage, options: pipelines.ProduceActionOptions): pipelines.CodePipelineActionFactoryResult {
    stage.addAction(
      new actions.StepFunctionInvokeAction({
        actionName: options.actionName,
        runOrder: options.runOrder,
        stateMachine: this.props.stateMachine,
        stateMachineInput: actions.StateMachineInput.literal({ ...(this.props.input ?? {}) }),
        executionNamePrefix: this.props.executionNamePrefix ?? options.actionName,
      }),
    );
    return { runOrdersConsumed: 1 };
  }
}
