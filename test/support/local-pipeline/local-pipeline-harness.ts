/**
 * The local CodePipeline engine (src/local/codepipeline) running a compact pipeline declaration,
 * served over the CodePipeline JSON protocol by the same endpoint the rehearsal uses, for tests of
 * code that calls CodePipeline (the rollback orchestrator, its handlers, `kiro-cd rollback`). The
 * code under test gets a real `@aws-sdk/client-codepipeline` client pointed at the endpoint; the
 * history the tests need is made the way it happens on AWS: releases started with
 * StartPipelineExecution, stopped with StopPipelineExecution, CodeBuild / CloudFormation / Step
 * Functions actions ending as the test's script says (and taking as long as it says), and
 * definition changes through the engine's UpdatePipeline. Nothing is poked into the engine.
 */
import { CodePipelineClient, StartPipelineExecutionCommand, StopPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { onTestFinished } from 'vitest';
import type { ActionInvocation, ActionResult, ActionRunner } from '../../../src/local/codepipeline/action-runner.js';
import { startLocalAwsEndpoint, type LocalAwsEndpoint } from '../../../src/local/codepipeline/codepipeline-endpoint.js';
import { LocalCodePipeline, type PipelineClock } from '../../../src/local/codepipeline/local-codepipeline.js';
import { recordCalls } from '../../../src/shared/aws/call-recorder.js';
import type { IdGenerator } from '../../../src/shared/id-generator.js';
import { SOURCE_ACTION_NAME } from '../../../src/pipeline/domain/pipeline-vocabulary.js';
import { compactPipeline, type CompactPipelineOptions } from './compact-pipeline.js';
import { SteppedClock } from './stepped-clock.js';

const ACCOUNT = '111111111111';
const REGION = 'us-east-1';
/** Nothing listens here: the endpoint serves CodePipeline itself and passes nothing on in these tests. */
const NO_UPSTREAM = 'http://127.0.0.1:9';

/** One action the pipeline runs, as the script sees it. */
export interface ActionCall {
  readonly stage: string;
  readonly action: string;
  /** The commit the action works on (its `#{SourceVariables.CommitId}`). */
  readonly commit: string;
  readonly executionId: string;
  readonly executionType: 'STANDARD' | 'ROLLBACK';
  /** The execution's pipeline-level variables (`KIRO_ROLLBACK`, ...). */
  readonly variables: Readonly<Record<string, string>>;
}

/** How a scripted action ends: its status (default Succeeded) after `takesMs` of pipeline time (default 0). */
export interface ScriptedOutcome {
  readonly status?: 'Succeeded' | 'Failed';
  readonly summary?: string;
  readonly takesMs?: number;
  /** Output variables, published under the action's namespace (a change detection's `INFRA_<ENV>`). */
  readonly outputVariables?: Readonly<Record<string, string>>;
}

/** What each action does; `undefined` means it succeeds at once. */
export type ActionScript = (call: ActionCall) => ScriptedOutcome | undefined;

/** How the harness is built. */
export interface LocalPipelineOptions extends CompactPipelineOptions {
  /** The actions' outcomes. @default every action succeeds at once */
  readonly script?: ActionScript;
  /** The pipeline's time. @default {@link LocalPipelineHarness.clock}'s pipeline view */
  readonly clock?: PipelineClock;
}

/** One call the code under test made through {@link LocalPipelineHarness.client}. */
export interface PipelineCall {
  readonly operation: string;
  readonly input: unknown;
}

/** Ids shaped like CodePipeline's; a test may name the next one (the execution it starts next). */
class PipelineIds implements IdGenerator {
  private count = 0x10_0000;
  private pinned: string | undefined;

  pin(id: string): void {
    this.pinned = id;
  }

  next(): string {
    const pinned = this.pinned;
    this.pinned = undefined;
    if (pinned !== undefined) return pinned;
    this.count += 1;
    return `00000000-0000-4000-8000-${this.count.toString(16).padStart(12, '0')}`;
  }
}

/** The commit an action works on, read from its resolved configuration (see compact-pipeline.ts). */
function commitOf(invocation: ActionInvocation): string {
  const { configuration } = invocation;
  try {
    if (configuration.ParameterOverrides !== undefined) return (JSON.parse(configuration.ParameterOverrides) as { CommitId?: string }).CommitId ?? '';
    if (configuration.Input !== undefined) return (JSON.parse(configuration.Input) as { commitId?: string }).commitId ?? '';
    if (configuration.EnvironmentVariables !== undefined) {
      return (JSON.parse(configuration.EnvironmentVariables) as { name: string; value: string }[]).find((variable) => variable.name === 'COMMIT_ID')?.value ?? '';
    }
  } catch {
    return '';
  }
  return '';
}

/** A local CodePipeline over a compact declaration, its endpoint, and a recorded SDK client for the code under test. */
export class LocalPipelineHarness {
  /** The time line of the pipeline's actions, when the harness owns it. */
  readonly clock = new SteppedClock();
  readonly pipeline: LocalCodePipeline;
  /** What the code under test called, with inputs, in order. */
  readonly calls: PipelineCall[] = [];
  /** The actions' outcomes; a test may change it after the history is made. */
  script: ActionScript;
  private readonly ids = new PipelineIds();
  private readonly stops = new Map<string, { stage: string; reached: (executionId: string) => void }>();
  private assets: number;
  private constructor(
    private readonly options: LocalPipelineOptions,
    private readonly endpointHolder: { endpoint?: LocalAwsEndpoint; client?: CodePipelineClient; seeding?: CodePipelineClient },
  ) {
    this.script = options.script ?? (() => undefined);
    this.assets = options.assets ?? 0;
    const pipelineClock = options.clock ?? this.clock.pipelineClock;
    this.pipeline = new LocalCodePipeline({
      declaration: compactPipeline(options),
      clock: pipelineClock,
      ids: this.ids,
      account: ACCOUNT,
      region: REGION,
      alarms: { stateOf: () => Promise.resolve(undefined) },
      runners: (_stage, action) => (action.category === 'Source' ? this.sourceRunner : this.scriptedRunner(pipelineClock)),
    });
  }

  /** Builds the pipeline and serves it; closed after the current test when called inside one. */
  static async start(options: LocalPipelineOptions): Promise<LocalPipelineHarness> {
    const holder: { endpoint?: LocalAwsEndpoint; client?: CodePipelineClient; seeding?: CodePipelineClient } = {};
    const harness = new LocalPipelineHarness(options, holder);
    holder.endpoint = await startLocalAwsEndpoint({ pipeline: harness.pipeline, upstream: NO_UPSTREAM, account: ACCOUNT, region: REGION });
    const config = { endpoint: holder.endpoint.endpoint, region: REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 };
    holder.client = recordCalls(new CodePipelineClient(config), 'test', {}, { sink: (call) => harness.calls.push({ operation: call.operation, input: call.input }) });
    holder.seeding = new CodePipelineClient(config);
    try {
      onTestFinished(() => harness.close());
    } catch {
      // Built outside a test (a hook): the caller closes it.
    }
    return harness;
  }

  /** The pipeline's name. */
  get name(): string {
    return this.options.name;
  }

  /** The endpoint URL (`--endpoint-url`). */
  get endpoint(): string {
    return this.required(this.endpointHolder.endpoint).endpoint;
  }

  /** The SDK client for the code under test; its calls land in {@link calls}. */
  get client(): CodePipelineClient {
    return this.required(this.endpointHolder.client);
  }

  private required<T>(value: T | undefined): T {
    if (value === undefined) throw new Error('The local pipeline harness is not started.');
    return value;
  }

  private readonly sourceRunner: ActionRunner = (invocation) =>
    Promise.resolve({ status: 'Succeeded', externalExecutionId: invocation.sourceRevision ?? 'head', outputVariables: { CommitId: invocation.sourceRevision ?? 'head' } });

  private scriptedRunner(clock: PipelineClock): ActionRunner {
    return async (invocation): Promise<ActionResult> => {
      const call: ActionCall = {
        stage: invocation.stageName,
        action: invocation.action.name,
        commit: commitOf(invocation),
        executionId: invocation.executionId,
        executionType: invocation.executionType,
        variables: invocation.variables,
      };
      const stop = this.stops.get(call.commit);
      if (stop !== undefined && stop.stage === call.stage && call.executionType === 'STANDARD') {
        // The operator stops the release here: the action runs until it is abandoned.
        stop.reached(call.executionId);
        await new Promise<void>((resolve) => {
          invocation.signal.addEventListener('abort', () => { resolve(); }, { once: true });
        });
        return { status: 'Failed', summary: 'abandoned' };
      }
      const outcome = this.script(call) ?? {};
      if ((outcome.takesMs ?? 0) > 0) await clock.sleep(outcome.takesMs ?? 0, invocation.signal);
      return {
        status: outcome.status ?? 'Succeeded',
        ...(outcome.summary === undefined ? {} : { summary: outcome.summary }),
        ...(outcome.outputVariables === undefined ? {} : { outputVariables: outcome.outputVariables }),
      };
    };
  }

  /**
   * Releases `commit` through StartPipelineExecution and waits until the pipeline is idle, or until
   * `until` holds. `id` names the execution (the history the test writes refers to it); `stopBefore`
   * stops the release with StopPipelineExecution (abandon) once it reaches that stage.
   */
  async release(commit: string, options: { readonly id?: string; readonly stopBefore?: string; readonly until?: () => boolean } = {}): Promise<string> {
    const seeding = this.required(this.endpointHolder.seeding);
    let reached: Promise<string> | undefined;
    if (options.stopBefore !== undefined) {
      const stage = options.stopBefore;
      reached = new Promise((resolve) => {
        this.stops.set(commit, { stage, reached: resolve });
      });
    }
    // A minute between releases on the stepped clock, so the newest target is the later release.
    if (this.options.clock === undefined) await this.clock.advance(60_000);
    if (options.id !== undefined) this.ids.pin(options.id);
    const started = await seeding.send(
      new StartPipelineExecutionCommand({ name: this.name, sourceRevisions: [{ actionName: SOURCE_ACTION_NAME, revisionType: 'COMMIT_ID', revisionValue: commit }] }),
    );
    const id = started.pipelineExecutionId ?? '';
    if (options.id !== undefined && id !== options.id) throw new Error(`The release of ${commit} got id ${id}, not ${options.id}: another execution drew ids meanwhile.`);
    if (reached !== undefined) {
      const executionId = await Promise.race([reached, this.pipeline.settled().then(() => undefined)]);
      if (executionId === undefined) throw new Error(`The release of ${commit} ended without reaching ${options.stopBefore ?? ''}.`);
      this.stops.delete(commit);
      await seeding.send(new StopPipelineExecutionCommand({ pipelineName: this.name, pipelineExecutionId: executionId, abandon: true, reason: 'Stopped before this stage' }));
    }
    if (options.until === undefined) await this.pipeline.settled();
    else await this.waitUntil(options.until);
    return id;
  }

  private async waitUntil(condition: () => boolean): Promise<void> {
    for (let attempt = 0; attempt < 2000; attempt += 1) {
      if (condition()) return;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    throw new Error('The pipeline never reached the state the test waits for.');
  }

  /** True once `action` of `stage` in `executionId` has ended with `status`. */
  actionEnded(executionId: string, stage: string, action: string, status: 'Succeeded' | 'Failed'): boolean {
    return this.pipeline.actionExecutions.some((record) => record.pipelineExecutionId === executionId && record.stageName === stage && record.actionName === action && record.status === status);
  }

  /**
   * The pipeline's definition changes as a self-mutation changes it (one more asset action): the
   * engine's UpdatePipeline bumps the structure version, so earlier executions are no rollback targets.
   */
  changeDefinition(): void {
    this.assets += 1;
    const { changed } = this.pipeline.updatePipeline(compactPipeline({ ...this.options, assets: this.assets }));
    if (!changed) throw new Error('The definition update changed nothing.');
  }

  private closed = false;

  /** Stops what still runs (so no timer outlives the test) and closes the endpoint and clients; once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const execution of this.pipeline.executions.values()) {
      if (execution.status === 'InProgress' || execution.status === 'Stopping') this.pipeline.stopPipelineExecution({ pipelineName: this.name, pipelineExecutionId: execution.id, abandon: true });
    }
    this.endpointHolder.client?.destroy();
    this.endpointHolder.seeding?.destroy();
    await this.endpointHolder.endpoint?.close();
  }
}
