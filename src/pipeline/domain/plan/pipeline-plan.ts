/**
 * The pipeline plan: the whole stage layout of the CodePipeline V2 pipeline, computed from the
 * validated configuration as plain data. Every layout decision (stage order, conditions, timeouts,
 * exported variables, commands) lives here and is tested without synthesising CloudFormation; the
 * pipeline stack only renders this plan.
 *
 * Pure: no CDK, no AWS SDK, no I/O, no clock (lint-enforced boundary).
 */
import { ConfigurationError } from '../../../shared/errors.js';
import type { DeploymentConfig, EnvironmentConfig, EnvironmentName, PostDeploymentSuite } from '../../../shared/config/schema.js';
import { postDeploymentTestRoleArn } from './environment-roles.js';
import {
  PIPELINE_STAGES,
  applicationStageName,
  approvalStageName,
  infrastructureStageName,
  windowStageName,
} from '../stage-names.js';
import {
  CHANGE_DETECTION_STAGE,
  PIPELINE_VARIABLES,
  PIPELINE_VARIABLES_NAMESPACE,
  SOURCE_ACTION_NAME,
  SOURCE_VARIABLES_NAMESPACE,
  detectionActionName,
  infraVariableName,
} from '../pipeline-vocabulary.js';

/**
 * How CodePipeline handles several executions at once. SUPERSEDED, on purpose (docs/pipeline.md,
 * "Execution mode"): PARALLEL forbids stage rollback and rollback conditions; QUEUED would line up
 * every push behind a 24-hour production approval.
 */
export const EXECUTION_MODE = 'SUPERSEDED' as const;

/** Time budgets from TR-8 (minutes). Asserted by the plan tests; see docs/pipeline.md. */
export const TIME_BUDGETS = {
  /** Unit tests plus every post-deployment suite, summed over the whole pipeline. */
  testsTotalMinutes: 30,
  /** Infrastructure deployment of one environment. */
  infrastructureDeployMinutes: 15,
  /** Application deployment of one environment. */
  applicationDeployMinutes: 10,
} as const;

/** CodeBuild timeouts (minutes) of the actions the pipeline runs. Every CodeBuild action has one. */
export const ACTION_TIMEOUTS = {
  /** Install, type-check, lint, unit and property tests, audit, synth, policy gates (measured ~6; docs/pipeline.md). */
  build: 12,
  /** npm ci + cdk diff against one environment. */
  changeDetection: 10,
  /** CDK Pipelines' self-mutation (cdk deploy of the pipeline stack). */
  selfMutation: 15,
  /** CDK Pipelines' asset publishing. */
  assetPublishing: 10,
  /**
   * Post-deployment suites, per environment. CodeBuild accepts 5 minutes at the least (CloudFormation
   * rejects less). The end-to-end suite waits for a real worker build of its fixture (provisioning,
   * clone, npm ci, tests): up to 6 minutes (test/deployed/e2e), plus the suite's own install.
   */
  suites: { integration: 5, e2e: 8, smoke: 5 } satisfies Record<PostDeploymentSuite, number>,
} as const;

/** CodePipeline allows at most five rules in one condition (API reference, Condition.rules). */
export const MAX_RULES_PER_CONDITION = 5;

/** Once the health monitor has watched the whole bake, the native alarm condition only takes a last look. */
export const FINAL_ALARM_CHECK_MINUTES = 1;

/** A variable exported by an earlier action: rendered as `#{<namespace of producer>.<name>}`. */
export interface ExportedVariableRef {
  /** Name of the action (step) that exports it. */
  readonly producer: string;
  /** The exported variable's name. */
  readonly name: string;
}

/** One rule of a stage condition, as data (CodePipeline rule reference). */
export type PlannedRule =
  | {
      readonly kind: 'variable-check';
      readonly name: string;
      readonly variable: ExportedVariableRef;
      readonly operator: 'EQ';
      readonly value: string;
    }
  | { readonly kind: 'deployment-window'; readonly name: string; readonly cron: string; readonly timeZone: string }
  | {
      readonly kind: 'cloudwatch-alarm';
      readonly name: string;
      readonly alarmName: string;
      readonly alarmStates: readonly ['ALARM'];
      /** Minutes (CodePipeline's WaitTime unit). */
      readonly waitTimeMinutes: number;
      readonly region: string;
    };

