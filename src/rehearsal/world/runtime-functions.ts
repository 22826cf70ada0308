/**
 * The pipeline runtime's Lambda functions as the rehearsal runs them: each one's real
 * `createHandler`, built on the real adapters with SDK clients pointed at the rehearsal's one
 * endpoint, and bound to the ARN the synthesized templates give that function (found by its
 * construct path, `FUNCTION_CALLERS`). EventBridge rules and state-machine tasks reach them by that
 * ARN only, so a rule or task that names another function finds nothing and says so.
 */
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CloudWatchAlarmReader } from '../../pipeline/adapters/aws/cloudwatch-alarm-reader.js';
import { CodePipelineControl } from '../../pipeline/adapters/aws/codepipeline-control.js';
import { DynamoDbHealthSignals } from '../../pipeline/adapters/aws/dynamodb-health-signals.js';
import { DynamoDbRollbackLedger } from '../../pipeline/adapters/aws/dynamodb-rollback-ledger.js';
import { SecretsManagerSecretReader } from '../../pipeline/adapters/aws/secrets-manager-secret-reader.js';
import { SfnRollbackExecutions } from '../../pipeline/adapters/aws/sfn-rollback-executions.js';
import { GitHubCommitStatus } from '../../pipeline/adapters/github/github-commit-status.js';
import type { MetricDatum } from '../../pipeline/domain/metrics/delivery-metrics.js';
import { createHandler as createAlarmStateChange } from '../../pipeline/handlers/alarm-state-change.js';
import { DEPLOYMENT_RUNTIME_ENV } from '../../pipeline/handlers/deployment-runtime.js';
import { createHandler as createHealthMonitor, watchedAlarms } from '../../pipeline/handlers/health-monitor.js';
import { createHandler as createNotifier } from '../../pipeline/handlers/notify-pipeline-event.js';
import { createHandler as createRecorder } from '../../pipeline/handlers/record-pipeline-event.js';
import { createHandler as createRollbackAdvance, timingFromEnvironment } from '../../pipeline/handlers/rollback-advance.js';
import { createHandler as createRollbackTrigger } from '../../pipeline/handlers/rollback-trigger.js';
import { createHandler as createCommitStatus } from '../../pipeline/handlers/update-commit-status.js';
import { ENVIRONMENT_NAMES, type DeploymentConfig } from '../../shared/config/schema.js';
import { FUNCTION_CALLERS } from '../../shared/aws/callers.js';
import type { Clock } from '../../shared/clock.js';
import type { IdGenerator } from '../../shared/id-generator.js';
import type { SynthesizedStack } from '../../local/synthesized-templates.js';
import { templateFunctions } from '../../local/template-functions.js';
import type { TaskTokenBroker } from '../../local/task-token-broker.js';
import type { LocalLambda } from '../../local/local-state-machine.js';
import { emulatorClientConfig, type EmulatorClients, type RehearsalRuntime, type RuntimeBinding } from '../rehearsal-runtime.js';
import { asCaller, recordRehearsalCalls } from '../../local/iam/rehearsal-calls.js';

/** What the functions are built from. */
export interface RuntimeFunctionsOptions {
  readonly stacks: readonly SynthesizedStack[];
  readonly where: { readonly region: string; readonly account: string };
  readonly endpoint: string;
  readonly clients: EmulatorClients;
  readonly runtime: RehearsalRuntime;
  readonly binding: RuntimeBinding;
  readonly config: DeploymentConfig;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly broker: TaskTokenBroker;
  /** GitHub's API as the commit-status function reaches it (the rehearsal's recording server). */
  readonly githubApiUrl: string;
}

/** The functions by ARN, and what they logged. */
export interface RuntimeFunctions {
  readonly byArn: ReadonlyMap<string, (event: unknown) => Promise<unknown>>;
  /** State machine tasks (the health monitor's and the rollback's steps), by the ARN the definitions name. */
  readonly lambdas: ReadonlyMap<string, LocalLambda>;
  readonly logs: Readonly<Record<string, unknown>>[];
  readonly metrics: readonly MetricDatum[][];
  /** Construct paths the templates hold no function for (the rehearsal reports them). */
  readonly missing: readonly string[];
}

