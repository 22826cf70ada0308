/**
 * A local CodePipeline V2 that executes a synthesized pipeline declaration: executions move through
 * the stages in order (SUPERSEDED stage locks), entry conditions skip or fail stages, actions run by
 * run order through real runners, failures roll the stage back (OnFailure ROLLBACK), and the API's
 * rules for RollbackStage, StopPipelineExecution, PutApprovalResult and definition updates hold.
 * Every rule is listed, with its AWS page, in docs/local-codepipeline.md. The API methods take and
 * answer the JSON shapes of the CodePipeline API (`codepipeline-endpoint.ts` serves them over HTTP).
 * Longer than 300 lines on purpose: the execution lifecycle (start, run, end, cancel) is one state
 * machine; the rules it applies (rollback targets, stage locks, conditions, run order) live beside it.
 */
import type { IdGenerator } from '../../shared/id-generator.js';
import { actionEvent, executionEvent, stageEvent, type CodePipelineEvent, type EventOrigin } from '../codepipeline-events.js';
import type { ActionRunnerLookup } from './action-runner.js';
import { CodePipelineApiError } from './api-errors.js';
import { structureOf, type PipelineDeclaration, type StageDeclaration } from './declaration.js';
import { isFinished, type ActionExecutionRecord, type ExecutionRecord, type ExecutionTrigger, type StageStatus, type TriggerCommitInfo } from './execution-records.js';
import { ManualApprovals } from './manual-approvals.js';
import { engagedCondition, type AlarmStateReader } from './stage-conditions.js';
import { StageLocks } from './stage-locks.js';
import { newestRollbackTarget, whyNoRollback } from './rollback-rules.js';
import { runStageActions } from './stage-runner.js';
import { pipelineVariables, type VariableScope } from './variable-resolution.js';

/** Pipeline time: `sleep` must end early when its signal aborts, so timeouts never outlive their action. */
export interface PipelineClock {
  now(): Date;
  sleep(milliseconds: number, signal?: AbortSignal): Promise<void>;
}

/** What the local CodePipeline is built from. */
export interface LocalCodePipelineOptions {
  readonly declaration: PipelineDeclaration;
  readonly clock: PipelineClock;
  readonly ids: IdGenerator;
  readonly runners: ActionRunnerLookup;
  readonly alarms: AlarmStateReader;
  readonly account: string;
  readonly region: string;
  /** EventBridge: receives every state-change event CodePipeline emits. */
  readonly onEvent?: (event: CodePipelineEvent) => Promise<void>;
}

/** How an execution is started: its trigger as the API shows it, and the commit a webhook carried. */
export interface StartContext {
  readonly trigger?: ExecutionTrigger;
  readonly commit?: TriggerCommitInfo;
}

const API_TRIGGER: ExecutionTrigger = { triggerType: 'StartPipelineExecution', triggerDetail: 'local' };

/** The local CodePipeline. */
export class LocalCodePipeline {
  private declarationNow: PipelineDeclaration;
  private version = 1;
  readonly executions = new Map<string, ExecutionRecord>();
  readonly actionExecutions: ActionExecutionRecord[] = [];
  readonly approvals: ManualApprovals;
  /** Errors thrown by event targets: a rehearsal reads them instead of losing them. */
  readonly deliveryErrors: unknown[] = [];
  private readonly locks = new StageLocks();
  private readonly latestByStage = new Map<string, string>();
  private readonly running = new Set<Promise<void>>();
  private readonly deliveries = new Set<Promise<void>>();
  private readonly tokens = new Map<string, string>();
  private readonly origin: EventOrigin;

  constructor(private readonly options: LocalCodePipelineOptions) {
    if (options.declaration.executionMode !== 'SUPERSEDED') {
      throw new CodePipelineApiError('ValidationException', `The local CodePipeline models SUPERSEDED mode only; the pipeline declares ${options.declaration.executionMode}.`);
    }
    this.declarationNow = options.declaration;
    this.approvals = new ManualApprovals(() => options.ids.next());
    this.origin = { pipelineName: options.declaration.name, account: options.account, region: options.region, ids: options.ids };
  }

