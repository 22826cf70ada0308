import { Stage, type StageProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { infrastructureStageName } from '../../../src/pipeline/domain/stage-names.js';
import type { EnvironmentConfig } from '../../../src/shared/config/schema.js';
import { CoreInfrastructureStack } from '../stacks/core-infrastructure-stack.js';

/** Properties of {@link InfrastructureStage}. */
export interface EnvironmentStageProps extends Omit<StageProps, 'env'> {
  /** The environment: its account and region become the stage's `env`. */
  readonly environment: EnvironmentConfig;
  /**
   * The account and region of the pipeline that deploys and watches this environment; the core stack
   * then grants it read access to the environment's alarms and forwards their state changes.
   * @default none: no observer access (a stand-alone environment)
   */
  readonly pipeline?: { readonly account: string; readonly region: string };
}

/**
 * The environment's infrastructure: the core stack `<stackPrefix>-Core`. Its construct id is always
 * `infrastructureStageName(environment)` (such as `Test-Infrastructure`), because CDK Pipelines names
 * the pipeline stage after it and the runtime reads events by that name.
 */
export class InfrastructureStage extends Stage {
  readonly core: CoreInfrastructureStack;

  constructor(scope: Construct, props: EnvironmentStageProps) {
    const { environment, pipeline, ...stageProps } = props;
    super(scope, infrastructureStageName(environment.name), { ...stageProps, env: { account: environment.account, region: environment.region } });
    this.core = new CoreInfrastructureStack(this, 'Core', {
      stackName: `${environment.stackPrefix}-Core`,
      description: `Kiro CodeBuild Worker ${environment.name}: key, bucket, tables, log groups`,
      environment,
      ...(pipeline === undefined ? {} : { pipeline }),
    });
  }
}