/** A stage condition: the rules (all must pass) and what happens when they do not. */
export interface PlannedCondition {
  readonly result: 'SKIP' | 'FAIL' | 'ROLLBACK';
  readonly rules: readonly PlannedRule[];
}

/** The three V2 condition slots of a stage; CodePipeline allows exactly one condition per slot. */
export interface StageConditions {
  readonly beforeEntry?: PlannedCondition;
  readonly onSuccess?: PlannedCondition;
  readonly onFailure?: PlannedCondition;
}

/** A CodeBuild action: what it runs, how long it may take, what it exports and reports. */
export interface ShellActionPlan {
  readonly name: string;
  readonly installCommands: readonly string[];
  readonly commands: readonly string[];
  /** Commands of the post_build phase: CodeBuild runs them even when the build phase failed. */
  readonly postBuildCommands: readonly string[];
  readonly timeoutMinutes: number;
  /**
   * Runtime versions the action asks the CodeBuild image for (buildspec `runtime-versions`): pinned,
   * because the image's default changes when a version reaches end of life (CodeBuild user guide,
   * "Available runtimes").
   */
  readonly runtimes: Readonly<Record<string, string>>;
  /**
   * CodeBuild compute size: `small` (2 vCPU, 3 GB) or `medium` (4 vCPU, 7 GB).
   * @default small
   */
  readonly compute?: 'small' | 'medium';
  readonly env: Readonly<Record<string, string>>;
  /** Variables exported to CodePipeline (buildspec `env.exported-variables`). */
  readonly exportedVariables: readonly string[];
  /** CodeBuild report groups: name → files and format. */
  readonly reports: Readonly<Record<string, { readonly files: readonly string[]; readonly format: 'JUNITXML' | 'COBERTURAXML' }>>;
  /** True when the action's run time counts against the total test budget of TR-8. */
  readonly countsAsTests: boolean;
}

/** The health check: a Step Functions execution of the health monitor. */
export interface HealthCheckPlan {
  readonly name: string;
  /** Input of the state machine; `#{...}` references are resolved by CodePipeline. */
  readonly input: Readonly<Record<string, string>>;
  readonly expectedMinutes: number;
}

/** One stage of the pipeline after Source (and the CDK-managed UpdatePipeline/Assets stages). */
export type PlannedStage =
  | { readonly kind: 'build'; readonly name: string; readonly action: ShellActionPlan }
  | {
      readonly kind: 'change-detection';
      readonly name: string;
      readonly actions: readonly ShellActionPlan[];
      /** The deployment window of a `<Env>-Window` stage; none for the pipeline-wide Detect-Changes stage. */
      readonly conditions: StageConditions;
    }
  | {
      readonly kind: 'infrastructure';
      readonly name: string;
      readonly environment: EnvironmentName;
      readonly conditions: StageConditions;
      readonly budgetMinutes: number;
    }
  | {
      readonly kind: 'application';
      readonly name: string;
      readonly environment: EnvironmentName;
      readonly conditions: StageConditions;
      readonly budgetMinutes: number;
      /**
       * The health check (when a health monitor exists) and the environment's suite, side by side
       * after the deployment: the stage fails, and rolls back once, when either fails.
       */
      readonly healthCheck?: HealthCheckPlan;
      readonly tests: ShellActionPlan;
    }
  | {
      readonly kind: 'approval';
      readonly name: string;
      readonly environment: EnvironmentName;
      readonly timeoutMinutes: number;
      readonly summary: string;
      readonly conditions: StageConditions;
    };

