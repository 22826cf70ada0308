/**
 * What the rehearsal's deploy actions did, as the judge reads it: every CloudFormation stack
 * deployment (stack, template, parameters) and every CodeDeploy deployment (which commit now runs),
 * per environment, in the order they happened. The emulator cannot run either service's real work
 * (GROUND.md: no CloudFormation for these resources, no CodeDeploy), so the action runners record
 * here what AWS would have deployed.
 */
import type { EnvironmentName } from '../../pipeline/domain/history-model.js';

/** One CloudFormation deploy action that ran to success. */
export interface StackDeployment {
  readonly environment: EnvironmentName;
  readonly stackName: string;
  /** The template the commit synthesizes (what CloudFormation now holds for the stack). */
  readonly template: string;
  readonly parameters: Readonly<Record<string, string>>;
  readonly commitId: string;
  readonly executionId: string;
  readonly at: Date;
}

/** One CodeDeploy deployment that ran to success: `commitId` runs in the environment from `at` on. */
export interface CodeDeployment {
  readonly environment: EnvironmentName;
  readonly application: string;
  readonly deploymentGroup: string;
  readonly commitId: string;
  readonly executionId: string;
  readonly at: Date;
}

/** The records, newest last. */
export class DeployRecords {
  readonly stacks: StackDeployment[] = [];
  readonly applications: CodeDeployment[] = [];

  recordStack(deployment: StackDeployment): void {
    this.stacks.push(deployment);
  }

  recordApplication(deployment: CodeDeployment): void {
    this.applications.push(deployment);
  }

  /** The stack CloudFormation holds now for `stackName` in `environment`, if it was ever deployed. */
  lastStack(environment: EnvironmentName, stackName: string): StackDeployment | undefined {
    return this.stacks.filter((deployment) => deployment.environment === environment && deployment.stackName === stackName).at(-1);
  }

  /** The commit the environment's application runs now. */
  runningCommit(environment: EnvironmentName): string | undefined {
    return this.applications.filter((deployment) => deployment.environment === environment).at(-1)?.commitId;
  }
}
