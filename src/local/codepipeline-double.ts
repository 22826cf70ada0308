import {
  ConflictException,
  GetPipelineExecutionCommand,
  GetPipelineStateCommand,
  PipelineExecutionNotFoundException,
  PipelineNotFoundException,
  RollbackStageCommand,
  StageNotFoundException,
  StartPipelineExecutionCommand,
  UnableToRollbackStageException,
  type GetPipelineExecutionCommandOutput,
  type GetPipelineStateCommandOutput,
  type PipelineExecutionStatus,
  type RollbackStageCommandOutput,
  type StageExecutionStatus,
  type StartPipelineExecutionCommandOutput,
} from '@aws-sdk/client-codepipeline';
import { randomUUID } from 'node:crypto';

/** One execution the double knows, with the per-stage results the API exposes. */
export interface DoubleExecution {
  readonly id: string;
  status: PipelineExecutionStatus;
  readonly type: 'STANDARD' | 'ROLLBACK';
  /** Pipeline structure version the execution started in. */
  readonly structureVersion: number;
  readonly stages: Map<string, StageExecutionStatus>;
  readonly sourceRevision?: string;
  readonly variables: Readonly<Record<string, string>>;
  /** Status the execution reaches once it finishes (taken from `rollbackOutcomes` when it was created). */
  readonly finalStatus?: PipelineExecutionStatus;
}

/** A call the double received, for assertions. */
export interface RecordedCall {
  readonly operation: string;
  readonly input: unknown;
}

type SupportedCommand = RollbackStageCommand | StartPipelineExecutionCommand | GetPipelineExecutionCommand | GetPipelineStateCommand;

const meta = { httpStatusCode: 400, $fault: 'client' as const, $metadata: {} };

/**
 * A CodePipeline test double speaking the SDK v3 `send(command)` interface, for the four calls the
 * rollback uses. Its behaviour is written down from the API reference in `codepipeline-double.md`;
 * errors are the SDK's own exception classes, so adapters map them exactly as they would in AWS.
 */
export class CodePipelineDouble {
  readonly calls: RecordedCall[] = [];
  readonly executions = new Map<string, DoubleExecution>();
  /** Current structure version: bumped by {@link selfMutate}. */
  structureVersion = 1;
  /** The next N RollbackStage / StartPipelineExecution calls answer ConflictException (the pipeline is busy). */
  busyCalls = 0;
  /** Outcome new executions reach after `pollsToFinish` GetPipelineExecution calls. */
  outcome: { rollback: PipelineExecutionStatus; redeploy: PipelineExecutionStatus } = { rollback: 'Succeeded', redeploy: 'Succeeded' };
  pollsToFinish = 1;
  /** Per stage: the next N RollbackStage calls on that stage answer ConflictException. */
  readonly busyByStage = new Map<string, number>();
  /** Outcomes of the next rollback executions, in the order RollbackStage creates them; then `outcome.rollback`. */
  readonly rollbackOutcomes: PipelineExecutionStatus[] = [];
  private readonly polls = new Map<string, number>();
  private readonly tokens = new Map<string, string>();
  /** Latest execution per stage, as GetPipelineState shows it. */
  private readonly latestByStage = new Map<string, string>();

  constructor(
    readonly pipelineName: string,
    readonly stageNames: readonly string[],
  ) {}

  /** Seeds an execution that ran the given stages with the given results. */
  seed(id: string, stages: Readonly<Record<string, StageExecutionStatus>>, options: { status?: PipelineExecutionStatus; type?: 'STANDARD' | 'ROLLBACK' } = {}): void {
    this.executions.set(id, {
      id,
      status: options.status ?? 'Succeeded',
      type: options.type ?? 'STANDARD',
      structureVersion: this.structureVersion,
      stages: new Map(Object.entries(stages)),
      variables: {},
    });
    for (const stage of Object.keys(stages)) this.latestByStage.set(stage, id);
  }

  /** The pipeline's definition changed (self-mutation): earlier executions are no rollback targets any more. */
  selfMutate(): void {
    this.structureVersion += 1;
  }