/** The pipeline as data. */
export interface PipelinePlan {
  readonly pipelineName: string;
  readonly executionMode: typeof EXECUTION_MODE;
  readonly source: {
    readonly repository: string;
    readonly branch: string;
    readonly connectionArn: string;
    /** The source action's name ({@link SOURCE_ACTION_NAME}). */
    readonly actionName: string;
  };
  /** Pipeline-level variables with their defaults. */
  readonly variables: readonly { readonly name: string; readonly defaultValue: string; readonly description: string }[];
  /** V2 trigger: pushes to these branches only. */
  readonly triggerBranches: readonly string[];
  readonly stages: readonly PlannedStage[];
  /**
   * Conditions on the stages CDK Pipelines creates itself (self-mutation, asset publishing), by stage
   * name. `present: 'always'` stages must exist in the built pipeline; `'when-assets'` ones exist only
   * when the app has assets.
   */
  readonly managedStages: readonly ManagedStageConditions[];
}

/** Conditions of a stage that CDK Pipelines creates, not the plan. */
export interface ManagedStageConditions {
  readonly name: string;
  readonly present: 'always' | 'when-assets';
  readonly conditions: StageConditions;
}

/** What the plan needs besides the configuration: which runtime resources exist. */
export interface PlanOptions {
  /**
   * Name of the deployment-history table; change detection reads the last deployed commit there.
   * @default none: every run counts as a first deployment, so infrastructure is always deployed
   */
  readonly historyTableName?: string;
  /**
   * Whether a health-monitor state machine is wired in (then each application stage runs it).
   * @default false
   */
  readonly healthMonitor?: boolean;
}

const CLI = 'node bin/kiro-cd.js';
/**
 * Node.js of every action: 22, offered by CodeBuild's Ubuntu standard:7.0 image (CodeBuild user
 * guide, "Available runtimes"). Node 20 reached end of life in April 2026, and AWS SDK for
 * JavaScript v3 releases after early January 2027 need Node 22 or later; the code itself still runs
 * on 20 (package.json engines), where developers' machines may be.
 */
export const CODEBUILD_NODE_VERSION = '22';
const NODE_RUNTIME = { nodejs: CODEBUILD_NODE_VERSION } as const;
/** The policy gates' findings (`kiro-cd policy-gates --report-file`), read again in post_build. */
const GATES_REPORT = 'reports/gates.json';
/** The scan findings as JUnit, published as the `security-scans` CodeBuild report. */
const SECURITY_SCANS_REPORT = 'reports/security-scans.xml';
/** Where vitest.deployed.config.ts writes a post-deployment suite's JUnit. */
const DEPLOYED_SUITE_REPORT = 'reports/junit-deployed.xml';
/** The secrets gate's saved decision (`kiro-cd gate secrets --report-file`), read again in post_build. */
const SECRETS_REPORT = 'reports/secrets.json';
/** The licences gate's saved decision, read again in post_build. */
const LICENCES_REPORT = 'reports/licences.json';

/**
 * The `#{producer.name}` placeholder of an exported variable in plan text. The stack replaces it
 * with the real reference, whose namespace CDK Pipelines chooses (see {@link VARIABLE_REFERENCE}).
 */
export function variableReference(ref: ExportedVariableRef): string {
  return `#{${ref.producer}.${ref.name}}`;
}

/**
 * Converts the configuration's EventBridge cron (`cron(min hour dom month dow year)`) into the
 * Quartz-style expression the DeploymentWindow rule takes (`sec min hour dom month dow year`,
 * seconds always `*`).
 */
export function deploymentWindowCron(eventBridgeCron: string): string {
  const match = /^cron\((.+)\)$/.exec(eventBridgeCron.trim());
  const fields = match?.[1]?.trim().split(/\s+/) ?? [];
  if (fields.length !== 6) {
    throw new ConfigurationError(
      `deploymentWindow.cron "${eventBridgeCron}" is not an EventBridge cron expression with six fields; write it as "cron(* 9-16 ? * MON-THU *)"`,
      { key: 'deploymentWindow.cron', value: eventBridgeCron },
    );
  }
  return ['*', ...fields].join(' ');
}

