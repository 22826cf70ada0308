/**
 * The errors the local CodePipeline answers with, named and worded as the CodePipeline API
 * reference names them, so the SDK client raises its own exception class for each (the JSON
 * protocol's `__type` carries the name).
 */

/** Error names from the CodePipeline API reference that the local CodePipeline raises. */
export type CodePipelineErrorName =
  | 'PipelineNotFoundException'
  | 'PipelineExecutionNotFoundException'
  | 'StageNotFoundException'
  | 'ActionNotFoundException'
  | 'ConflictException'
  | 'UnableToRollbackStageException'
  | 'ValidationException'
  | 'InvalidApprovalTokenException'
  | 'ApprovalAlreadyCompletedException'
  | 'PipelineExecutionNotStoppableException'
  | 'DuplicatedStopRequestException'
  | 'UnknownOperationException';

/** A CodePipeline API error: `name` is the `__type` the JSON protocol sends. */
export class CodePipelineApiError extends Error {
  constructor(
    readonly errorName: CodePipelineErrorName,
    message: string,
  ) {
    super(message);
    this.name = errorName;
  }
}
