/**
 * The rehearsal's world: the runtime's resources created in moto from the synthesized templates,
 * the local CodePipeline executing the synthesized pipeline declaration, served with every other
 * service (moto behind it) on one local endpoint, and the pipeline runtime's real functions bound
 * to the ARNs the templates give them. Every SDK client of the rehearsal — the rollback trigger's
 * CodePipelineControl, the CLI, the handlers' adapters — talks HTTP to that one endpoint.
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { readAssemblyStacks } from '../../pipeline/adapters/cdk/cloud-assembly-stacks.js';
import { DynamoDbDeploymentHistory } from '../../pipeline/adapters/aws/dynamodb-deployment-history.js';
import type { CommitInfo } from '../../pipeline/domain/history-model.js';
import type { DeploymentConfig } from '../../shared/config/schema.js';
import { KiroCdError } from '../../shared/errors.js';
import type { IdGenerator } from '../../shared/id-generator.js';
import type { CompressedClock } from '../../local/compressed-clock.js';
import { startLocalAwsEndpoint, type LocalAwsEndpoint } from '../../local/codepipeline/codepipeline-endpoint.js';
import { findPipelineDeclaration, type PipelineDeclaration } from '../../local/codepipeline/declaration.js';
import { LocalCodePipeline } from '../../local/codepipeline/local-codepipeline.js';
import { stepFunctionsRunner } from '../../local/codepipeline/runners/step-functions-runner.js';
import { LocalStepFunctions } from '../../local/local-step-functions.js';
import type { AlarmStateReader } from '../../local/codepipeline/stage-conditions.js';
import { eventRulesOf, TemplateEventBus } from '../../local/eventbridge/template-event-rules.js';
import { provisionFromTemplates, subscribeReadBackQueue } from '../../local/local-resources.js';
import { parseDefinition, type AslDefinition } from '../../local/local-state-machine.js';
import { exportsOf, resolutionContextFor, resolveIntrinsics, type SynthesizedStack } from '../../local/synthesized-templates.js';
import { TaskTokenBroker } from '../../local/task-token-broker.js';
import { watchHttpRequestsInFlight } from '../../local/http-requests-in-flight.js';
import type { CodePipelineEvent } from '../../local/codepipeline-events.js';
import type { ActionResult, ActionRunnerLookup } from '../../local/codepipeline/action-runner.js';
import { emulatorClientConfig, emulatorClients, wireRuntime, type EmulatorClients, type RehearsalRuntime, type RuntimeBinding } from '../rehearsal-runtime.js';
import { ReleaseRepository } from '../release-repository.js';
import { findRuntimeBinding } from '../runtime-binding.js';
import { rehearsalRunners } from './action-runners.js';
import { DeployRecords } from './deploy-records.js';
import { runDetection } from './detection-runner.js';
import { startGitHubStatusServer, type GitHubStatusServer } from './github-status-server.js';
import { PipelineStructures } from './pipeline-structures.js';
import { runtimeFunctions, type RuntimeFunctions } from './runtime-functions.js';
import { templateDeploymentGroups, templateProjects } from './template-projects.js';

/** What the world is built from. */
export interface RehearsalWorldOptions {
  readonly stacks: readonly SynthesizedStack[];
  /** The cloud assembly directory (change detection reads its stacks, as `--cdk-app cdk.out` does). */
  readonly assemblyDir: string;
  readonly config: DeploymentConfig;
  /** moto_server's endpoint. */
  readonly emulatorEndpoint: string;
  /** Account and region every resource resolves in (moto's account). */
  readonly where: { readonly region: string; readonly account: string };
  readonly clock: CompressedClock;
  readonly ids: IdGenerator;
}