function buildStage(pipelineName: string, options: PlanOptions): PlannedStage {
  // The commit range being built starts at what production runs: everything not yet in production
  // is scanned, including file versions removed again (docs/build-gates.md, "Secrets").
  const secretsRange = options.historyTableName === undefined ? '' : ` --since-deployed production --history-table ${options.historyTableName}`;
  return {
    kind: 'build',
    name: PIPELINE_STAGES.build,
    action: {
      name: 'Synth',
      // CodeBuild's image has neither cfn-lint nor moto_server (the emulator the tests run against):
      // ensure-tools installs the versions pinned in tools/python-requirements.txt.
      installCommands: ['bash scripts/ensure-tools.sh', 'npm ci'],
      commands: [
        'mkdir -p reports',
        // First, before anything else reads the checkout: the gate runs secretlint over every tracked file.
        `${CLI} gate secrets${secretsRange} --report-file ${SECRETS_REPORT}`,
        'npm run typecheck',
        // Each tool writes its machine-readable output, then the kiro-cd gate decides from it. The
        // tool's own exit code is deliberately replaced by the gate's: the gate reads the output,
        // blocks on findings and fails closed on a missing or garbled file. `;` keeps the gate's
        // exit code as the command's; nothing masks it.
        `npx eslint -f json -o reports/eslint.json .; ${CLI} gate eslint --input reports/eslint.json`,
        `npx vitest run --coverage; ${CLI} gate tests --junit reports/junit.xml`,
        `${CLI} gate coverage --summary coverage/coverage-summary.json --threshold 80`,
        `npm audit --json > reports/npm-audit.json; ${CLI} gate audit --input reports/npm-audit.json --mode pipeline`,
        // Production dependencies and every bundle's contents (esbuild metafiles) against licence-policy.json.
        `${CLI} gate licences --report-file ${LICENCES_REPORT}`,
        'npx cdk synth',
        // SBOMs inside cdk.out travel with the synth output artifact: CodePipeline keeps it in the
        // KMS-encrypted artifact bucket with the release it describes.
        `${CLI} sbom --output-dir cdk.out/sbom`,
        `${CLI} policy-gates --assembly cdk.out --report-file ${GATES_REPORT}`,
      ],
      // Whatever reports the build phase got to write, red builds included: the scan findings as a
      // CodeBuild test report, and every result as CloudWatch metrics (neither step fails the build).
      postBuildCommands: [
        `${CLI} scan-report --output ${SECURITY_SCANS_REPORT} --audit reports/npm-audit.json --eslint reports/eslint.json --gates-report ${GATES_REPORT} --secrets ${SECRETS_REPORT} --licences ${LICENCES_REPORT}`,
        `${CLI} publish-build-metrics --junit reports/junit.xml --coverage-summary coverage/coverage-summary.json --audit reports/npm-audit.json --eslint reports/eslint.json --gates-report ${GATES_REPORT} --secrets ${SECRETS_REPORT} --licences ${LICENCES_REPORT} --pipeline ${pipelineName}`,
      ],
      timeoutMinutes: ACTION_TIMEOUTS.build,
      // Type-aware ESLint, tsc, the tests with coverage and cdk synth each hold the whole program in
      // memory; 3 GB (small) is tight for them, and 4 vCPU run the tests in twice the workers.
      compute: 'medium',
      // Python for cfn-lint and the emulator the tests run against (tools/python-requirements.txt).
      runtimes: { ...NODE_RUNTIME, python: '3.11' },
      env: {},
      exportedVariables: [],
      reports: {
        'unit-tests': { files: ['reports/junit.xml'], format: 'JUNITXML' },
        coverage: { files: ['coverage/cobertura-coverage.xml'], format: 'COBERTURAXML' },
        'security-scans': { files: [SECURITY_SCANS_REPORT], format: 'JUNITXML' },
      },
      countsAsTests: true,
    },
  };
}