/** Builds every runtime function the templates deploy and binds it to its ARN. */
export function runtimeFunctions(options: RuntimeFunctionsOptions): RuntimeFunctions {
  const { runtime, clients, binding, config, clock } = options;
  const logs: Record<string, unknown>[] = [];
  const metrics: MetricDatum[][] = [];
  const logFor = (caller: string) => (entry: Readonly<Record<string, unknown>>): void => {
    logs.push({ caller, ...entry });
  };
  const client = emulatorClientConfig({ endpoint: options.endpoint, region: options.where.region });
  const signals = new DynamoDbHealthSignals(clients.documents, binding.signalsTable);
  const alarmReader = new CloudWatchAlarmReader(clients.cloudwatch);
  const byArn = new Map<string, (event: unknown) => Promise<unknown>>();
  const lambdas = new Map<string, LocalLambda>();
  const missing: string[] = [];
  // Opt-in (KIRO_CD_CALL_LOG): each function's calls on these clients are recorded for the least-privilege proof.
  // The alarm reader reads every environment's alarms directly here; the proof places each read in its environment's
  // region, through the observer role the deployed function assumes (src/local/iam/rehearsal-layout.ts).
  for (const shared of [clients.dynamodb, clients.sns, clients.cloudwatch]) recordRehearsalCalls(shared);
  const bind = (caller: string, build: (variables: Readonly<Record<string, string>>) => (event: unknown) => Promise<unknown>): void => {
    const deployed = templateFunctions(options.stacks, options.where, caller);
    if (deployed.length === 0) missing.push(caller);
    for (const found of deployed) {
      const handler = build(found.variables);
      byArn.set(found.arn, (event) => asCaller(caller, () => handler(event)));
    }
  };

  bind(FUNCTION_CALLERS.recordPipelineEvent, () => createRecorder({ history: runtime.history, metrics: { publish: (data) => void metrics.push([...data]) }, clock, log: logFor(FUNCTION_CALLERS.recordPipelineEvent) }));
  bind(FUNCTION_CALLERS.notifyPipelineEvent, () => createNotifier({ history: runtime.history, notifier: runtime.notifier, region: options.where.region, log: logFor(FUNCTION_CALLERS.notifyPipelineEvent) }));
  // The trigger starts the rollback state machine through the endpoint, which runs it locally.
  bind(FUNCTION_CALLERS.rollbackOrchestrator, (variables) =>
    createRollbackTrigger({
      pipelineName: config.pipeline.name,
      history: runtime.history,
      ledger: new DynamoDbRollbackLedger(clients.documents, binding.ledgerTable),
      // The construct names the state machine in the pipeline's account; the rehearsal runs every account in moto's one.
      executions: new SfnRollbackExecutions(recordRehearsalCalls(new SFNClient(client)), (variables[DEPLOYMENT_RUNTIME_ENV.rollbackStateMachine] ?? '').replace(/^(arn:[^:]*:states:[^:]*:)\d{12}:/, `$1${options.where.account}:`)),
      clock,
      ids: options.ids,
      environments: ENVIRONMENT_NAMES,
      log: logFor(FUNCTION_CALLERS.rollbackOrchestrator),
    }),
  );
  bind(FUNCTION_CALLERS.alarmStateChange, () =>
    createAlarmStateChange({
      pipelineName: config.pipeline.name,
      watched: Object.fromEntries(config.environments.map((environment) => [environment.name, watchedAlarms(environment)])),
      history: runtime.history,
      signals,
      gate: options.broker,
      log: logFor(FUNCTION_CALLERS.alarmStateChange),
    }),
  );
  bind(FUNCTION_CALLERS.updateCommitStatus, () =>
    createCommitStatus({
      history: runtime.history,
      statuses: new GitHubCommitStatus({
        owner: config.pipeline.source.owner,
        repository: config.pipeline.source.repository,
        tokenSecretId: config.pipeline.githubTokenSecret,
        secrets: new SecretsManagerSecretReader(recordRehearsalCalls(new SecretsManagerClient(client))),
        clock,
        apiUrl: options.githubApiUrl,
      }),
      region: options.where.region,
      log: logFor(FUNCTION_CALLERS.updateCommitStatus),
    }),
  );
  const monitor = createHealthMonitor({
    pipelineName: config.pipeline.name,
    environments: config.environments,
    alarmReaderFor: () => alarmReader,
    signals,
    history: runtime.history,
    notifier: runtime.notifier,
    gate: options.broker,
    clock,
    log: logFor(FUNCTION_CALLERS.healthMonitorStep),
  });
  for (const found of templateFunctions(options.stacks, options.where, FUNCTION_CALLERS.healthMonitorStep)) lambdas.set(found.arn, (payload) => asCaller(FUNCTION_CALLERS.healthMonitorStep, () => monitor(payload)));
  if (lambdas.size === 0) missing.push(FUNCTION_CALLERS.healthMonitorStep);
  const advancing = templateFunctions(options.stacks, options.where, FUNCTION_CALLERS.rollbackAdvance);
  if (advancing.length === 0) missing.push(FUNCTION_CALLERS.rollbackAdvance);
  for (const found of advancing) {
    const advance = createRollbackAdvance({
      history: runtime.history,
      notifier: runtime.notifier,
      ledger: new DynamoDbRollbackLedger(clients.documents, binding.ledgerTable),
      pipeline: new CodePipelineControl(recordRehearsalCalls(new CodePipelineClient(client)), config.pipeline.name, found.variables[DEPLOYMENT_RUNTIME_ENV.sourceAction]),
      clock,
      ids: options.ids,
      // The waits and follow time the Rollback construct computed from the configuration, as the deployed Lambda reads them.
      timing: timingFromEnvironment(found.variables),
      environments: ENVIRONMENT_NAMES,
    });
    lambdas.set(found.arn, (payload) => asCaller(FUNCTION_CALLERS.rollbackAdvance, () => advance(payload)));
  }
  return { byArn, lambdas, logs, metrics, missing };
}