  send(command: RollbackStageCommand): Promise<RollbackStageCommandOutput>;
  send(command: StartPipelineExecutionCommand): Promise<StartPipelineExecutionCommandOutput>;
  send(command: GetPipelineExecutionCommand): Promise<GetPipelineExecutionCommandOutput>;
  send(command: GetPipelineStateCommand): Promise<GetPipelineStateCommandOutput>;
  send(command: SupportedCommand): Promise<unknown> {
    try {
      return Promise.resolve(this.handle(command));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private handle(command: SupportedCommand): unknown {
    const operation = command.constructor.name.replace(/Command$/, '');
    this.calls.push({ operation, input: command.input });
    if (command instanceof RollbackStageCommand) return this.rollbackStage(command.input);
    if (command instanceof StartPipelineExecutionCommand) return this.start(command.input);
    if (command instanceof GetPipelineExecutionCommand) return this.getExecution(command.input);
    return this.getState(command.input);
  }

  private requirePipeline(name: string | undefined): void {
    if (name !== this.pipelineName) throw new PipelineNotFoundException({ ...meta, message: `Pipeline ${name ?? ''} not found` });
  }

  private takeBusy(): void {
    if (this.busyCalls > 0) {
      this.busyCalls -= 1;
      throw new ConflictException({ ...meta, message: 'Your request cannot be handled because the pipeline is busy handling ongoing activities. Try again later.' });
    }
  }

  private rollbackStage(input: RollbackStageCommand['input']): RollbackStageCommandOutput {
    this.requirePipeline(input.pipelineName);
    const stageName = input.stageName ?? '';
    const targetId = input.targetPipelineExecutionId ?? '';
    if (!this.stageNames.includes(stageName)) throw new StageNotFoundException({ ...meta, message: `Stage ${stageName} not found` });
    this.takeBusy();
    const stageBusy = this.busyByStage.get(stageName) ?? 0;
    if (stageBusy > 0) {
      this.busyByStage.set(stageName, stageBusy - 1);
      throw new ConflictException({ ...meta, message: 'Your request cannot be handled because the pipeline is busy handling ongoing activities. Try again later.' });
    }
    const target = this.executions.get(targetId);
    if (target === undefined) throw new PipelineExecutionNotFoundException({ ...meta, message: `Execution ${targetId} not found` });
    const latest = this.executions.get(this.latestByStage.get(stageName) ?? '');
    const why =
      target.structureVersion !== this.structureVersion
        ? 'the pipeline version has changed since the target pipeline execution was deployed'
        : target.type === 'ROLLBACK'
          ? 'the target pipeline execution is a rollback'
          : target.stages.get(stageName) !== 'Succeeded'
            ? 'the stage did not succeed in the target pipeline execution'
            : latest?.stages.get(stageName) === 'InProgress'
              ? 'the stage is currently running'
              : undefined;
    if (why !== undefined) throw new UnableToRollbackStageException({ ...meta, message: `Unable to roll back the stage: ${why}.` });
    const id = randomUUID();
    const finalStatus = this.rollbackOutcomes.shift();
    this.executions.set(id, {
      id,
      status: 'InProgress',
      type: 'ROLLBACK',
      ...(finalStatus === undefined ? {} : { finalStatus }),
      structureVersion: this.structureVersion,
      stages: new Map([[stageName, 'InProgress']]),
      ...(target.sourceRevision === undefined ? {} : { sourceRevision: target.sourceRevision }),
      variables: target.variables,
    });
    this.latestByStage.set(stageName, id);
    return { pipelineExecutionId: id, $metadata: {} };
  }

  private start(input: StartPipelineExecutionCommand['input']): StartPipelineExecutionCommandOutput {
    this.requirePipeline(input.name);
    const token = input.clientRequestToken;
    const known = token === undefined ? undefined : this.tokens.get(token);
    if (known !== undefined) return { pipelineExecutionId: known, $metadata: {} };
    this.takeBusy();
    const id = randomUUID();
    const revision = input.sourceRevisions?.[0]?.revisionValue;
    this.executions.set(id, {
      id,
      status: 'InProgress',
      type: 'STANDARD',
      structureVersion: this.structureVersion,
      stages: new Map(this.stageNames.map((stage) => [stage, 'InProgress'])),
      ...(revision === undefined ? {} : { sourceRevision: revision }),
      variables: Object.fromEntries(
        (input.variables ?? []).flatMap((variable): [string, string][] => (variable.name === undefined || variable.value === undefined ? [] : [[variable.name, variable.value]])),
      ),
    });
    for (const stage of this.stageNames) this.latestByStage.set(stage, id);
    // eslint-disable-next-line security/detect-possible-timing-attacks -- a client request token of the local double compared with undefined, not a secret compared with a guess
    if (token !== undefined) this.tokens.set(token, id);
    return { pipelineExecutionId: id, $metadata: {} };
  }

  private getExecution(input: GetPipelineExecutionCommand['input']): GetPipelineExecutionCommandOutput {
    this.requirePipeline(input.pipelineName);
    const execution = this.executions.get(input.pipelineExecutionId ?? '');
    if (execution === undefined) throw new PipelineExecutionNotFoundException({ ...meta, message: `Execution ${input.pipelineExecutionId ?? ''} not found` });
    if (execution.status === 'InProgress') {
      const polls = (this.polls.get(execution.id) ?? 0) + 1;
      this.polls.set(execution.id, polls);
      if (polls >= this.pollsToFinish) {
        execution.status = execution.finalStatus ?? (execution.type === 'ROLLBACK' ? this.outcome.rollback : this.outcome.redeploy);
        const stageStatus: StageExecutionStatus = execution.status === 'Succeeded' ? 'Succeeded' : execution.status === 'InProgress' ? 'InProgress' : 'Failed';
        for (const stage of execution.stages.keys()) execution.stages.set(stage, stageStatus);
      }
    }
    return {
      pipelineExecution: {
        pipelineName: this.pipelineName,
        pipelineExecutionId: execution.id,
        status: execution.status,
        executionType: execution.type,
        variables: Object.entries(execution.variables).map(([name, resolvedValue]) => ({ name, resolvedValue })),
      },
      $metadata: {},
    };
  }

  private getState(input: GetPipelineStateCommand['input']): GetPipelineStateCommandOutput {
    this.requirePipeline(input.name);
    return {
      pipelineName: this.pipelineName,
      pipelineVersion: this.structureVersion,
      stageStates: this.stageNames.map((stageName) => {
        const execution = this.executions.get(this.latestByStage.get(stageName) ?? '');
        const status = execution?.stages.get(stageName);
        return execution === undefined || status === undefined
          ? { stageName }
          : { stageName, latestExecution: { pipelineExecutionId: execution.id, status, type: execution.type } };
      }),
      $metadata: {},
    };
  }
}
