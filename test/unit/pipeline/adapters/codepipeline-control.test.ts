import { GetPipelineStateCommand, ListPipelineExecutionsCommand, RollbackStageCommand } from '@aws-sdk/client-codepipeline';
import { describe, expect, it } from 'vitest';
import { CodePipelineControl } from '../../../../src/pipeline/adapters/aws/codepipeline-control.js';
import { NoRollbackTargetError, PipelineBusyError } from '../../../../src/pipeline/ports/pipeline-control.js';

/** An AWS SDK error as the client throws it: the error's name is the API's exception name. */
function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

/** A client whose RollbackStage fails with `rollbackError` and whose GetPipelineState shows the stage `status`. */
function client(rollbackError: Error, status: string): { send: (command: unknown) => Promise<unknown> } {
  return {
    send: (command: unknown) => {
      if (command instanceof RollbackStageCommand) return Promise.reject(rollbackError);
      if (command instanceof GetPipelineStateCommand) {
        return Promise.resolve({ stageStates: [{ stageName: 'Staging-Application', latestExecution: { pipelineExecutionId: 'e-3', status, type: 'STANDARD' } }] });
      }
      return Promise.reject(new Error('unexpected command'));
    },
  };
}

describe('CodePipelineControl.rollbackStage errors (RollbackStage API reference)', () => {
  const unable = awsError('UnableToRollbackStageException', 'Unable to roll back the stage. The stage is currently running.');

  it.each(['InProgress', 'Stopping'])('treats UnableToRollbackStageException on a %s stage as busy: retry, do not fall back', async (status) => {
    const control = new CodePipelineControl(client(unable, status) as never, 'kiro-codebuild-worker');
    await expect(control.rollbackStage('Staging-Application', 'e-2')).rejects.toBeInstanceOf(PipelineBusyError);
  });

  it.each(['Failed', 'Succeeded', 'Stopped'])('treats UnableToRollbackStageException on a %s stage as no eligible target', async (status) => {
    const control = new CodePipelineControl(client(unable, status) as never, 'kiro-codebuild-worker');
    await expect(control.rollbackStage('Staging-Application', 'e-2')).rejects.toBeInstanceOf(NoRollbackTargetError);
  });

  it('treats ConflictException ("the pipeline is busy handling ongoing activities") as busy: retry with backoff', async () => {
    const conflict = awsError('ConflictException', 'Your request cannot be handled because the pipeline is busy handling ongoing activities. Try again later.');
    const control = new CodePipelineControl(client(conflict, 'Failed') as never, 'kiro-codebuild-worker');
    await expect(control.rollbackStage('Staging-Application', 'e-2')).rejects.toBeInstanceOf(PipelineBusyError);
  });

  it('treats PipelineExecutionOutdatedException (an outdated target) as no eligible target, so the full rollback follows', async () => {
    const outdated = awsError('PipelineExecutionOutdatedException', 'The specified pipeline execution is outdated and cannot be used as a target pipeline execution for rollback.');
    const control = new CodePipelineControl(client(outdated, 'Failed') as never, 'kiro-codebuild-worker');
    await expect(control.rollbackStage('Staging-Application', 'e-2')).rejects.toThrow(/the target execution is outdated/);
    await expect(control.rollbackStage('Staging-Application', 'e-2')).rejects.toBeInstanceOf(NoRollbackTargetError);
  });
});

describe('CodePipelineControl.stageRollbacksInProgress (GetPipelineState + ListPipelineExecutions rollbackMetadata)', () => {
  const state = {
    stageStates: [
      { stageName: 'Test-Application', latestExecution: { pipelineExecutionId: 'r-1', status: 'InProgress', type: 'ROLLBACK' } },
      { stageName: 'Test-Infrastructure', latestExecution: { pipelineExecutionId: 'r-2', status: 'Stopping', type: 'ROLLBACK' } },
      { stageName: 'Staging-Application', latestExecution: { pipelineExecutionId: 'e-3', status: 'InProgress', type: 'STANDARD' } },
      { stageName: 'Production-Application', latestExecution: { pipelineExecutionId: 'r-0', status: 'Succeeded', type: 'ROLLBACK' } },
    ],
  };
  const summaries = [
    { pipelineExecutionId: 'e-3', status: 'InProgress', executionType: 'STANDARD' },
    { pipelineExecutionId: 'r-2', status: 'Stopping', executionType: 'ROLLBACK', rollbackMetadata: { rollbackTargetPipelineExecutionId: 'e-1' } },
    { pipelineExecutionId: 'r-1', status: 'InProgress', executionType: 'ROLLBACK', rollbackMetadata: { rollbackTargetPipelineExecutionId: 'e-1' } },
    { pipelineExecutionId: 'r-0', status: 'Succeeded', executionType: 'ROLLBACK', rollbackMetadata: { rollbackTargetPipelineExecutionId: 'e-0' } },
  ];

  it('names each running stage rollback with its stage and target; a stopping or finished rollback and a standard run are not adoptable', async () => {
    const sent: unknown[] = [];
    const control = new CodePipelineControl(
      {
        send: (command: unknown) => {
          sent.push(command);
          if (command instanceof GetPipelineStateCommand) return Promise.resolve(state);
          if (command instanceof ListPipelineExecutionsCommand) return Promise.resolve({ pipelineExecutionSummaries: summaries });
          return Promise.reject(new Error('unexpected command'));
        },
      } as never,
      'kiro-codebuild-worker',
    );
    expect(await control.stageRollbacksInProgress()).toEqual([{ stage: 'Test-Application', executionId: 'r-1', targetExecutionId: 'e-1' }]);
    expect(sent.map((command) => (command as object).constructor.name)).toEqual(['GetPipelineStateCommand', 'ListPipelineExecutionsCommand']);
  });

  it('does not list executions when no stage runs a rollback', async () => {
    const sent: unknown[] = [];
    const control = new CodePipelineControl(
      {
        send: (command: unknown) => {
          sent.push(command);
          return command instanceof GetPipelineStateCommand ? Promise.resolve({ stageStates: state.stageStates.slice(2) }) : Promise.reject(new Error('unexpected command'));
        },
      } as never,
      'kiro-codebuild-worker',
    );
    expect(await control.stageRollbacksInProgress()).toEqual([]);
    expect(sent).toHaveLength(1);
  });
});