/** The running world. */
export interface RehearsalWorld {
  /** The one endpoint: CodePipeline answered locally, every other service passed on to moto. */
  readonly endpoint: LocalAwsEndpoint;
  readonly pipeline: LocalCodePipeline;
  readonly declaration: PipelineDeclaration;
  readonly structures: PipelineStructures;
  readonly clients: EmulatorClients;
  readonly codePipeline: CodePipelineClient;
  readonly runtime: RehearsalRuntime;
  readonly binding: RuntimeBinding;
  readonly functions: RuntimeFunctions;
  readonly bus: TemplateEventBus;
  readonly broker: TaskTokenBroker;
  readonly records: DeployRecords;
  readonly repository: ReleaseRepository;
  /** The repository's first commit: the release every environment runs before the scenarios. */
  readonly initial: CommitInfo;
  readonly github: GitHubStatusServer;
  readonly readBackQueueUrl: string;
  readonly clock: CompressedClock;
  readonly config: DeploymentConfig;
  /** Scripted CodeBuild outcomes per commit, by `<stage>.<action>`. */
  readonly scripts: Map<string, Readonly<Record<string, ActionResult>>>;
  /** Called with every event CodePipeline emits, before EventBridge delivers it (the people around the pipeline watch it). */
  readonly observers: ((event: CodePipelineEvent) => void)[];
  /** The templates' state machines as the endpoint's StartExecution runs them (the rollback's). */
  readonly stepFunctions: LocalStepFunctions;
  /** Errors thrown by event targets (a failing Lambda in AWS would retry, then dead-letter). */
  readonly targetErrors: unknown[];
  /** What the emulator behind the endpoint has done so far: the rehearsal prints it per scenario. */
  readonly emulatorLoad: EmulatorLoad;
  close(): Promise<void>;
}

/**
 * How many calls may be in flight to the emulator while rehearsal time runs: none. Rehearsal time
 * passes only while everyone waits on time (bakes, polls, timeouts), never while the emulator
 * works, so a slow or busy machine changes how long the rehearsal takes, not what happens in it.
 */
export const EMULATOR_BACKLOG = 0;

/**
 * The calls the endpoint passed on to the emulator and the real time during which at least one was
 * waiting for it (rehearsal time stands still then: EMULATOR_BACKLOG), counted from the endpoint's
 * load reports, so the rehearsal can say where its wall time went.
 */
export class EmulatorLoad {
  calls = 0;
  /** Calls by service and operation (`DynamoDB_20120810.Query`, `sns.Publish`), as the endpoint named them. */
  readonly operations = new Map<string, number>();
  private busyMs = 0;
  private waiting = 0;
  private busySince: number | undefined;

  constructor(private readonly realNow: () => number = () => performance.now()) {}

  /** Told the number of calls waiting on the emulator whenever it changes. */
  report(waiting: number): void {
    if (waiting > this.waiting) this.calls += waiting - this.waiting;
    if (this.waiting === 0 && waiting > 0) this.busySince = this.realNow();
    if (waiting === 0 && this.busySince !== undefined) {
      this.busyMs += this.realNow() - this.busySince;
      this.busySince = undefined;
    }
    this.waiting = waiting;
  }

  /** Counts one call of `operation`. */
  called(operation: string): void {
    this.operations.set(operation, (this.operations.get(operation) ?? 0) + 1);
  }

  /** The `top` most called operations with their counts, most first (ties by name). */
  busiest(top: number): { readonly operation: string; readonly calls: number }[] {
    return [...this.operations].map(([operation, calls]) => ({ operation, calls })).sort((a, b) => b.calls - a.calls || a.operation.localeCompare(b.operation)).slice(0, top);
  }

  /** Real milliseconds with a call waiting on the emulator, up to now. */
  busy(): number {
    return this.busyMs + (this.busySince === undefined ? 0 : this.realNow() - this.busySince);
  }
}

/** The GitHub token the commit-status function reads from Secrets Manager: a dummy value; the local GitHub server checks that a Bearer token is sent, not which. */
const REHEARSAL_GITHUB_TOKEN = 'rehearsal-token-not-a-secret';

