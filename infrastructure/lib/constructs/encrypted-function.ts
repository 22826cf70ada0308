import { RemovalPolicy, type Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledgeGuardRule } from '../policy/acknowledge.js';
import { LambdaBundler } from './lambda-bundler.js';
import { acknowledgeLogStreamWildcard } from './worker/log-stream-acknowledgement.js';

/** The runtime of every function of the product. */
const RUNTIME = lambda.Runtime.NODEJS_24_X;

/** Properties of {@link encryptedFunction}. */
export interface EncryptedFunctionProps {
  /** The handler's TypeScript source file, bundled by esbuild (no Docker). */
  readonly entry: string;
  /** The function's description. */
  readonly description: string;
  /**
   * The role's description.
   * @default the function's description
   */
  readonly roleDescription?: string;
  /** Encrypts the log group (when created here) and the environment variables. */
  readonly key: kms.IKey;
  readonly timeout: Duration;
  readonly environment: Readonly<Record<string, string>>;
  /** Explicit actions on named resources; the log-writing statement (`WriteLogs`) is added before them. */
  readonly statements: readonly iam.PolicyStatement[];
  /** The log group the function writes to. */
  readonly logGroupName: string;
  /**
   * Retention of the log group, which is then created here, encrypted with the key and retained.
   * @default none: the log group exists already (created elsewhere, encrypted) and is imported by name
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Why the function needs no VPC (the cfn-guard `lambda_inside_vpc_check` acknowledgement): which
   * endpoints it reaches.
   */
  readonly noVpcReason: string;
  /**
   * Construct id of the role.
   * @default `${id}Role`
   */
  readonly roleId?: string;
  /**
   * Construct id of the log group.
   * @default `${id}Logs`
   */
  readonly logGroupId?: string;
}

/**
 * One Lambda of the product: its own role holding only the log-writing statement and the given
 * explicit ones, a KMS-encrypted log group, encrypted environment variables, arm64 on Node 24 with
 * 256 MB, and an ESM bundle made by esbuild from `node_modules` (the app's one esbuild run over every
 * function, lambda-bundler.ts, with LAMBDA_BUNDLING's options). The role's policy exists before the
 * function (Lambda checks the role on creation), and the two accepted findings every such function
 * has (the log-stream wildcard, no VPC) are acknowledged with their reasons.
 */
export function encryptedFunction(scope: Construct, id: string, props: EncryptedFunctionProps): NodejsFunction {
  const logGroupId = props.logGroupId ?? `${id}Logs`;
  const logGroup =
    props.logRetention === undefined
      ? logs.LogGroup.fromLogGroupName(scope, logGroupId, props.logGroupName)
      : new logs.LogGroup(scope, logGroupId, {
          logGroupName: props.logGroupName,
          encryptionKey: props.key,
          retention: props.logRetention,
          removalPolicy: RemovalPolicy.RETAIN,
        });
  const role = new iam.Role(scope, props.roleId ?? `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: props.roleDescription ?? props.description,
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'WriteLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
  for (const statement of props.statements) role.addToPrincipalPolicy(statement);
  acknowledgeLogStreamWildcard(role, props.logGroupName);
  const fn = new NodejsFunction(scope, id, {
    description: props.description,
    // With `code` given, NodejsFunction bundles nothing itself and takes the handler as written:
    // `index.handler` is what it makes of `handler` for its own bundle (index.mjs).
    code: LambdaBundler.of(scope).code(scope, props.entry, RUNTIME),
    handler: 'index.handler',
    runtime: RUNTIME,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    timeout: props.timeout,
    role,
    logGroup,
    environmentEncryption: props.key,
    environment: { ...props.environment },
  });
  fn.node.addDependency(role);
  acknowledgeGuardRule(fn, 'lambda_inside_vpc_check', props.noVpcReason);
  return fn;
}