function detectionAction(environment: EnvironmentConfig, options: PlanOptions): ShellActionPlan {
  const variable = infraVariableName(environment.name);
  const varsFile = `reports/infra-${environment.name}.env`;
  const historyFlag = options.historyTableName === undefined ? '' : ` --history-table ${options.historyTableName}`;
  return {
    name: detectionActionName(environment.name),
    installCommands: ['npm ci'],
    commands: [
      'mkdir -p reports',
      `${CLI} detect-changes --environment ${environment.name} --to $CODEBUILD_RESOLVED_SOURCE_VERSION${historyFlag} --cdk-app cdk.out --exported-variables-file ${varsFile}`,
      // CodeBuild exports the shell's value of the variable at the end of the build; `set -a`
      // exports every assignment the file makes.
      `set -a && . ./${varsFile} && set +a`,
    ],
    postBuildCommands: [],
    timeoutMinutes: ACTION_TIMEOUTS.changeDetection,
    runtimes: NODE_RUNTIME,
    env: { KIRO_ENV: environment.name, KIRO_STACK_PREFIX: environment.stackPrefix },
    exportedVariables: [variable],
    reports: {},
    countsAsTests: false,
  };
}

function windowRule(environment: EnvironmentConfig): PlannedRule | undefined {
  const window = environment.deploymentWindow;
  if (window === undefined) return undefined;
  return { kind: 'deployment-window', name: 'DeploymentWindow', cron: deploymentWindowCron(window.cron), timeZone: window.timeZone };
}

const ROLLBACK_ON_FAILURE: PlannedCondition = { result: 'ROLLBACK', rules: [] };

function infrastructureStage(environment: EnvironmentConfig): PlannedStage {
  return {
    kind: 'infrastructure',
    name: infrastructureStageName(environment.name),
    environment: environment.name,
    conditions: {
      // The one entry condition this stage may have (CodePipeline allows exactly one per slot):
      // the VariableCheck passes when change detection said "deploy"; when it fails, SKIP applies.
      beforeEntry: {
        result: 'SKIP',
        rules: [
          {
            kind: 'variable-check',
            name: 'InfrastructureChanged',
            variable: { producer: detectionActionName(environment.name), name: infraVariableName(environment.name) },
            operator: 'EQ',
            value: 'deploy',
          },
        ],
      },
      onFailure: ROLLBACK_ON_FAILURE,
    },
    budgetMinutes: TIME_BUDGETS.infrastructureDeployMinutes,
  };
}

function alarmRules(environment: EnvironmentConfig, options: PlanOptions): PlannedRule[] {
  // Without a health monitor the condition itself is the bake; with one, it is a final check.
  const waitTimeMinutes = options.healthMonitor === true ? FINAL_ALARM_CHECK_MINUTES : Math.ceil(environment.healthCheck.durationSeconds / 60);
  const rules = environment.alarms.critical.map(
    (id): PlannedRule => ({
      kind: 'cloudwatch-alarm',
      name: `Alarm-${id}`,
      alarmName: `${environment.stackPrefix}-${id}`,
      alarmStates: ['ALARM'],
      waitTimeMinutes,
      region: environment.region,
    }),
  );
  if (rules.length > MAX_RULES_PER_CONDITION) {
    throw new ConfigurationError(
      `environment "${environment.name}", key "alarms.critical": ${rules.length} critical alarms, but a CodePipeline condition holds at most ${MAX_RULES_PER_CONDITION} rules; mark the others as warnings (the health monitor still watches them)`,
      { environment: environment.name, key: 'alarms.critical' },
    );
  }
  return rules;
}

function testsAction(environment: EnvironmentConfig): ShellActionPlan {
  const suite = environment.postDeploymentTests;
  return {
    name: `Tests-${suite}`,
    installCommands: ['npm ci'],
    commands: [`npx vitest run --config vitest.deployed.config.ts test/deployed/${suite}`],
    postBuildCommands: [],
    timeoutMinutes: ACTION_TIMEOUTS.suites[suite],
    runtimes: NODE_RUNTIME,
    env: {
      KIRO_ENV: environment.name,
      KIRO_STACK_PREFIX: environment.stackPrefix,
      KIRO_ACCOUNT: environment.account,
      AWS_REGION: environment.region,
      // The suite runs in the pipeline account and tests the environment through this role of its
      // account (PostDeploymentTestAccess in the application stack).
      KIRO_TEST_ROLE_ARN: postDeploymentTestRoleArn(environment),
      // The end-to-end suite's fixture work item (validation requires it for e2e).
      ...(suite === 'e2e' && environment.e2eFixture !== undefined
        ? { KIRO_E2E_REPOSITORY: environment.e2eFixture.repository, KIRO_E2E_BRANCH: environment.e2eFixture.branch }
        : {}),
      // The change-detection verdict this release applied to the environment, for the suite's log.
      KIRO_INFRA_VERDICT: variableReference({ producer: detectionActionName(environment.name), name: infraVariableName(environment.name) }),
    },
    exportedVariables: [],
    reports: { [`${suite}-tests`]: { files: [DEPLOYED_SUITE_REPORT], format: 'JUNITXML' } },
    countsAsTests: true,
  };
}