  /** The declaration the pipeline runs now. */
  get declaration(): PipelineDeclaration {
    return this.declarationNow;
  }

  /** The pipeline's structure version (GetPipelineState `pipelineVersion`). */
  get structureVersion(): number {
    return this.version;
  }

  /** Resolves once no execution runs and every event has been delivered. */
  async settled(): Promise<void> {
    while (this.running.size > 0 || this.deliveries.size > 0) await Promise.all([...this.running, ...this.deliveries]);
  }

  requirePipeline(name: string | undefined): void {
    if (name !== this.declarationNow.name) throw new CodePipelineApiError('PipelineNotFoundException', `Account ${this.options.account} does not have a pipeline with name ${name ?? ''}.`);
  }

  requireExecution(id: string | undefined): ExecutionRecord {
    const execution = this.executions.get(id ?? '');
    if (execution === undefined) throw new CodePipelineApiError('PipelineExecutionNotFoundException', `Pipeline execution ${id ?? ''} was not found in pipeline ${this.declarationNow.name}.`);
    return execution;
  }

  private stage(name: string | undefined): StageDeclaration {
    const stage = this.declarationNow.stages.find((candidate) => candidate.name === name);
    if (stage === undefined) throw new CodePipelineApiError('StageNotFoundException', `Stage ${name ?? ''} was not found in pipeline ${this.declarationNow.name}.`);
    return stage;
  }

  /** StartPipelineExecution: defaults overlaid by `variables`; the same clientRequestToken answers the same execution. */
  startPipelineExecution(
    input: { readonly name?: string; readonly variables?: readonly { name?: string; value?: string }[]; readonly sourceRevisions?: readonly { revisionValue?: string }[]; readonly clientRequestToken?: string },
    context: StartContext = {},
  ): { pipelineExecutionId: string } {
    this.requirePipeline(input.name);
    const known = input.clientRequestToken === undefined ? undefined : this.tokens.get(input.clientRequestToken);
    if (known !== undefined) return { pipelineExecutionId: known };
    let variables: Record<string, string>;
    try {
      variables = pipelineVariables(this.declarationNow.variables, Object.fromEntries((input.variables ?? []).map((variable) => [variable.name ?? '', variable.value ?? ''])));
    } catch (error) {
      throw new CodePipelineApiError('ValidationException', error instanceof Error ? error.message : String(error));
    }
    const revision = input.sourceRevisions?.[0]?.revisionValue;
    const execution = this.newExecution('STANDARD', context.trigger ?? API_TRIGGER, variables, { ...(revision === undefined ? {} : { sourceRevisionOverride: revision }), ...(context.commit === undefined ? {} : { commit: context.commit }) });
    if (input.clientRequestToken !== undefined) this.tokens.set(input.clientRequestToken, execution.id);
    this.launch(execution, this.declarationNow.stages);
    return { pipelineExecutionId: execution.id };
  }

  /** RollbackStage: never the source stage; the target succeeded in the stage, in this structure version, and is no rollback itself. */
  rollbackStage(input: { readonly pipelineName?: string; readonly stageName?: string; readonly targetPipelineExecutionId?: string }, trigger: ExecutionTrigger = { triggerType: 'ManualRollback', triggerDetail: 'RollbackStage' }): { pipelineExecutionId: string } {
    this.requirePipeline(input.pipelineName);
    const stage = this.stage(input.stageName);
    const target = this.requireExecution(input.targetPipelineExecutionId);
    const latest = this.latestExecutionOf(stage.name);
    const stageRunning = latest?.stages.get(stage.name)?.status === 'InProgress' || this.locks.holderOf(stage.name) !== undefined;
    const why = whyNoRollback({ stage, target, structureVersion: this.version, stageRunning });
    if (why !== undefined) throw new CodePipelineApiError('UnableToRollbackStageException', `Unable to roll back stage ${stage.name}: ${why}.`);
    return { pipelineExecutionId: this.startRollback(stage, target, trigger).id };
  }

