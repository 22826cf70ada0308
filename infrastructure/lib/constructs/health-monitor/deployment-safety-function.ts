import { fileURLToPath } from 'node:url';
import { RemovalPolicy, type Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledgeGuardRule } from '../../policy/acknowledge.js';
import { retentionDays } from '../observability/pipeline-event-functions.js';
import { acknowledgeLogStreamWildcard } from '../worker/log-stream-acknowledgement.js';
import { DEPENDENCIES_LOCK_FILE, LAMBDA_BUNDLING, REPOSITORY_ROOT } from '../lambda-bundling.js';


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
 * One Lambda of the health monitor or the rollback: its own role (explicit actions only), a
 * KMS-encrypted log group with the configured retention, encrypted environment variables, and an
 * ESM bundle made by esbuild from `node_modules`.
 */
export function deploymentSafetyFunction(scope: Construct, id: string, props: DeploymentSafetyFunctionProps): NodejsFunction {
  const logGroupName = `/kiro-cd/${props.pipelineName}/${props.logName}`;
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    logGroupName,
    encryptionKey: props.key,
    retention: retentionDays(props.logRetentionDays),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const role = new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: props.description });
  role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'WriteLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
  for (const statement of props.statements) role.addToPrincipalPolicy(statement);
  acknowledgeLogStreamWildcard(role, logGroupName);
  const fn = new NodejsFunction(scope, id, {
    description: props.description,
    entry: pipelineHandlerEntry(props.handlerName),
    handler: 'handler',
    projectRoot: REPOSITORY_ROOT,
    depsLockFilePath: DEPENDENCIES_LOCK_FILE,
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    timeout: props.timeout,
    role,
    logGroup,
    environmentEncryption: props.key,
    environment: { ...props.environment },
    bundling: LAMBDA_BUNDLING,
  });
  fn.node.addDependency(role);
  acknowledgeGuardRule(
    fn,
    'lambda_inside_vpc_check',
    'The function reaches only regional AWS endpoints (DynamoDB, SNS, Step Functions, CodePipeline, CloudWatch, STS) with IAM-authorised calls; it has no private resource to reach, so a VPC would add NAT cost and no protection.',
  );
  return fn;
}