/**
 * True when CodePipeline's CloudWatchAlarm rule can watch the environment's alarms. The rule names
 * an alarm and a region, never an account, and runs with the pipeline's role (rule reference,
 * "CloudWatchAlarm"); CloudWatch alarms have no resource policy to share them across accounts. So
 * the rule sees only alarms in the pipeline's account: an environment elsewhere is watched by the
 * health monitor alone, which reads its alarms through the observer role of that account.
 */
export function nativeAlarmConditionApplies(environment: Pick<EnvironmentConfig, 'account'>, pipeline: Pick<DeploymentConfig['pipeline'], 'account'>): boolean {
  return environment.account === pipeline.account;
}

function applicationStage(environment: EnvironmentConfig, pipeline: DeploymentConfig['pipeline'], options: PlanOptions): PlannedStage {
  const pipelineName = pipeline.name;
  const name = applicationStageName(environment.name);
  const window = windowRule(environment);
  const healthCheck: HealthCheckPlan | undefined = options.healthMonitor
    ? {
        name: 'HealthCheck',
        input: {
          environment: environment.name,
          pipelineName,
          executionId: '#{codepipeline.PipelineExecutionId}',
          commitId: `#{${SOURCE_VARIABLES_NAMESPACE}.CommitId}`,
          stage: name,
        },
        expectedMinutes: Math.ceil(environment.healthCheck.durationSeconds / 60),
      }
    : undefined;
  return {
    kind: 'application',
    name,
    environment: environment.name,
    conditions: {
      ...(window === undefined ? {} : { beforeEntry: { result: 'FAIL', rules: [window] } }),
      ...(nativeAlarmConditionApplies(environment, pipeline) ? { onSuccess: { result: 'ROLLBACK', rules: alarmRules(environment, options) } } : {}),
      onFailure: ROLLBACK_ON_FAILURE,
    },
    budgetMinutes: TIME_BUDGETS.applicationDeployMinutes,
    ...(healthCheck === undefined ? {} : { healthCheck }),
    tests: testsAction(environment),
  };
}

function approvalSummary(pipelineName: string, environments: readonly EnvironmentConfig[]): string {
  const changes = environments.map(
    (environment) =>
      `${environment.name}=${variableReference({ producer: detectionActionName(environment.name), name: infraVariableName(environment.name) })}`,
  );
  return [
    `Release of ${pipelineName}: commit #{${SOURCE_VARIABLES_NAMESPACE}.CommitId} by #{${SOURCE_VARIABLES_NAMESPACE}.AuthorDisplayName}: #{${SOURCE_VARIABLES_NAMESPACE}.CommitMessage}.`,
    `Infrastructure deploy per environment: ${changes.join(', ')}.`,
    'Build gates (tests, coverage >= 80 %, ESLint, npm audit, cfn-lint, cfn-guard, cdk-nag) passed; earlier environments passed their health checks and tests.',
    'Details: CodeBuild reports of this execution and the KiroCD/Build dashboard. A rejection, or no answer within the timeout, stops the release without a rollback.',
  ].join(' ');
}

