/**
 * Drives one scenario through the pipeline's real runtime. The driver plays CodePipeline's part —
 * it moves an execution through the planned stages, emits the EventBridge events CodePipeline would
 * emit and keeps the CodePipeline double's state in step — and plays the people (the pusher, the
 * approver, the reviewer, the alarm that fires). It emits every execution and stage event and each
 * action's final event; an action's STARTED event is emitted only for the approval, the one the
 * runtime acts on (each event costs the emulator a dozen calls, and the rehearsal must stay fast).
 * Everything else is the product's own code: change
 * detection, the recorder and notifier handlers, the health monitor's synthesized state machine with
 * its handler, the rollback orchestrator, all on the real adapters against the local emulator.
 */
import { SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import {
  RollbackStageCommand,
  StartPipelineExecutionCommand,
  type GetPipelineExecutionCommand,
  type GetPipelineStateCommand,
  type RollbackStageCommandOutput,
  type StageExecutionStatus,
  type StartPipelineExecutionCommandOutput,
} from '@aws-sdk/client-codepipeline';
import type { DeploymentConfig, EnvironmentConfig, EnvironmentName } from '../shared/config/schema.js';
import type { PipelinePlan, PlannedStage } from '../pipeline/domain/plan/plan-types.js';
import { deployedStages } from '../pipeline/domain/plan/plan-queries.js';
import { detectionActionName, infraVariableName } from '../pipeline/domain/pipeline-vocabulary.js';
import { decideInfrastructureChange, exportedVariableLine, type InfrastructureDecision, type SourceChanges } from '../pipeline/domain/change-detection/decide-infrastructure-change.js';
import type { CommitInfo, HistoryEvent } from '../pipeline/domain/history-model.js';
import { runRollback, type RollbackOutcome } from '../pipeline/domain/rollback/rollback-orchestrator.js';
import { requestFromEvent } from '../pipeline/handlers/rollback-trigger.js';
import { DEFAULT_ROLLBACK_TIMING } from '../pipeline/domain/rollback/rollback-timing.js';
import type { IdGenerator } from '../shared/id-generator.js';
import type { SourceDiff } from '../pipeline/ports/source-diff.js';
import { lastDeployedRecord } from '../cli/build/last-deployed-commit.js';
import { actionEvent, executionEvent, stageEvent, type EventOrigin, type TriggerCommit } from '../local/codepipeline-events.js';
import type { CompressedClock } from '../local/compressed-clock.js';
import { runLocally, type LocalExecutionResult } from '../local/local-state-machine.js';
import type { TaskTokenBroker } from '../local/task-token-broker.js';
import { compareOutcome, observeOutcome, type OutcomeVerdict } from './outcome.js';
import { parseReceivedNotice, type ReceivedNotice } from './received-notice.js';
import type { EmulatorClients, RehearsalRuntime, RuntimeBinding } from './rehearsal-runtime.js';
import type { ReleaseRepository } from './release-repository.js';
import type { AlarmStimulus, ScenarioDefinition } from './scenarios.js';
import { buildTimeline, type Stimulus, type TimelineEntry } from './timeline.js';

/** The part of the CodePipeline double the driver steers (the double itself answers the API calls). */
export interface SteerableCodePipeline {
  readonly executions: Map<string, { status: string; readonly stages: Map<string, StageExecutionStatus>; readonly type: 'STANDARD' | 'ROLLBACK'; readonly sourceRevision?: string }>;
  seed(id: string, stages: Readonly<Record<string, StageExecutionStatus>>, options?: { status?: 'Succeeded' | 'InProgress' | 'Failed'; type?: 'STANDARD' | 'ROLLBACK' }): void;
  selfMutate(): void;
  pollsToFinish: number;
  send(command: RollbackStageCommand | StartPipelineExecutionCommand | GetPipelineExecutionCommand | GetPipelineStateCommand): Promise<unknown>;
}

/** Everything the driver works with. */
export interface DriverContext {
  readonly config: DeploymentConfig;
  readonly plan: PipelinePlan;
  readonly runtime: RehearsalRuntime;
  readonly binding: RuntimeBinding;
  readonly clients: EmulatorClients;
  readonly double: SteerableCodePipeline;
  readonly broker: TaskTokenBroker;
  readonly clock: CompressedClock;
  readonly ids: IdGenerator;
  readonly repository: ReleaseRepository;
  readonly sourceDiff: SourceDiff;
  readonly readBackQueueUrl: string;
  /** `owner/repository` of the source, for the commit links. */
  readonly repositoryName: string;
  readonly account: string;
  readonly region: string;
  /** Progress lines while the scenario runs. */
  readonly progress: (line: string) => void;
}

/** How one scenario ended. */
export interface ScenarioRun {
  readonly scenario: ScenarioDefinition;
  readonly verdict: OutcomeVerdict;
  readonly timeline: readonly TimelineEntry[];
  readonly durationMs: number;
  readonly release: CommitInfo;
  readonly releaseExecutionId: string;
}

/** What the people around the pipeline do during one execution: answer the approval, set off alarms. */
interface Stimuli {
  readonly approval: 'approve' | 'reject';
  /** Alarms set to ALARM during the bake; only the scenario's own release gets them. */
  readonly alarms: readonly AlarmStimulus[];
}

/** An execution with nobody setting off alarms, approved as usual (the baseline and the rollbacks' redeploys). */
const QUIET: Stimuli = { approval: 'approve', alarms: [] };

type ExecutionEnd = { readonly kind: 'succeeded' } | { readonly kind: 'failed'; readonly environment: EnvironmentName; readonly stage: string; readonly reason: string };

const REVIEWER = 'rehearsal-reviewer';
const APPROVER = 'rehearsal-approver';

/** Plays CodePipeline and the people around it for one scenario at a time. */
export class ScenarioDriver {
  private stimuli: Stimulus[] = [];
  private pending: Promise<void>[] = [];
  private touched = new Set<string>();
  private scenario: ScenarioDefinition | undefined;
  private readonly origin: EventOrigin;

  constructor(private readonly context: DriverContext) {
    this.origin = { pipelineName: context.config.pipeline.name, account: context.account, region: context.region, ids: context.ids };
    context.broker.onWaiting((token, purpose) => {
      if (purpose !== 'WaitForReview') return;
      const answer = this.scenario?.reviewAnswer ?? 'approve';
      this.fire(undefined, `reviewer ${answer === 'approve' ? 'approves' : 'rejects'} the paused release (task token ${token.slice(0, 22)}...)`);
      void (answer === 'approve' ? context.broker.approve(token, REVIEWER, 'rehearsed review') : context.broker.reject(token, REVIEWER, 'rehearsed review'));
    });
    this.interceptRollbackCalls();
  }

  /** Deploys the repository's first commit everywhere: the release every scenario builds on. */
  async baseline(commit: CommitInfo): Promise<void> {
    this.scenario = undefined;
    await this.resetAlarms();
    const executionId = this.context.ids.next();
    await this.playExecution(executionId, commit, { type: 'Webhook', commit: this.triggerCommit(commit) }, QUIET);
    await this.drainNotices();
  }

  /** Runs one scenario and judges it from what the emulator recorded. */
  async run(scenario: ScenarioDefinition): Promise<ScenarioRun> {
    const started = performance.now();
    this.scenario = scenario;
    this.stimuli = [];
    this.touched = new Set();
    await this.resetAlarms();
    await this.drainNotices();
    const lastKnownGood = await this.context.runtime.history.lastKnownGood();
    const release = this.context.repository.commit(scenario.commit, scenario.title);
    this.fire(undefined, `pushed ${release.id.slice(0, 8)} to main (${scenario.commit === 'application-only' ? 'application code only' : 'infrastructure and application'}): ${scenario.title}`);
    if (scenario.pipelineChangedBeforeRelease === true) {
      this.context.double.selfMutate();
      this.fire(undefined, 'the pipeline definition changed (self-mutation): executions before it are no stage-rollback targets');
    }
    const releaseExecutionId = this.context.ids.next();
    this.context.progress(`  release ${release.id.slice(0, 8)} as execution ${releaseExecutionId}`);
    const end = await this.playExecution(releaseExecutionId, release, { type: 'Webhook', commit: this.triggerCommit(release) }, {
      approval: scenario.productionApproval,
      alarms: scenario.alarms,
    });
    if (end.kind === 'failed') await this.rollBack(releaseExecutionId, end);
    await this.flush();

    const records = await this.context.runtime.history.list({});
    const events: HistoryEvent[] = [];
    for (const executionId of this.touched) events.push(...(await this.context.runtime.history.timeline(executionId)));
    const notices = await this.drainNotices();
    const verdict = compareOutcome(
      scenario.expected,
      observeOutcome({ releaseExecutionId, records, events, notices }),
      { release: release.id, lastKnownGood: lastKnownGood?.commit.id ?? 'none' },
    );
    return {
      scenario,
      verdict,
      timeline: buildTimeline({ stimuli: this.stimuli, events, notices }),
      durationMs: performance.now() - started,
      release,
      releaseExecutionId,
    };
  }

  private fire(environment: EnvironmentName | undefined, summary: string): void {
    this.stimuli.push({ at: this.context.clock.now().toISOString(), ...(environment === undefined ? {} : { environment }), summary });
    this.context.progress(`    ${environment === undefined ? '' : `[${environment}] `}${summary}`);
  }

  private triggerCommit(commit: CommitInfo): TriggerCommit {
    return {
      id: commit.id,
      message: commit.message ?? '',
      author: commit.author ?? 'unknown',
      committedAt: commit.committedAt ?? this.context.clock.now().toISOString(),
      repository: this.context.repositoryName,
    };
  }

  /** Plays one execution through the planned stages; stops at the first failed stage, as CodePipeline does. */
  private async playExecution(
    executionId: string,
    commit: CommitInfo,
    trigger: { readonly type: string; readonly detail?: string; readonly commit?: TriggerCommit },
    stimuli: Stimuli,
  ): Promise<ExecutionEnd> {
    this.touched.add(executionId);
    const stages = new Map<string, StageExecutionStatus>();
    const sync = (status: 'InProgress' | 'Succeeded' | 'Failed'): void => {
      this.context.double.seed(executionId, Object.fromEntries(stages), { status });
      const execution = this.context.double.executions.get(executionId);
      if (execution !== undefined) this.context.double.executions.set(executionId, { ...execution, sourceRevision: commit.id });
    };
    await this.emit(executionEvent(this.origin, this.now(), executionId, 'STARTED', trigger));
    sync('InProgress');
    const sourceStage = 'Source';
    await this.simpleStage(executionId, sourceStage, 'GitHub_Source', { category: 'Source', provider: 'CodeStarSourceConnection' }, stages, `commit ${commit.id}`);
    const variables: Record<string, string> = {};
    for (const stage of this.context.plan.stages) {
      const outcome = await this.playStage(executionId, commit, stage, stages, variables, stimuli, sync);
      if (outcome.kind === 'failed') {
        sync('Failed');
        await this.emit(executionEvent(this.origin, this.now(), executionId, 'FAILED', trigger));
        await this.flush();
        return outcome;
      }
    }
    sync('Succeeded');
    await this.emit(executionEvent(this.origin, this.now(), executionId, 'SUCCEEDED', trigger));
    await this.flush();
    return { kind: 'succeeded' };
  }

  private async playStage(
    executionId: string,
    commit: CommitInfo,
    stage: PlannedStage,
    stages: Map<string, StageExecutionStatus>,
    variables: Record<string, string>,
    stimuli: Stimuli,
    sync: (status: 'InProgress') => void,
  ): Promise<ExecutionEnd> {
    const approval = stimuli.approval;
    switch (stage.kind) {
      case 'build':
        await this.simpleStage(executionId, stage.name, stage.action.name, { category: 'Build', provider: 'CodeBuild' }, stages, 'type-check, lint, tests, audit, synth and policy gates passed');
        return { kind: 'succeeded' };
      case 'change-detection': {
        await this.emit(stageEvent(this.origin, this.now(), executionId, stage.name, 'STARTED'));
        await this.flush();
        // The environments this stage detects for: all of them, or one behind its deployment window.
        for (const environment of this.context.config.environments.filter((candidate) => stage.actions.some((action) => action.name === detectionActionName(candidate.name)))) {
          const decision = await this.detectChanges(environment, commit);
          variables[infraVariableName(environment.name)] = decision.infrastructure;
          const action = detectionActionName(environment.name);
          await this.emit(actionEvent(this.origin, this.now(), executionId, stage.name, action, 'SUCCEEDED', { category: 'Build', provider: 'CodeBuild' }, `${exportedVariableLine(decision)}: ${decision.reasons.join('; ')}`));
          this.context.progress(`    [${environment.name}] change detection: infrastructure ${decision.infrastructure} (${decision.reasons.join('; ')})`);
        }
        stages.set(stage.name, 'Succeeded');
        await this.emit(stageEvent(this.origin, this.now(), executionId, stage.name, 'SUCCEEDED'));
        return { kind: 'succeeded' };
      }
      case 'infrastructure': {
        const planned = deployedStages(this.context.plan, variables).find((candidate) => candidate.stage === stage.name);
        if (planned?.outcome === 'skipped') {
          // The entry condition's SKIP result: CodePipeline runs none of the stage's actions.
          stages.set(stage.name, 'Skipped');
          sync('InProgress');
          this.context.progress(`    [${stage.environment}] ${stage.name} skipped by its entry condition`);
          return { kind: 'succeeded' };
        }
        await this.simpleStage(executionId, stage.name, 'Core.Deploy', { category: 'Deploy', provider: 'CloudFormation' }, stages, `deployed the ${stage.environment} infrastructure stacks`, stage.environment);
        return { kind: 'succeeded' };
      }
      case 'approval': {
        await this.emit(stageEvent(this.origin, this.now(), executionId, stage.name, 'STARTED'));
        stages.set(stage.name, 'InProgress');
        sync('InProgress');
        await this.emit(actionEvent(this.origin, this.now(), executionId, stage.name, 'Approve', 'STARTED', { category: 'Approval', provider: 'Manual' }));
        this.fire(stage.environment, `${APPROVER} ${approval === 'approve' ? 'approves' : 'rejects'} the deployment to ${stage.environment}`);
        const state = approval === 'approve' ? 'SUCCEEDED' : 'FAILED';
        await this.emit(actionEvent(this.origin, this.now(), executionId, stage.name, 'Approve', state, { category: 'Approval', provider: 'Manual' }, `${approval === 'approve' ? 'Approved' : 'Rejected'} by ${APPROVER}`));
        stages.set(stage.name, approval === 'approve' ? 'Succeeded' : 'Failed');
        await this.emit(stageEvent(this.origin, this.now(), executionId, stage.name, state));
        return approval === 'approve' ? { kind: 'succeeded' } : { kind: 'failed', environment: stage.environment, stage: stage.name, reason: 'approval rejected' };
      }
      case 'application':
        return this.applicationStage(executionId, commit, stage, stages, sync, stimuli.alarms);
    }
  }

  private async applicationStage(
    executionId: string,
    commit: CommitInfo,
    stage: Extract<PlannedStage, { kind: 'application' }>,
    stages: Map<string, StageExecutionStatus>,
    sync: (status: 'InProgress') => void,
    alarms: readonly AlarmStimulus[],
  ): Promise<ExecutionEnd> {
    const environment = stage.environment;
    const deployType = { category: 'Deploy', provider: 'CodeDeploy' };
    await this.emit(stageEvent(this.origin, this.now(), executionId, stage.name, 'STARTED'));
    stages.set(stage.name, 'InProgress');
    sync('InProgress');
    await this.emit(actionEvent(this.origin, this.now(), executionId, stage.name, 'Application.Deploy', 'SUCCEEDED', deployType, `poller alias shifted to ${commit.id.slice(0, 8)}`));
    for (const alarm of alarms) {
      if (alarm.environment === environment) await this.setAlarm(this.environmentConfig(environment), alarm.severity);
    }
    const healthAction = stage.healthCheck?.name ?? 'HealthCheck';
    const invokeType = { category: 'Invoke', provider: 'StepFunctions' };
    await this.flush();
    const result = await this.healthCheck(environment, executionId, commit, stage.name);
    if (result.kind === 'failed') {
      await this.emit(actionEvent(this.origin, this.now(), executionId, stage.name, healthAction, 'FAILED', invokeType, result.cause));
      stages.set(stage.name, 'Failed');
      await this.emit(stageEvent(this.origin, this.now(), executionId, stage.name, 'FAILED'));
      return { kind: 'failed', environment, stage: stage.name, reason: `The health monitor failed: ${result.cause}` };
    }
    await this.emit(actionEvent(this.origin, this.now(), executionId, stage.name, healthAction, 'SUCCEEDED', invokeType, 'healthy for the whole bake'));
    await this.emit(actionEvent(this.origin, this.now(), executionId, stage.name, stage.tests.name, 'SUCCEEDED', { category: 'Test', provider: 'CodeBuild' }, `${stage.tests.name} passed`));
    stages.set(stage.name, 'Succeeded');
    await this.emit(stageEvent(this.origin, this.now(), executionId, stage.name, 'SUCCEEDED'));
    return { kind: 'succeeded' };
  }

  private async simpleStage(
    executionId: string,
    stage: string,
    action: string,
    type: { readonly category: string; readonly provider: string },
    stages: Map<string, StageExecutionStatus>,
    summary: string,
    environment?: EnvironmentName,
  ): Promise<void> {
    await this.emit(stageEvent(this.origin, this.now(), executionId, stage, 'STARTED'));
    await this.emit(actionEvent(this.origin, this.now(), executionId, stage, action, 'SUCCEEDED', type, summary));
    stages.set(stage, 'Succeeded');
    await this.emit(stageEvent(this.origin, this.now(), executionId, stage, 'SUCCEEDED'));
    if (environment !== undefined) this.context.progress(`    [${environment}] ${stage}: ${summary}`);
  }

  /** Real change detection: git diff on the repository, and the template comparison standing in for `cdk diff`. */
  private async detectChanges(environment: EnvironmentConfig, commit: CommitInfo): Promise<InfrastructureDecision> {
    const deployed = await lastDeployedRecord(this.context.runtime.history, environment.name);
    let source: SourceChanges;
    if (deployed === undefined) {
      source = { kind: 'first-deployment' };
    } else {
      try {
        source = { kind: 'diff', from: deployed.commit.id, paths: await this.context.sourceDiff.changedPaths(deployed.commit.id, commit.id) };
      } catch (error) {
        source = { kind: 'unavailable', from: deployed.commit.id, reason: error instanceof Error ? error.message : String(error) };
      }
    }
    const stack = await this.context.repository.stackDiff(deployed?.commit.id, commit.id).diff(`${environment.stackPrefix}-Core`);
    return decideInfrastructureChange({ environment: environment.name, to: commit.id, source, stacks: [stack] });
  }

  private async healthCheck(environment: EnvironmentName, executionId: string, commit: CommitInfo, stage: string): Promise<LocalExecutionResult> {
    const result = await runLocally({
      definition: this.context.binding.healthMonitorDefinition,
      input: { environment, executionId, commitId: commit.id, stage },
      // Bound by ARN: a task calling any other function fails the run loudly (runLocally refuses it).
      lambdaFor: (functionArn) => (functionArn === this.context.binding.healthMonitorFunctionArn ? this.context.runtime.healthMonitor : undefined),
      broker: this.context.broker,
      factor: this.context.clock.factor,
    });
    this.context.progress(`    [${environment}] health monitor ${result.kind}${result.kind === 'failed' ? `: ${result.cause}` : ''}`);
    return result;
  }

  /**
   * What the stage's failure sets off. The failed stage's event goes through the rollback trigger's
   * own decision (`requestFromEvent`, as the deployed Lambda does): a stage that deploys nothing,
   * such as a rejected approval, is not rolled back. Otherwise the rollback orchestrator runs, with
   * the real adapters and the CodePipeline double.
   */
  private async rollBack(executionId: string, end: Extract<ExecutionEnd, { kind: 'failed' }>): Promise<RollbackOutcome | undefined> {
    const { runtime, config, clock, ids } = this.context;
    const environments = config.environments.map((environment) => environment.name);
    const request = requestFromEvent(stageEvent(this.origin, this.now(), executionId, end.stage, 'FAILED'), config.pipeline.name, environments);
    if ('ignore' in request) {
      this.context.progress(`    [${end.environment}] no rollback: ${request.ignore}`);
      return undefined;
    }
    const outcome = await runRollback(
      {
        history: runtime.history,
        ledger: runtime.ledger,
        pipeline: runtime.pipeline,
        notifier: runtime.notifier,
        clock,
        ids,
        timing: DEFAULT_ROLLBACK_TIMING,
        environments,
      },
      { ...request, reason: end.reason },
    );
    this.context.progress(`    [${end.environment}] rollback ${outcome.kind}${outcome.kind === 'succeeded' ? ` (${outcome.scope})` : outcome.kind === 'failed' ? `: ${outcome.reason}` : ''}`);
    return outcome;
  }

  /**
   * Makes the double's RollbackStage and StartPipelineExecution start real (played) executions: the
   * call answers as the API does, then the driver plays the new execution, as CodePipeline would run
   * it, and reports its end through the double's GetPipelineExecution.
   */
  private interceptRollbackCalls(): void {
    const double = this.context.double;
    const send = double.send.bind(double);
    double.pollsToFinish = Number.MAX_SAFE_INTEGER;
    double.send = async (command) => {
      const response = await send(command);
      if (command instanceof RollbackStageCommand) {
        const id = (response as RollbackStageCommandOutput).pipelineExecutionId ?? '';
        await this.playRollbackExecution(id, command.input.stageName ?? '');
      } else if (command instanceof StartPipelineExecutionCommand) {
        const id = (response as StartPipelineExecutionCommandOutput).pipelineExecutionId ?? '';
        if (!this.touched.has(id)) await this.playRedeploy(id, command.input.sourceRevisions?.[0]?.revisionValue ?? '');
      }
      return response;
    };
  }

  private async playRollbackExecution(executionId: string, stageName: string): Promise<void> {
    const execution = this.context.double.executions.get(executionId);
    const environment = this.context.config.environments.find((candidate) => stageName.toLowerCase().startsWith(candidate.name))?.name;
    const commitId = execution?.sourceRevision;
    if (execution === undefined || environment === undefined || commitId === undefined) return;
    this.touched.add(executionId);
    await this.resetAlarms('the failed release is gone, so its alarm returns to OK');
    const trigger = { type: 'ManualRollback', detail: 'the rollback orchestrator (RollbackStage)', commit: { ...this.triggerCommit({ id: commitId }), message: `rollback of ${stageName}` } };
    await this.emit(executionEvent(this.origin, this.now(), executionId, 'STARTED', trigger));
    const stage = this.context.plan.stages.find((candidate) => candidate.name === stageName);
    const stages = new Map<string, StageExecutionStatus>();
    const ok = stage?.kind === 'application' ? (await this.applicationStage(executionId, { id: commitId }, stage, stages, () => undefined, [])).kind === 'succeeded' : true;
    execution.status = ok ? 'Succeeded' : 'Failed';
    for (const name of execution.stages.keys()) execution.stages.set(name, ok ? 'Succeeded' : 'Failed');
    await this.emit(executionEvent(this.origin, this.now(), executionId, ok ? 'SUCCEEDED' : 'FAILED', trigger));
    await this.flush();
  }

  private async playRedeploy(executionId: string, commitId: string): Promise<void> {
    const execution = this.context.double.executions.get(executionId);
    if (execution === undefined) return;
    await this.resetAlarms('the failed release is gone, so its alarm returns to OK');
    const end = await this.playExecution(executionId, { id: commitId, message: 'full rollback to the last known good release' }, { type: 'StartPipelineExecution', detail: 'the rollback orchestrator (full rollback)', commit: { ...this.triggerCommit({ id: commitId }), message: 'full rollback to the last known good release' } }, QUIET);
    const replayed = this.context.double.executions.get(executionId);
    if (replayed !== undefined) replayed.status = end.kind === 'succeeded' ? 'Succeeded' : 'Failed';
  }

  private environmentConfig(name: EnvironmentName): EnvironmentConfig {
    const found = this.context.config.environments.find((environment) => environment.name === name);
    if (found === undefined) throw new Error(`Environment ${name} is not configured.`);
    return found;
  }

  private async setAlarm(environment: EnvironmentConfig, severity: 'critical' | 'warning'): Promise<void> {
    const id = severity === 'critical' ? environment.alarms.critical[0] : environment.alarms.warning[0];
    if (id === undefined) throw new Error(`Environment ${environment.name} has no ${severity} alarm to set off.`);
    const name = `${environment.stackPrefix}-${id}`;
    await this.context.clients.cloudwatch.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: 'ALARM', StateReason: `rehearsal: ${severity} alarm fires during the bake` }));
    this.fire(environment.name, `${severity} alarm ${name} set to ALARM (SetAlarmState)`);
  }

  private async resetAlarms(why?: string): Promise<void> {
    for (const environment of this.context.config.environments) {
      for (const id of [...environment.alarms.critical, ...environment.alarms.warning]) {
        await this.context.clients.cloudwatch.send(new SetAlarmStateCommand({ AlarmName: `${environment.stackPrefix}-${id}`, StateValue: 'OK', StateReason: 'rehearsal: healthy' }));
      }
    }
    if (why !== undefined && this.scenario !== undefined) this.fire(undefined, `every alarm set back to OK: ${why}`);
  }

  /**
   * Hands an event to EventBridge: delivery is asynchronous and unordered, as in AWS (the recorder
   * and notifier are built for that), so the driver does not wait for it — except through
   * {@link flush} before it reads what was recorded.
   */
  private emit(event: Parameters<RehearsalRuntime['deliver']>[0]): Promise<void> {
    this.pending.push(this.context.runtime.deliver(event));
    return Promise.resolve();
  }

  /** Waits until every event handed over so far has been recorded and notified. */
  private async flush(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    await Promise.all(pending);
  }

  private now(): Date {
    return this.context.clock.now();
  }

  /** Reads every notification waiting on the queue (and deletes it), in rehearsal time. */
  private async drainNotices(): Promise<ReceivedNotice[]> {
    const notices: ReceivedNotice[] = [];
    for (;;) {
      const received = await this.context.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: this.context.readBackQueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['SentTimestamp'], WaitTimeSeconds: 0 }),
      );
      const messages = received.Messages ?? [];
      if (messages.length === 0) break;
      for (const message of messages) {
        const notice = parseReceivedNotice(message);
        notices.push({ ...notice, at: this.context.clock.fromWallClock(Date.parse(notice.at)).toISOString() });
      }
      await this.context.clients.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.context.readBackQueueUrl,
          Entries: messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle ?? '' })),
        }),
      );
    }
    return notices;
  }
}
