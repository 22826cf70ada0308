import { Stage } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { applicationStageName } from '../../../src/pipeline/domain/stage-names.js';
import { ApplicationStack } from '../stacks/application-stack.js';
import type { EnvironmentStageProps } from './infrastructure-stage.js';

/**
 * The environment's application: the stack `<stackPrefix>-Application`. Its construct id is always
 * `applicationStageName(environment)` (such as `Test-Application`). It shares no construct with the
 * infrastructure stage: what it needs from core comes through SSM parameters.
 */
export class ApplicationStage extends Stage {
  readonly application: ApplicationStack;

  constructor(scope: Construct, props: EnvironmentStageProps) {
    const { environment, pipeline, ...stageProps } = props;
    super(scope, applicationStageName(environment.name), { ...stageProps, env: { account: environment.account, region: environment.region } });
    this.application = new ApplicationStack(this, 'Application', {
      stackName: `${environment.stackPrefix}-Application`,
      description: `Kiro CodeBuild Worker ${environment.name}: poller, worker project, alarms`,
      environment,
      ...(pipeline === undefined ? {} : { pipelineAccount: pipeline.account }),
    });
  }
}