  private startRollback(stage: StageDeclaration, target: ExecutionRecord, trigger: ExecutionTrigger): ExecutionRecord {
    const execution = this.newExecution('ROLLBACK', trigger, target.variables, {
      ...(target.sourceRevisionOverride === undefined ? {} : { sourceRevisionOverride: target.sourceRevisionOverride }),
      ...(target.commit === undefined ? {} : { commit: target.commit }),
      rollbackTargetExecutionId: target.id,
      outputs: target.outputs,
    });
    this.launch(execution, [stage]);
    return execution;
  }

  /** StopPipelineExecution: `abandon` abandons running actions, otherwise they finish first; the execution ends Stopped. */
  stopPipelineExecution(input: { readonly pipelineName?: string; readonly pipelineExecutionId?: string; readonly abandon?: boolean; readonly reason?: string }): { pipelineExecutionId: string } {
    this.requirePipeline(input.pipelineName);
    const execution = this.requireExecution(input.pipelineExecutionId);
    if (execution.status === 'Stopping' && input.abandon !== true) throw new CodePipelineApiError('DuplicatedStopRequestException', `Execution ${execution.id} is already stopping.`);
    if (execution.status !== 'InProgress' && execution.status !== 'Stopping') throw new CodePipelineApiError('PipelineExecutionNotStoppableException', `Execution ${execution.id} is ${execution.status} and cannot be stopped.`);
    execution.status = 'Stopping';
    execution.statusSummary = input.reason ?? 'Stopped by StopPipelineExecution';
    this.emit(executionEvent(this.origin, this.options.clock.now(), execution.id, 'STOPPING', this.eventTrigger(execution)));
    if (input.abandon === true) execution.controller.abort();
    return { pipelineExecutionId: execution.id };
  }

  /** PutApprovalResult on the approval action waiting with `token`. */
  putApprovalResult(input: { readonly pipelineName?: string; readonly stageName?: string; readonly actionName?: string; readonly token?: string; readonly result?: { summary?: string; status?: string } }): { approvedAt: Date } {
    this.requirePipeline(input.pipelineName);
    const stage = this.stage(input.stageName);
    if (!stage.actions.some((action) => action.name === input.actionName && action.category === 'Approval')) {
      throw new CodePipelineApiError('ActionNotFoundException', `Stage ${stage.name} has no approval action ${input.actionName ?? ''}.`);
    }
    this.approvals.answer({ stageName: stage.name, actionName: input.actionName ?? '', token: input.token ?? '', status: input.result?.status ?? '', summary: input.result?.summary ?? '' });
    return { approvedAt: this.options.clock.now() };
  }

  /**
   * A definition update (CloudFormation updating the pipeline, as a self-mutation does): a changed
   * structure bumps the version, cancels every running execution and, with RestartExecutionOnUpdate,
   * starts a new one with the default variables and no source override.
   */
  updatePipeline(declaration: PipelineDeclaration): { readonly changed: boolean; readonly restartedExecutionId?: string } {
    this.requirePipeline(declaration.name);
    if (structureOf(declaration) === structureOf(this.declarationNow)) return { changed: false };
    this.version += 1;
    this.declarationNow = declaration;
    for (const execution of this.executions.values()) {
      if (isFinished(execution.status)) continue;
      execution.status = 'Cancelled';
      execution.statusSummary = "The pipeline's definition was updated before the pipeline execution could be completed.";
      execution.controller.abort();
    }
    if (!declaration.restartExecutionOnUpdate) return { changed: true };
    const restarted = this.startPipelineExecution({ name: declaration.name }, { trigger: { triggerType: 'CreatePipeline', triggerDetail: 'CloudFormation RestartExecutionOnUpdate' } });
    return { changed: true, restartedExecutionId: restarted.pipelineExecutionId };
  }

