import {
  GetPipelineExecutionCommand,
  GetPipelineStateCommand,
  ListPipelineExecutionsCommand,
  RollbackStageCommand,
  StartPipelineExecutionCommand,
  type CodePipelineClient,
} from '@aws-sdk/client-codepipeline';
import { SOURCE_ACTION_NAME } from '../../domain/pipeline-vocabulary.js';
import { MalformedInputError, TransientError } from '../../../shared/errors.js';
import {
  NoRollbackTargetError,
  PipelineBusyError,
  type PipelineControl,
  type PipelineExecutionStatus,
  type RedeployRequest,
  type StageExecution,
  type StageRollbackInProgress,
} from '../../ports/pipeline-control.js';

/** Stage execution statuses in which CodePipeline refuses a RollbackStage of the stage for now. */
const RUNNING = new Set<string>(['InProgress', 'Stopping']);

/** Error names that mean "busy or throttled, try again" (API reference, RollbackStage and common errors). */
const BUSY_ERRORS = new Set(['ConflictException', 'ThrottlingException', 'ConcurrentPipelineExecutionsLimitExceededException', 'TooManyRequestsException']);
/** The source action whose revision a full rollback overrides: the name the pipeline plan gives it. */
export const DEFAULT_SOURCE_ACTION = SOURCE_ACTION_NAME;

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

/**
 * `PipelineControl` on CodePipeline (SDK v3). Maps the API's errors to the port's: ConflictException,
 * throttling and a refused RollbackStage while the stage is running become {@link PipelineBusyError}
 * (retry); UnableToRollbackStageException on a finished stage and PipelineExecutionOutdatedException
 * become {@link NoRollbackTargetError} (fall back to a full rollback).
 */
export class CodePipelineControl implements PipelineControl {
  constructor(
    private readonly client: Pick<CodePipelineClient, 'send'>,
    private readonly pipelineName: string,
    private readonly sourceActionName: string = DEFAULT_SOURCE_ACTION,
  ) {}

  async rollbackStage(stage: string, targetExecutionId: string): Promise<string> {
    try {
      const response = await this.call('RollbackStage', () =>
        this.client.send(new RollbackStageCommand({ pipelineName: this.pipelineName, stageName: stage, targetPipelineExecutionId: targetExecutionId })),
      );
      return this.required(response.pipelineExecutionId, 'RollbackStage');
    } catch (error) {
      // UnableToRollbackStageException has three causes (API reference): a target from an older
      // structure version, a wrong target, or "the stage is currently running". Only the first two
      // are final; a running stage (its other actions still going, or CodePipeline's own on-failure
      // rollback) is busy: retry. The stage's state tells them apart.
      if (error instanceof NoRollbackTargetError && error.context['awsError'] === 'UnableToRollbackStageException') {
        const latest = await this.stageExecution(stage);
        if (latest !== undefined && RUNNING.has(latest.status)) {
          throw new PipelineBusyError(`RollbackStage on ${this.pipelineName}: stage ${stage} is still running (${latest.status}), retry`, error.context, error);
        }
      }
      throw error;
    }
  }

  async redeploy(request: RedeployRequest): Promise<string> {
    const response = await this.call('StartPipelineExecution', () =>
      this.client.send(
        new StartPipelineExecutionCommand({
          name: this.pipelineName,
          clientRequestToken: request.clientRequestToken,
          sourceRevisions: [{ actionName: this.sourceActionName, revisionType: 'COMMIT_ID', revisionValue: request.commitId }],
          variables: Object.entries(request.variables).map(([name, value]) => ({ name, value })),
        }),
      ),
    );
    return this.required(response.pipelineExecutionId, 'StartPipelineExecution');
  }

  async executionStatus(executionId: string): Promise<PipelineExecutionStatus> {
    const response = await this.call('GetPipelineExecution', () =>
      this.client.send(new GetPipelineExecutionCommand({ pipelineName: this.pipelineName, pipelineExecutionId: executionId })),
    );
    return this.required(response.pipelineExecution?.status, 'GetPipelineExecution');
  }

  async stageExecution(stage: string): Promise<StageExecution | undefined> {
    const response = await this.call('GetPipelineState', () => this.client.send(new GetPipelineStateCommand({ name: this.pipelineName })));
    const latest = response.stageStates?.find((state) => state.stageName === stage)?.latestExecution;
    if (latest?.pipelineExecutionId === undefined || latest.status === undefined) return undefined;
    return { executionId: latest.pipelineExecutionId, status: latest.status, type: latest.type ?? 'STANDARD' };
  }

  async stageRollbacksInProgress(): Promise<readonly StageRollbackInProgress[]> {
    const state = await this.call('GetPipelineState', () => this.client.send(new GetPipelineStateCommand({ name: this.pipelineName })));
    const running = new Map<string, string>();
    for (const stageState of state.stageStates ?? []) {
      const latest = stageState.latestExecution;
      if (stageState.stageName === undefined || latest?.pipelineExecutionId === undefined || latest.type !== 'ROLLBACK' || latest.status !== 'InProgress') continue;
      running.set(latest.pipelineExecutionId, stageState.stageName);
    }
    if (running.size === 0) return [];
    // The summaries carry the rollback's target (rollbackMetadata); the newest page (100) holds any running rollback.
    const listed = await this.call('ListPipelineExecutions', () => this.client.send(new ListPipelineExecutionsCommand({ pipelineName: this.pipelineName, maxResults: 100 })));
    return (listed.pipelineExecutionSummaries ?? []).flatMap((summary) => {
      const stage = summary.pipelineExecutionId === undefined ? undefined : running.get(summary.pipelineExecutionId);
      const targetExecutionId = summary.rollbackMetadata?.rollbackTargetPipelineExecutionId;
      if (stage === undefined || summary.pipelineExecutionId === undefined || targetExecutionId === undefined || summary.executionType !== 'ROLLBACK') return [];
      return [{ stage, executionId: summary.pipelineExecutionId, targetExecutionId }];
    });
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      const name = errorName(error);
      const context = { pipeline: this.pipelineName, operation, awsError: name };
      if (BUSY_ERRORS.has(name)) throw new PipelineBusyError(`${operation} on ${this.pipelineName}: ${name}, the pipeline is busy`, context, error);
      if (name === 'UnableToRollbackStageException') {
        throw new NoRollbackTargetError(
          `${operation} on ${this.pipelineName}: no eligible rollback target (the target is from an older pipeline structure version, is itself a rollback, or the stage is running)`,
          context,
          error,
        );
      }
      if (name === 'PipelineNotFoundException' || name === 'StageNotFoundException') {
        throw new MalformedInputError(`${operation}: ${name} for pipeline ${this.pipelineName}; check the pipeline name and stage names in the configuration`, context, error);
      }
      if (name === 'PipelineExecutionNotFoundException') {
        throw new NoRollbackTargetError(`${operation} on ${this.pipelineName}: the execution does not exist`, context, error);
      }
      if (name === 'PipelineExecutionOutdatedException') {
        // "The specified pipeline execution is outdated and cannot be used as a target pipeline execution for rollback."
        throw new NoRollbackTargetError(`${operation} on ${this.pipelineName}: the target execution is outdated`, context, error);
      }
      throw new TransientError(`${operation} on ${this.pipelineName} failed: ${error instanceof Error ? error.message : String(error)}`, context, error);
    }
  }

  private required<T>(value: T | undefined, operation: string): T {
    if (value === undefined) throw new MalformedInputError(`${operation} answered without the expected field; the API reply was malformed`, { operation });
    return value;
  }
}
