import { fileURLToPath } from 'node:url';
import type { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { encryptedFunction } from '../encrypted-function.js';
import { retentionDays } from '../log-retention.js';

/** The source file of a pipeline handler, bundled by esbuild (no Docker). */
export function pipelineHandlerEntry(name: string): string {
  return fileURLToPath(new URL(`../../../../src/pipeline/handlers/${name}.ts`, import.meta.url));
}

/** What one deployment-safety Lambda needs. */
export interface DeploymentSafetyFunctionProps {
  /** Handler file name under src/pipeline/handlers, without `.ts`. */
  readonly handlerName: string;
  readonly description: string;
  /** Used in the log group name `/kiro-cd/<pipeline>/<logName>`. */
  readonly pipelineName: string;
  readonly logName: string;
  readonly key: kms.IKey;
  readonly logRetentionDays: number;
  readonly timeout: Duration;
  readonly environment: Readonly<Record<string, string>>;
  /** Explicit actions on named resources; the log-writing statement is added here. */
  readonly statements: readonly iam.PolicyStatement[];
}

/**
 * One Lambda of the health monitor or the rollback: an {@link encryptedFunction} with its own log
 * group `/kiro-cd/<pipeline>/<logName>` kept for the configured retention.
 */
export function deploymentSafetyFunction(scope: Construct, id: string, props: DeploymentSafetyFunctionProps): NodejsFunction {
  return encryptedFunction(scope, id, {
    entry: pipelineHandlerEntry(props.handlerName),
    description: props.description,
    key: props.key,
    timeout: props.timeout,
    environment: props.environment,
    statements: props.statements,
    logGroupName: `/kiro-cd/${props.pipelineName}/${props.logName}`,
    logRetention: retentionDays(props.logRetentionDays),
    noVpcReason:
      'The function reaches only regional AWS endpoints (DynamoDB, SNS, Step Functions, CodePipeline, CloudWatch, STS) with IAM-authorised calls; it has no private resource to reach, so a VPC would add NAT cost and no protection.',
  });
}
