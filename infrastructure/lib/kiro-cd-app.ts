import { aws_stepfunctions as sfn, type App } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { PIPELINE_STACK_NAMES } from '../../src/pipeline/domain/pipeline-vocabulary.js';
import type { DeploymentConfig } from '../../src/shared/config/schema.js';
import { ArtifactReplicationStack } from './stacks/artifact-replication-stack.js';
import { PipelineRuntimeStack } from './stacks/pipeline-runtime-stack.js';
import { PipelineStack } from './stacks/pipeline-stack.js';
import { createEnvironmentStages } from './stages/environment-stages.js';

/** Stack ids of the two stacks deployed once, by hand, into the pipeline account. */
export const PIPELINE_RUNTIME_STACK_ID = PIPELINE_STACK_NAMES.runtime;
export const PIPELINE_STACK_ID = PIPELINE_STACK_NAMES.pipeline;
/** Prefix of the per-region artifact bucket stacks (`KiroCd-ArtifactReplication-<region>`), one per other region an environment deploys to. */
export const ARTIFACT_REPLICATION_STACK_ID = PIPELINE_STACK_NAMES.replicationPrefix;

/** What {@link buildKiroCdApp} created. */
export interface KiroCdApp {
  readonly runtime: PipelineRuntimeStack;
  readonly pipeline: PipelineStack;
  /** One per region other than the pipeline's where an environment deploys. */
  readonly replication: readonly ArtifactReplicationStack[];
}

/**
 * Builds the whole product into `app`: the pipeline-runtime stack (history, notifications, health
 * monitor, rollback, dashboard) and the pipeline stack, which holds every environment's
 * infrastructure and application stages. One function, so `cdk synth`, `npm start`, the policy-gate
 * test and the rehearsal all synthesize the same thing.
 */
export function buildKiroCdApp(app: App, config: DeploymentConfig): KiroCdApp {
  const pipelineEnv = { account: config.pipeline.account, region: config.pipeline.region };
  const runtime = new PipelineRuntimeStack(app, PIPELINE_RUNTIME_STACK_ID, { config, env: pipelineEnv });
  // The pipeline names the health monitor by its literal ARN (its name is fixed by the runtime
  // stack): the IAM statement on its executions then names one state machine in plain text, which
  // the policy gates can check, rather than an ARN split out of a cross-stack import.
  const { region, account } = config.pipeline;
  const healthMonitor = sfn.StateMachine.fromStateMachineArn(
    runtime,
    'HealthMonitorByArn',
    `arn:${RegionInfo.get(region).partition ?? 'aws'}:states:${region}:${account}:stateMachine:${config.pipeline.name}-health-monitor`,
  );
  // CodePipeline needs an artifact bucket in every other region an environment deploys to.
  const replication = [...new Set(config.environments.map((environment) => environment.region))]
    .filter((environmentRegion) => environmentRegion !== region)
    .map(
      (environmentRegion) =>
        new ArtifactReplicationStack(app, `${ARTIFACT_REPLICATION_STACK_ID}-${environmentRegion}`, {
          env: { account, region: environmentRegion },
          pipelineName: config.pipeline.name,
          retentionDays: config.pipeline.logRetentionDays,
        }),
    );
  const pipeline = new PipelineStack(app, PIPELINE_STACK_ID, {
    config,
    env: pipelineEnv,
    ...(replication.length === 0 ? {} : { artifactReplicationBuckets: Object.fromEntries(replication.map((stack) => [stack.region, { bucket: stack.bucket, keyAliasName: stack.keyAliasName }])) }),
    environmentStages: (scope, environment) => createEnvironmentStages(scope, environment, pipelineEnv),
    historyTable: runtime.historyTable,
    approvalTopic: runtime.environmentTopics.production ?? runtime.teamTopic,
    healthMonitor,
  });
  // The pipeline's health checks start the runtime stack's state machine: deploy that first.
  pipeline.addStackDependency(runtime);
  for (const stack of replication) pipeline.addStackDependency(stack);
  return { runtime, pipeline, replication };
}