  private newExecution(
    type: 'STANDARD' | 'ROLLBACK',
    trigger: ExecutionTrigger,
    variables: Readonly<Record<string, string>>,
    extra: { sourceRevisionOverride?: string; commit?: TriggerCommitInfo; rollbackTargetExecutionId?: string; outputs?: Readonly<Record<string, Record<string, string>>> },
  ): ExecutionRecord {
    const now = this.options.clock.now();
    const execution: ExecutionRecord = {
      id: this.options.ids.next(),
      status: 'InProgress',
      type,
      structureVersion: this.version,
      trigger,
      variables,
      startedAt: now,
      lastUpdatedAt: now,
      stages: new Map(),
      controller: new AbortController(),
      ...(extra.sourceRevisionOverride === undefined ? {} : { sourceRevisionOverride: extra.sourceRevisionOverride }),
      ...(extra.commit === undefined ? {} : { commit: extra.commit }),
      ...(extra.rollbackTargetExecutionId === undefined ? {} : { rollbackTargetExecutionId: extra.rollbackTargetExecutionId }),
      outputs: Object.fromEntries(Object.entries(extra.outputs ?? {}).map(([namespace, values]) => [namespace, { ...values }])),
    };
    this.executions.set(execution.id, execution);
    return execution;
  }

  private launch(execution: ExecutionRecord, stages: readonly StageDeclaration[]): void {
    const run = this.run(execution, stages).finally(() => {
      this.running.delete(run);
    });
    this.running.add(run);
  }

  private eventTrigger(execution: ExecutionRecord): { type: string; detail: string; commit?: TriggerCommitInfo } {
    return { type: execution.trigger.triggerType, detail: execution.trigger.triggerDetail, ...(execution.commit === undefined ? {} : { commit: execution.commit }) };
  }

  private emit(event: CodePipelineEvent): void {
    const target = this.options.onEvent;
    if (target === undefined) return;
    const delivery = target(event)
      .catch((error: unknown) => {
        this.deliveryErrors.push(error);
      })
      .finally(() => {
        this.deliveries.delete(delivery);
      });
    this.deliveries.add(delivery);
  }

  private scopeOf(execution: ExecutionRecord): VariableScope {
    return { ...execution.outputs, variables: execution.variables, codepipeline: { PipelineExecutionId: execution.id } };
  }

  private setStage(execution: ExecutionRecord, stage: string, status: StageStatus, summary?: string): void {
    const now = this.options.clock.now();
    const existing = execution.stages.get(stage);
    execution.stages.set(stage, { status, startedAt: existing?.startedAt ?? now, ...(summary === undefined ? {} : { summary }) });
    execution.lastUpdatedAt = now;
    this.latestByStage.set(stage, execution.id);
  }