/** State machines of the templates, by the ARN actions name them with. */
function stateMachinesOf(stacks: readonly SynthesizedStack[], where: RehearsalWorldOptions['where']): Map<string, AslDefinition> {
  const machines = new Map<string, AslDefinition>();
  for (const stack of stacks) {
    const context = resolutionContextFor(stack, where);
    for (const [logicalId, resource] of Object.entries(stack.resources)) {
      if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
      const text = resolveIntrinsics(resource.Properties?.DefinitionString, context);
      if (typeof text !== 'string') continue;
      machines.set(String(resolveIntrinsics({ 'Fn::GetAtt': [logicalId, 'Arn'] }, context)), parseDefinition(text));
    }
  }
  return machines;
}

/**
 * What holds rehearsal time: calls waiting on the emulator, and action work that takes no rehearsal
 * time here. Both sources go through here, so one ending cannot release a hold the other still
 * needs (an emulator call answered while the detection command ran left the clock running). It also
 * tells the clock whether anything is in flight at all (those, and every HTTP request of the
 * process): only when nothing is may the clock skip idle time.
 */
export class Pace {
  private emulator = 0;
  private working = 0;
  private requests = 0;

  constructor(private readonly clock: Pick<CompressedClock, 'hold' | 'active'>) {}

  /** Told how many calls wait on the emulator whenever that changes (the endpoint's load reports). */
  emulatorWaiting(waiting: number): void {
    this.emulator = waiting;
    this.update();
  }

  /** An action's local stand-in starts (`+1`) or ends (`-1`) its work. */
  work(change: 1 | -1): void {
    this.working += change;
    this.update();
  }

  /** Told how many HTTP requests the process has in flight whenever that changes. */
  requestsInFlight(inFlight: number): void {
    this.requests = inFlight;
    this.update();
  }

  private update(): void {
    // Either order is safe: the clock skips only once it is neither active nor held.
    this.clock.active(this.emulator > 0 || this.working > 0 || this.requests > 0);
    this.clock.hold(this.emulator > EMULATOR_BACKLOG || this.working > 0);
  }
}

/**
 * Holds rehearsal time while an action's local stand-in works (git, the detection command, the
 * deploy records): its duration here is the machine's, not the service's. Actions that wait on
 * rehearsal time themselves (the Step Functions health check) are not held.
 */
function heldWhileWorking(runners: ActionRunnerLookup, pace: Pace): ActionRunnerLookup {
  return (stage, action) => {
    const runner = runners(stage, action);
    if (runner === undefined || action.category === 'Invoke') return runner;
    return async (invocation) => {
      pace.work(1);
      try {
        return await runner(invocation);
      } finally {
        pace.work(-1);
      }
    };
  };
}

/** The ARN with its account replaced: the rehearsal runs every account of the templates in moto's one account. */
function inAccount(arn: string, account: string): string {
  const parts = arn.split(':');
  if (parts.length < 6) return arn;
  parts[4] = account;
  return parts.join(':');
}

/** CloudWatch alarm states read from the emulator (stage conditions and CodeDeploy's alarm check). */
function alarmStates(clients: EmulatorClients): AlarmStateReader {
  return {
    stateOf: async (alarmName) => (await clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName] }))).MetricAlarms?.[0]?.StateValue,
  };
}