/**
 * The stage that carries an environment's deployment window when it has no approval stage to carry
 * it: the infrastructure stage's one entry slot holds its skip condition, and SKIP cannot be
 * combined with a DeploymentWindow rule (SKIP takes only VariableCheck and LambdaInvoke rules), so
 * the window gets a stage of its own in front of the environment. Its action is the environment's
 * change detection, which then runs just before the environment deploys.
 */
function windowStage(environment: EnvironmentConfig, window: PlannedRule, options: PlanOptions): PlannedStage {
  return {
    kind: 'change-detection',
    name: windowStageName(environment.name),
    actions: [detectionAction(environment, options)],
    conditions: { beforeEntry: { result: 'FAIL', rules: [window] } },
  };
}

/** True when the environment's window needs a stage of its own ({@link windowStage}). */
function needsWindowStage(environment: EnvironmentConfig): boolean {
  return environment.deploymentWindow !== undefined && !environment.approval.required;
}

function approvalStage(environment: EnvironmentConfig, pipelineName: string, detected: readonly EnvironmentConfig[]): PlannedStage {
  const window = windowRule(environment);
  return {
    kind: 'approval',
    name: approvalStageName(environment.name),
    environment: environment.name,
    timeoutMinutes: environment.approval.timeoutMinutes,
    summary: approvalSummary(pipelineName, detected),
    // The infrastructure stage's only entry slot is taken by the skip condition, so an environment's
    // deployment window is checked before its approval too: nobody is asked to approve a release
    // that could not deploy. Without a window, the slot skips the approval for a rollback execution
    // (KIRO_ROLLBACK=true): restoring the last known good release must not wait for a person. With a
    // window the slot is taken, and a restart-based rollback waits for the approver (docs/rollback.md).
    conditions: { beforeEntry: window === undefined ? SKIP_ON_ROLLBACK : { result: 'FAIL', rules: [window] } },
  };
}

/** Entry condition that passes for a normal release and SKIPs the stage for a rollback execution. */
const SKIP_ON_ROLLBACK: PlannedCondition = {
  result: 'SKIP',
  rules: [
    {
      kind: 'variable-check',
      name: 'NotARollback',
      variable: { producer: PIPELINE_VARIABLES_NAMESPACE, name: PIPELINE_VARIABLES.rollback.name },
      operator: 'EQ',
      value: 'false',
    },
  ],
};

/**
 * Computes the pipeline from the validated configuration: Build, change detection, then per
 * environment (in configuration order, which validation pins to test → staging → production) an
 * optional approval or window stage, the infrastructure stage and the application stage.
 */
export function planPipeline(config: DeploymentConfig, options: PlanOptions = {}): PipelinePlan {
  const { pipeline, environments } = config;
  const stages: PlannedStage[] = [buildStage(pipeline.name, options)];
  // Every environment's change detection runs side by side right after the build, except where a
  // window stage runs it (needsWindowStage).
  const detectedUpFront = environments.filter((environment) => !needsWindowStage(environment));
  if (detectedUpFront.length > 0) {
    stages.push({
      kind: 'change-detection',
      name: CHANGE_DETECTION_STAGE,
      actions: detectedUpFront.map((environment) => detectionAction(environment, options)),
      conditions: {},
    });
  }
  const detected = [...detectedUpFront];
  for (const environment of environments) {
    const window = windowRule(environment);
    if (environment.approval.required) {
      // The summary names only verdicts that exist when the approval is asked for.
      stages.push(approvalStage(environment, pipeline.name, environments.filter((candidate) => detected.includes(candidate))));
    } else if (window !== undefined) {
      stages.push(windowStage(environment, window, options));
      detected.push(environment);
    }
    stages.push(infrastructureStage(environment), applicationStage(environment, pipeline, options));
  }
  checkTestBudget(environments);
  return {
    pipelineName: pipeline.name,
    executionMode: EXECUTION_MODE,
    source: {
      repository: `${pipeline.source.owner}/${pipeline.source.repository}`,
      branch: pipeline.source.branch,
      connectionArn: pipeline.source.connectionArn,
      actionName: SOURCE_ACTION_NAME,
    },
    variables: Object.values(PIPELINE_VARIABLES).map((variable) => ({ ...variable })),
    triggerBranches: [pipeline.source.branch],
    stages,
    managedStages: [
      // A restart rollback runs the CURRENT pipeline structure on the last known good commit. Self-
      // mutating to that commit's pipeline would cancel the execution and restart it on the bad HEAD
      // with KIRO_ROLLBACK=false (RestartExecutionOnUpdate), and would redeploy the runtime stack
      // (health monitor, orchestrator) in the middle of the rollback: skip it (docs/rollback.md).
      { name: PIPELINE_STAGES.updatePipeline, present: 'always', conditions: { beforeEntry: SKIP_ON_ROLLBACK } },
      // The current definition's asset actions publish asset ids of the current assembly, which the
      // old commit's assembly does not hold; the old release's assets were published, content-
      // addressed, when it first deployed (docs/rollback.md, including the `cdk gc` caveat).
      { name: PIPELINE_STAGES.assets, present: 'when-assets', conditions: { beforeEntry: SKIP_ON_ROLLBACK } },
    ],
  };
}

