/**
 * The pipeline plan's shape: the stages, actions and conditions of the CodePipeline V2 pipeline as
 * plain data, which the stage builders produce, the plan queries read and the pipeline stack renders.
 *
 * Pure: types and one constant, no CDK, no AWS SDK, no I/O (lint-enforced boundary).
 */
import type { EnvironmentName } from '../../../shared/config/schema.js';

/**
 * How CodePipeline handles several executions at once. SUPERSEDED, on purpose (docs/pipeline.md,
 * "Execution mode"): PARALLEL forbids stage rollback and rollback conditions; QUEUED would line up
 * every push behind a 24-hour production approval.
 */
export const EXECUTION_MODE = 'SUPERSEDED' as const;

/**
 * How each stack is deployed. `'direct'`: one CloudFormation CREATE_UPDATE action per stack;
 * `'change-set'`: CDK Pipelines' default, a change set created by one action ("Prepare") and executed
 * by a second one. Nothing reviews the change set between the two actions here (the production
 * approval comes before the stage, with the change-detection verdict), so the second action only adds
 * its own overhead to every deployment (docs/pipeline.md, "What 30 minutes would take").
 */
export type StackDeployment = 'direct' | 'change-set';

/** The stack deployment of every planned pipeline. */
export const STACK_DEPLOYMENT: StackDeployment = 'direct';

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
  | {
      readonly kind: 'build';
      readonly name: string;
      /** The action that synthesizes, runs the supply-chain and policy gates and produces the stage's artifacts (the only one with outputs). */
      readonly action: ShellActionPlan;
      /**
       * Actions of the same stage that run beside {@link action}, each on its own machine (CodePipeline
       * runs the actions of one run order side by side): the unit tests, the static checks. Each one
       * blocks the stage when it fails, and none produces an artifact.
       */
      readonly besideSynth: readonly ShellActionPlan[];
    }
  | {
      readonly kind: 'change-detection';
      readonly name: string;
      readonly actions: readonly ShellActionPlan[];
      /** The deployment window of a `<Env>-Window` stage; none for the pipeline-wide stage (Assets), which a restart rollback must run. */
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

/** The Build stage of a plan. */
export type BuildStagePlan = Extract<PlannedStage, { readonly kind: 'build' }>;

/** The pipeline as data. */
export interface PipelinePlan {
  readonly pipelineName: string;
  readonly executionMode: typeof EXECUTION_MODE;
  /** How every infrastructure and application stack is deployed ({@link STACK_DEPLOYMENT}). */
  readonly stackDeployment: StackDeployment;
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
   * Conditions on the stages CDK Pipelines creates itself, by stage name: today self-mutation only
   * (the asset stage holds the plan's change detection, a stage of the plan, which carries no
   * condition). Each must exist in the built pipeline, or the rendering refuses to synthesize.
   */
  readonly managedStages: readonly ManagedStageConditions[];
}

/** Conditions of a stage that CDK Pipelines creates, not the plan; the stage must exist in the built pipeline. */
export interface ManagedStageConditions {
  readonly name: string;
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