/** Builds and starts the world. */
export async function startRehearsalWorld(options: RehearsalWorldOptions): Promise<RehearsalWorld> {
  const { stacks, config, clock, ids } = options;
  // Cross-stack references (Fn::ImportValue) resolve to the exporting stack's value, as in CloudFormation.
  const where = { ...options.where, exports: exportsOf(stacks, options.where) };
  const moto = emulatorClients({ endpoint: options.emulatorEndpoint, region: where.region });
  const provisioned = await provisionFromTemplates(stacks, moto, where);
  const search = findRuntimeBinding(stacks, provisioned.contexts);
  if (search.kind === 'missing') {
    throw new KiroCdError(`The synthesized templates lack what the rehearsal runs: ${search.missing.join('; ')}.`, { code: 'REHEARSAL_TEMPLATES_INCOMPLETE', fault: 'internal' });
  }
  const binding = search.binding;
  const declaration = findPipelineDeclaration(stacks, where);
  const pipelineStack = stacks.find((stack) => Object.values(stack.resources).some((resource) => resource.Type === 'AWS::CodePipeline::Pipeline'));
  const testCore = stacks.find((stack) => stack.stage.toLowerCase() === 'test' && /core/i.test(stack.stackName));
  const { repository, initial } = ReleaseRepository.create({ Resources: testCore?.resources ?? {} }, () => clock.now());
  const structures = new PipelineStructures(declaration, (ancestor, commit) => repository.isAncestor(ancestor, commit));
  const records = new DeployRecords();
  const broker = new TaskTokenBroker();
  const scripts = new Map<string, Readonly<Record<string, ActionResult>>>();
  const targetErrors: unknown[] = [];
  const observers: ((event: CodePipelineEvent) => void)[] = [];
  const github = await startGitHubStatusServer();
  const sourceNamespace = declaration.stages.flatMap((stage) => stage.actions).find((action) => action.category === 'Source')?.namespace;

  // The pipeline exists before the endpoint that serves it; its runners and event targets are built after.
  const late: { bus?: TemplateEventBus; functions?: RuntimeFunctions; detection?: Parameters<typeof runDetection>[0]; alarms?: AlarmStateReader; pipeline?: LocalCodePipeline } = {};
  const alarms: AlarmStateReader = { stateOf: (name) => (late.alarms === undefined ? Promise.resolve(undefined) : late.alarms.stateOf(name)) };
  const projects = templateProjects(stacks, where);
  const assemblyTemplates = new Map(stacks.map((stack) => [stack.stackName, stack.templateFile]));
  const pace = new Pace(clock);
  const stateMachines = stateMachinesOf(stacks, where);
  const stepFunctions = (invocation: Parameters<ReturnType<typeof stepFunctionsRunner>>[0]): Promise<ActionResult> =>
    stepFunctionsRunner({ stateMachines, lambdas: late.functions?.lambdas ?? new Map(), broker, factor: clock.factor, clock })({
      ...invocation,
      // Every account of the templates is moto's one account here: a state machine ARN names its own account.
      configuration: { ...invocation.configuration, ...(invocation.configuration.StateMachineArn === undefined ? {} : { StateMachineArn: inAccount(invocation.configuration.StateMachineArn, where.account) }) },
    });
  const commitOf = (executionId: string): string | undefined => (sourceNamespace === undefined ? undefined : late.pipeline?.executions.get(executionId)?.outputs[sourceNamespace]?.CommitId);
  const pipeline = new LocalCodePipeline({
    declaration,
    clock,
    ids,
    account: where.account,
    region: where.region,
    alarms,
    runners: heldWhileWorking(rehearsalRunners({
      projects,
      deploymentGroups: templateDeploymentGroups(stacks, where),
      records,
      alarms,
      commitOf,
      fetchCommit: (revision) => ({ ...repository.describe(revision), repository: `${config.pipeline.source.owner}/${config.pipeline.source.repository}` }),
      templateOf: (commitId, stackName) => (/-Core$/.test(stackName) ? repository.templateAt(commitId) : JSON.stringify({ stack: stackName, file: assemblyTemplates.get(stackName) ?? 'not in the assembly' })),
      scripted: (commitId, stageAndAction) => scripts.get(commitId)?.[stageAndAction],
      detect: (project, commitId) => (late.detection === undefined ? Promise.resolve({ status: 'Failed', summary: 'detection is not wired yet' }) : runDetection(late.detection, project.buildSpec, project.variables, commitId)),
      selfMutate: (commitId) => {
        late.pipeline?.updatePipeline(structures.declarationFor(commitId));
      },
      // Any doubt (no pipeline yet) counts as a change, as in `kiro-cd pipeline-changed`.
      pipelineChanged: (commitId) => late.pipeline === undefined || JSON.stringify(structures.declarationFor(commitId)) !== JSON.stringify(late.pipeline.declaration),
      pipelineStackName: pipelineStack?.stackName ?? 'KiroCd-Pipeline',
      stepFunctions,
      now: () => clock.now(),
    }), pace),
    onEvent: async (event) => {
      for (const observer of observers) observer(event);
      if (late.bus === undefined) return;
      try {
        await late.bus.put(event as unknown as Record<string, unknown>);
      } catch (error) {
        targetErrors.push(error);
      }
    },
  });

  // The emulator answers one call at a time: while calls queue for it, rehearsal time stands still.
  late.pipeline = pipeline;
  // StartExecution through the endpoint (the rollback trigger's) runs the template's state machine, its steps bound by ARN.
  const localStepFunctions = new LocalStepFunctions({ stateMachines, lambdaFor: (functionArn) => late.functions?.lambdas.get(functionArn), broker, factor: clock.factor, clock });
  const emulatorLoad = new EmulatorLoad();
  const endpoint = await startLocalAwsEndpoint({
    pipeline,
    upstream: options.emulatorEndpoint,
    account: where.account,
    region: where.region,
    onUpstreamLoad: (waiting) => {
      emulatorLoad.report(waiting);
      pace.emulatorWaiting(waiting);
    },
    onUpstreamCall: (operation) => {
      emulatorLoad.called(operation);
    },
    stepFunctions: localStepFunctions,
  });
  const clients = emulatorClients({ endpoint: endpoint.endpoint, region: where.region });
  late.alarms = alarmStates(clients);
  const codePipeline = new CodePipelineClient(emulatorClientConfig({ endpoint: endpoint.endpoint, region: where.region }));
  const runtime = wireRuntime({ clients, binding, clock, codePipeline, pipelineName: config.pipeline.name });
  await new SecretsManagerClient(emulatorClientConfig({ endpoint: endpoint.endpoint, region: where.region })).send(new CreateSecretCommand({ Name: config.pipeline.githubTokenSecret, SecretString: REHEARSAL_GITHUB_TOKEN }));
  const functions = runtimeFunctions({ stacks, where, endpoint: endpoint.endpoint, clients, runtime, binding, config, clock, ids, broker, githubApiUrl: github.apiUrl });
  late.functions = functions;
  // One event at a time per target, in emission order: the recorder then finds the record of a
  // stage's start already written when that stage's actions arrive, and reads it instead of the
  // timeline (docs/history-summary.md). Order tolerance is proven apart (the fold's property tests).
  const bus = new TemplateEventBus(eventRulesOf(stacks, where), functions.byArn, { oneAtATimePerTarget: true });
  late.bus = bus;
  late.detection = {
    config,
    repository,
    records,
    openHistory: (tableName) => new DynamoDbDeploymentHistory({ client: clients.dynamodb, tableName, clock }),
    readStacks: () => readAssemblyStacks(options.assemblyDir),
  };
  const readBackQueueUrl = await subscribeReadBackQueue(clients, [binding.teamTopicArn], 'rehearsal-notification-read-back');
  // Every request of the process counts, from here to close(): the clock skips idle time only when none is in flight.
  const stopWatchingRequests = watchHttpRequestsInFlight((inFlight) => {
    pace.requestsInFlight(inFlight);
  });
  return {
    endpoint,
    pipeline,
    declaration,
    structures,
    clients,
    codePipeline,
    runtime,
    binding,
    functions,
    bus,
    broker,
    records,
    repository,
    initial,
    github,
    readBackQueueUrl,
    clock,
    config,
    scripts,
    targetErrors,
    observers,
    stepFunctions: localStepFunctions,
    emulatorLoad,
    close: async () => {
      stopWatchingRequests();
      await endpoint.close();
      await github.close();
      repository.remove();
    },
  };
}