  private async run(execution: ExecutionRecord, stages: readonly StageDeclaration[]): Promise<void> {
    const clock = this.options.clock;
    this.emit(executionEvent(this.origin, clock.now(), execution.id, 'STARTED', this.eventTrigger(execution)));
    let held: string | undefined;
    let failedStage: StageDeclaration | undefined;
    let rollBack = false;
    try {
      for (const stage of stages) {
        // The finished stage was left already: a newer execution may run it while this one waits here.
        const entered = await this.locks.enter(stage.name, execution.id, execution.startedAt.getTime(), execution.controller.signal);
        if (!entered) {
          if (execution.status === 'InProgress') {
            execution.status = 'Superseded';
            execution.statusSummary = `A newer execution advanced to ${stage.name} instead.`;
          }
          break;
        }
        held = stage.name;
        const rules = { now: () => clock.now(), sleep: (ms: number, signal?: AbortSignal) => clock.sleep(ms, signal), alarms: this.options.alarms, scope: this.scopeOf(execution), signal: execution.controller.signal };
        const entry = await engagedCondition(stage.beforeEntry, rules);
        if (entry !== undefined && entry.condition.result === 'SKIP') {
          this.setStage(execution, stage.name, 'Skipped', `${entry.outcome.rule}: ${entry.outcome.reason}`);
          this.locks.leave(stage.name, execution.id);
          continue;
        }
        this.setStage(execution, stage.name, 'InProgress');
        this.emit(stageEvent(this.origin, clock.now(), execution.id, stage.name, 'STARTED'));
        if (entry !== undefined) {
          this.finishStage(execution, stage.name, 'Failed', `Entry condition ${entry.outcome.rule} failed: ${entry.outcome.reason}`);
          failedStage = stage;
          break;
        }
        const outcome = await runStageActions(stage, {
          pipelineName: this.declarationNow.name,
          structureVersion: this.version,
          execution,
          now: () => clock.now(),
          sleep: (ms, signal) => clock.sleep(ms, signal),
          newId: () => this.options.ids.next(),
          scope: () => this.scopeOf(execution),
          runnerFor: (action) => (action.category === 'Approval' && action.provider === 'Manual' ? this.approvals.runner : this.options.runners(stage.name, action)),
          recordAction: (record) => {
            this.actionExecutions.push(record);
            this.emit(actionEvent(this.origin, record.startTime, execution.id, stage.name, record.actionName, 'STARTED', record.actionTypeId));
          },
          actionChanged: (record) => {
            const state = record.status === 'Succeeded' ? 'SUCCEEDED' : record.status === 'Abandoned' ? 'ABANDONED' : 'FAILED';
            this.emit(actionEvent(this.origin, record.lastUpdateTime, execution.id, stage.name, record.actionName, state, record.actionTypeId, record.summary, record.externalExecutionId));
          },
        });
        if (outcome.kind === 'aborted') {
          this.finishStage(execution, stage.name, execution.status === 'Cancelled' ? 'Cancelled' : 'Stopped');
          break;
        }
        if (outcome.kind === 'failed') {
          this.finishStage(execution, stage.name, 'Failed', `${outcome.action}: ${outcome.summary}`);
          failedStage = stage;
          rollBack = stage.onFailure?.result === 'ROLLBACK' && (stage.onFailure.rules.length === 0 || (await engagedCondition([stage.onFailure], rules)) === undefined);
          break;
        }
        const onSuccess = await engagedCondition(stage.onSuccess, rules);
        if (onSuccess !== undefined) {
          this.finishStage(execution, stage.name, 'Failed', `On-success condition ${onSuccess.outcome.rule} engaged ${onSuccess.condition.result}: ${onSuccess.outcome.reason}`);
          failedStage = stage;
          rollBack = onSuccess.condition.result === 'ROLLBACK';
          break;
        }
        this.finishStage(execution, stage.name, 'Succeeded');
        this.locks.leave(stage.name, execution.id);
      }
    } finally {
      if (held !== undefined) this.locks.leave(held, execution.id);
    }
    this.endExecution(execution, failedStage);
    if (failedStage !== undefined && rollBack && execution.type === 'STANDARD') {
      const target = newestRollbackTarget(failedStage, this.executions.values(), this.version, execution.id);
      if (target !== undefined) this.startRollback(failedStage, target, { triggerType: 'AutomatedRollback', triggerDetail: `${failedStage.name} failed in ${execution.id}` });
    }
  }

  private finishStage(execution: ExecutionRecord, stage: string, status: StageStatus, summary?: string): void {
    this.setStage(execution, stage, status, summary);
    const state = status === 'Succeeded' ? 'SUCCEEDED' : status === 'Failed' ? 'FAILED' : status === 'Cancelled' ? 'CANCELED' : 'STOPPED';
    this.emit(stageEvent(this.origin, this.options.clock.now(), execution.id, stage, state));
  }

  private endExecution(execution: ExecutionRecord, failedStage: StageDeclaration | undefined): void {
    if (execution.status === 'Stopping') execution.status = 'Stopped';
    else if (execution.status === 'InProgress') execution.status = failedStage === undefined ? 'Succeeded' : 'Failed';
    if (failedStage !== undefined && execution.statusSummary === undefined) execution.statusSummary = execution.stages.get(failedStage.name)?.summary ?? `${failedStage.name} failed`;
    execution.lastUpdatedAt = this.options.clock.now();
    const states = { Succeeded: 'SUCCEEDED', Failed: 'FAILED', Stopped: 'STOPPED', Cancelled: 'CANCELED', Superseded: 'SUPERSEDED' } as const;
    const state = states[execution.status];
    this.emit(executionEvent(this.origin, execution.lastUpdatedAt, execution.id, state, this.eventTrigger(execution)));
  }

  /** The execution that last ran (or skipped) a stage, for GetPipelineState. */
  latestExecutionOf(stage: string): ExecutionRecord | undefined {
    return this.executions.get(this.latestByStage.get(stage) ?? '');
  }
}