/** Every CodeBuild action of the plan, in pipeline order. */
export function shellActions(plan: PipelinePlan): ShellActionPlan[] {
  return plan.stages.flatMap((stage): ShellActionPlan[] => {
    switch (stage.kind) {
      case 'build':
        return [stage.action];
      case 'change-detection':
        return [...stage.actions];
      case 'application':
        return [stage.tests];
      case 'infrastructure':
      case 'approval':
        return [];
    }
  });
}

/**
 * Refuses a configuration whose tests cannot fit the TR-8 budget: the build's tests plus every
 * environment's post-deployment suite, each at its action timeout. The schema accepts every suite
 * in every environment, so only the sum can tell (e2e in test and staging: 12 + 8 + 8 + 5 = 33).
 */
function checkTestBudget(environments: readonly EnvironmentConfig[]): void {
  const suites = environments.map((environment) => ({ name: environment.name, suite: environment.postDeploymentTests, minutes: ACTION_TIMEOUTS.suites[environment.postDeploymentTests] }));
  const total = ACTION_TIMEOUTS.build + suites.reduce((sum, entry) => sum + entry.minutes, 0);
  if (total <= TIME_BUDGETS.testsTotalMinutes) return;
  const parts = suites.map((entry) => `${entry.name} ${entry.suite} ${entry.minutes} min`).join(', ');
  throw new ConfigurationError(
    `key "postDeploymentTests": the tests of one run take up to ${total} minutes (build ${ACTION_TIMEOUTS.build} min, ${parts}), over the ${TIME_BUDGETS.testsTotalMinutes}-minute budget; ` +
      `give one of these environments a shorter suite (integration or smoke: ${ACTION_TIMEOUTS.suites.smoke} min)`,
    { key: 'postDeploymentTests', total, budget: TIME_BUDGETS.testsTotalMinutes },
  );
}

/** Upper bound of the time spent in tests over a whole run (minutes): the TR-8 30-minute budget. */
export function testMinutesUpperBound(plan: PipelinePlan): number {
  return shellActions(plan)
    .filter((action) => action.countsAsTests)
    .reduce((sum, action) => sum + action.timeoutMinutes, 0);
}

/**
 * What a commit deploys, per environment, given the change-detection verdicts: the infrastructure
 * stage runs only when its entry condition passes, i.e. when the exported variable equals the
 * VariableCheck's value. Used to show that an application-only commit deploys no infrastructure.
 */
export function deployedStages(
  plan: PipelinePlan,
  variables: Readonly<Record<string, string>>,
): { readonly stage: string; readonly outcome: 'run' | 'skipped' }[] {
  return plan.stages.flatMap((stage) => {
    if (stage.kind !== 'infrastructure' && stage.kind !== 'application') return [];
    const entry = stage.conditions.beforeEntry;
    const skipped =
      entry?.result === 'SKIP' &&
      entry.rules.some((rule) => rule.kind === 'variable-check' && variables[rule.variable.name] !== rule.value);
    return [{ stage: stage.name, outcome: skipped ? 'skipped' : 'run' }];
  });
}
