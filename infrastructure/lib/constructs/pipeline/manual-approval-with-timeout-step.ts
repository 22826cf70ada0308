import { Duration, aws_codepipeline as codepipeline, aws_codepipeline_actions as actions, aws_sns as sns, pipelines } from 'aws-cdk-lib';

/** Properties of {@link ManualApprovalWithTimeoutStep}. */
export interface ManualApprovalWithTimeoutStepProps {
  /** How long the approval waits before it counts as rejected (CodePipeline: 5 minutes to 60 days). */
  readonly timeout: Duration;
  /**
   * The topic CodePipeline notifies when the approval is requested.
   * @default no notification
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * Text shown to the approver and sent in the notification; may hold `#{...}` variable references.
   * @default no additional information
   */
  readonly additionalInformation?: string;
  /**
   * A link for the approver to review (for example the dashboard).
   * @default no link
   */
  readonly externalEntityLink?: string;
}

/**
 * A manual approval with a timeout. `pipelines.ManualApprovalStep` has no timeout (it would wait
 * the default 7 days); this step renders CodePipeline's L2 `ManualApprovalAction`, which has one.
 * A rejection or an expired timeout fails the action, which stops the execution: no stage is
 * rolled back, because nothing was deployed in the approval stage.
 */
export class ManualApprovalWithTimeoutStep extends pipelines.Step implements pipelines.ICodePipelineActionFactory {
  private readonly props: ManualApprovalWithTimeoutStepProps;

  constructor(id: string, props: ManualApprovalWithTimeoutStepProps) {
    super(id);
    this.props = props;
    // Registers the step outputs referenced in the text, so CDK Pipelines gives their producers a
    // variables namespace and orders this step after them.
    this.discoverReferencedOutputs({ additionalInformation: props.additionalInformation });
  }

  /** Adds the approval action to the stage CDK Pipelines is building. */
  produceAction(stage: codepipeline.IStage, options: pipelines.ProduceActionOptions): pipelines.CodePipelineActionFactoryResult {
    stage.addAction(
      new actions.ManualApprovalAction({
        actionName: options.actionName,
        runOrder: options.runOrder,
        timeout: this.props.timeout,
        ...(this.props.notificationTopic === undefined ? {} : { notificationTopic: this.props.notificationTopic }),
        ...(this.props.additionalInformation === undefined ? {} : { additionalInformation: this.props.additionalInformation }),
        ...(this.props.externalEntityLink === undefined ? {} : { externalEntityLink: this.props.externalEntityLink }),
      }),
    );
    return { runOrdersConsumed: 1 };
  }
}
