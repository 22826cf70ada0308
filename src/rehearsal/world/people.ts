/**
 * The people and the world around the pipeline during one scenario, playing the scenario's data:
 * the approver answers manual approvals with PutApprovalResult over the endpoint, the reviewer
 * answers health reviews with `kiro-cd approve|reject --token`, alarms are set off (SetAlarmState,
 * and CloudWatch's alarm-state event through the templates' EventBridge rules when the scenario
 * says so) when the release starts baking, and set back to OK when the rollback starts or has
 * redeployed; newer commits are pushed when the release reaches a stage. Everything they do is
 * kept as a stimulus for the timeline. They watch the pipeline's events; they decide nothing the
 * pipeline decides.
 */
import { SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { PutApprovalResultCommand } from '@aws-sdk/client-codepipeline';
import { RecordingOutput } from '../../cli/output.js';
import { runCli } from '../../cli/run-cli.js';
import { createReviewCommands } from '../../cli/commands/review.js';
import { CODEPIPELINE_DETAIL_TYPES } from '../../pipeline/domain/history/codepipeline-event.js';
import { applicationStageName } from '../../pipeline/domain/stage-names.js';
import type { CommitInfo, EnvironmentName } from '../../pipeline/domain/history-model.js';
import type { EnvironmentConfig } from '../../shared/config/schema.js';
import type { CodePipelineEvent } from '../../local/codepipeline-events.js';
import type { PendingApproval } from '../../local/codepipeline/manual-approvals.js';
import type { AlarmStimulus, ScenarioDefinition } from '../scenario-definition.js';
import type { Stimulus } from '../timeline.js';
import type { RehearsalWorld } from './rehearsal-world.js';

const APPROVER = 'rehearsal-approver';
const REVIEWER = 'rehearsal-reviewer';

/** What the people do in the scenario running now; undefined between scenarios (everyone approves). */
interface Act {
  readonly scenario: ScenarioDefinition;
  readonly release: CommitInfo;
  /** The commits pushed by the race, in push order, once pushed. */
  readonly racing: CommitInfo[];
  readonly firing: Map<string, AlarmStimulus>;
}

/** Plays the people for the whole rehearsal, one scenario at a time. */
export class People {
  readonly stimuli: Stimulus[] = [];
  private act: Act | undefined;
  private readonly pending = new Set<Promise<unknown>>();
  /** Alarms set to ALARM and not yet back to OK. */
  private readonly raised = new Set<string>();

  constructor(private readonly world: RehearsalWorld) {
    world.pipeline.approvals.onWaiting((approval) => {
      this.track(this.answerApproval(approval));
    });
    world.broker.onWaiting((token, purpose) => {
      if (purpose === 'WaitForReview') this.track(this.answerReview(token));
    });
    world.observers.push((event) => {
      this.observe(event);
    });
  }

  /** Starts playing `scenario`, whose release is `release`. */
  begin(scenario: ScenarioDefinition, release: CommitInfo): void {
    this.stimuli.length = 0;
    this.act = { scenario, release, racing: [], firing: new Map() };
  }

  /** The commits the race pushed, in push order (none when the scenario has no race). */
  get racingCommits(): readonly CommitInfo[] {
    return this.act?.racing ?? [];
  }

  /** Ends the scenario: later approvals are answered as usual. */
  end(): void {
    this.act = undefined;
  }

  /** Waits for every answer and alarm change in flight. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Notes a stimulus (with the rehearsal time). */
  fire(environment: EnvironmentName | undefined, summary: string): void {
    this.stimuli.push({ at: this.world.clock.now().toISOString(), ...(environment === undefined ? {} : { environment }), summary });
  }

  /** Pushes a commit and starts the pipeline as the connection's webhook does. */
  push(commit: CommitInfo, why: string): string {
    this.fire(undefined, `pushed ${commit.id.slice(0, 8)} to main: ${why}`);
    const source = this.world.config.pipeline.source;
    return this.world.pipeline.startPipelineExecution(
      { name: this.world.config.pipeline.name, sourceRevisions: [{ revisionValue: commit.id }] },
      {
        trigger: { triggerType: 'Webhook', triggerDetail: source.connectionArn },
        commit: { id: commit.id, message: commit.message ?? '', author: commit.author ?? 'unknown', committedAt: commit.committedAt ?? this.world.clock.now().toISOString(), repository: `${source.owner}/${source.repository}` },
      },
    ).pipelineExecutionId;
  }

  /** Sets every configured alarm to OK (once, before the first release: moto creates them INSUFFICIENT_DATA). */
  async resetAlarms(): Promise<void> {
    for (const environment of this.world.config.environments) {
      for (const id of [...environment.alarms.critical, ...environment.alarms.warning]) await this.setAlarm(`${environment.stackPrefix}-${id}`, 'OK', 'rehearsal: healthy');
    }
    this.raised.clear();
  }

  /** Sets back to OK every alarm a scenario left in ALARM (between scenarios). */
  async clearRaisedAlarms(): Promise<void> {
    for (const name of this.raised) await this.setAlarm(name, 'OK', 'rehearsal: the next scenario starts healthy');
    this.raised.clear();
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) => {
      this.fire(undefined, `a person's action failed: ${error instanceof Error ? error.message : String(error)}`);
    }).finally(() => {
      this.pending.delete(tracked);
    });
    this.pending.add(tracked);
  }

  private commitOf(executionId: string): string | undefined {
    const execution = this.world.pipeline.executions.get(executionId);
    return execution?.commit?.id ?? execution?.sourceRevisionOverride ?? Object.values(execution?.outputs ?? {}).find((outputs) => outputs.CommitId !== undefined)?.CommitId;
  }

  private isRelease(executionId: string): boolean {
    const execution = this.world.pipeline.executions.get(executionId);
    return this.act !== undefined && execution?.type === 'STANDARD' && execution.variables.KIRO_ROLLBACK !== 'true' && this.commitOf(executionId) === this.act.release.id;
  }

  private isRollback(executionId: string): boolean {
    const execution = this.world.pipeline.executions.get(executionId);
    return execution?.type === 'ROLLBACK' || execution?.variables.KIRO_ROLLBACK === 'true';
  }

  private async answerApproval(approval: PendingApproval): Promise<void> {
    const forRelease = this.isRelease(approval.executionId);
    const status = forRelease && this.act?.scenario.productionApproval === 'reject' ? 'Rejected' : 'Approved';
    this.fire(undefined, `${APPROVER} ${status === 'Approved' ? 'approves' : 'rejects'} ${approval.stageName} (PutApprovalResult)`);
    await this.world.codePipeline.send(
      new PutApprovalResultCommand({ pipelineName: this.world.config.pipeline.name, stageName: approval.stageName, actionName: approval.actionName, token: approval.token, result: { status, summary: `${status} by ${APPROVER}` } }),
    );
  }

  private async answerReview(token: string): Promise<void> {
    const answer = this.act?.scenario.reviewAnswer ?? 'approve';
    if (answer === 'none') {
      this.fire(undefined, 'nobody answers the health review');
      return;
    }
    const commands = createReviewCommands({ defaults: () => ({ region: this.world.config.pipeline.region }), openGate: () => this.world.broker });
    const out = new RecordingOutput();
    this.fire(undefined, `${REVIEWER} runs kiro-cd ${answer} --token ${token.slice(0, 22)}...`);
    const code = await runCli([commands.approve, commands.reject], [answer, '--token', token, '--actor', REVIEWER, '--comment', 'rehearsed review'], { out, env: {}, cwd: this.world.repository.directory });
    if (code !== 0) throw new Error(`kiro-cd ${answer} exited ${code}: ${out.stderr}`);
  }

  private environmentConfig(name: EnvironmentName): EnvironmentConfig | undefined {
    return this.world.config.environments.find((environment) => environment.name === name);
  }

  private observe(event: CodePipelineEvent): void {
    const act = this.act;
    if (act === undefined) return;
    const detail = event.detail as { 'execution-id'?: string; stage?: string; action?: string; state?: string; type?: { category?: string; provider?: string } };
    const executionId = detail['execution-id'] ?? '';
    const race = act.scenario.race;
    if (race !== undefined && event['detail-type'] === CODEPIPELINE_DETAIL_TYPES.stage && detail.state === 'STARTED' && detail.stage === race.at && act.racing.length === 0 && this.isRelease(executionId)) {
      // Every commit is made first (git takes wall time, which is rehearsal time), then all are pushed at once.
      for (let index = 1; index <= race.commits; index += 1) act.racing.push(this.world.repository.commit('application-only', `Newer commit ${index} of ${race.commits} pushed while the release deploys`));
      act.racing.forEach((newer, index) => {
        this.push(newer, `newer commit ${index + 1} of ${race.commits} races the release`);
      });
      return;
    }
    if (event['detail-type'] !== CODEPIPELINE_DETAIL_TYPES.action) return;
    for (const alarm of act.scenario.alarms) {
      const stage = applicationStageName(alarm.environment);
      if (detail.stage !== stage) continue;
      const key = `${alarm.environment}/${alarm.severity}`;
      if (detail.state === 'STARTED' && detail.type?.category === 'Invoke' && this.isRelease(executionId) && !act.firing.has(key)) {
        act.firing.set(key, alarm);
        this.track(this.setOff(alarm, 'ALARM'));
      }
      const rollbackDeployed = detail.state === 'SUCCEEDED' && detail.type?.category === 'Deploy' && this.isRollback(executionId);
      const rollbackStarted = detail.state === 'STARTED' && this.isRollback(executionId);
      if (act.firing.get(key) === alarm && ((alarm.until ?? 'rollback-starts') === 'rollback-deployed' ? rollbackDeployed : rollbackStarted)) {
        act.firing.delete(key);
        this.track(this.setOff(alarm, 'OK'));
      }
    }
  }

  private async setOff(alarm: AlarmStimulus, state: 'ALARM' | 'OK'): Promise<void> {
    const environment = this.environmentConfig(alarm.environment);
    const id = alarm.severity === 'critical' ? environment?.alarms.critical[0] : environment?.alarms.warning[0];
    if (environment === undefined || id === undefined) throw new Error(`Environment ${alarm.environment} has no ${alarm.severity} alarm to set off.`);
    const name = `${environment.stackPrefix}-${id}`;
    const reason = state === 'ALARM' ? `rehearsal: ${alarm.severity} alarm fires during the bake` : 'rehearsal: the release that broke it is gone';
    await this.setAlarm(name, state, reason);
    // Both changes go through EventBridge, as CloudWatch sends them: the OK change arrives after the
    // release's "fail" verdict and must not reopen it (the history fold lets no observation replace a decision).
    const viaEvent = alarm.path === 'event';
    this.fire(alarm.environment, `${alarm.severity} alarm ${name} set to ${state} (SetAlarmState${viaEvent ? ' and its EventBridge alarm-state event' : ''})`);
    if (viaEvent) {
      const delivered = await this.world.bus.put({
        version: '0',
        id: `alarm-${name}-${state}-${this.world.clock.now().getTime()}`,
        'detail-type': 'CloudWatch Alarm State Change',
        source: 'aws.cloudwatch',
        account: environment.account,
        time: this.world.clock.now().toISOString(),
        region: environment.region,
        resources: [`arn:aws:cloudwatch:${environment.region}:${environment.account}:alarm:${name}`],
        detail: { alarmName: name, state: { value: state, reason }, previousState: { value: state === 'ALARM' ? 'OK' : 'ALARM' } },
      });
      if (delivered.length === 0) this.fire(alarm.environment, `no EventBridge rule of the templates took the alarm-state event of ${name}`);
    }
  }

  private async setAlarm(name: string, state: 'ALARM' | 'OK', reason: string): Promise<void> {
    if (state === 'ALARM') this.raised.add(name);
    else this.raised.delete(name);
    await this.world.clients.cloudwatch.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: reason }));
  }
}
