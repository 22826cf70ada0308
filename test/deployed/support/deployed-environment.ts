/**
 * Where the post-deployment suites run and what they find there: the target comes from environment
 * variables, everything else from the application stack's outputs (CloudFormation DescribeStacks),
 * so the suites work against any deployed environment and, with an endpoint override, the emulator.
 */
import { CloudFormationClient, DescribeStacksCommand, type CloudFormationClientConfig } from '@aws-sdk/client-cloudformation';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { ConfigurationError } from '../../../src/shared/errors.js';

/** The environment variables the suites read. */
export const DEPLOYED_ENVIRONMENT = {
  /** `test`, `staging` or `production`: picks stack prefix and region from the configuration. */
  environment: 'KIRO_ENV',
  /** Overrides the stack prefix (such as `KiroWorker-Test`). */
  stackPrefix: 'KIRO_STACK_PREFIX',
  region: 'AWS_REGION',
  /** Sends every AWS call to this endpoint instead (the local emulator). */
  endpoint: 'KIRO_AWS_ENDPOINT',
  /**
   * A role of the environment's account to test through (the pipeline sets it: the suite runs in
   * the pipeline account). Unset: the default credential chain, for a run from a workstation.
   */
  roleArn: 'KIRO_TEST_ROLE_ARN',
  /** Repository and branch of the end-to-end fixture work item (its implementation must succeed). */
  e2eRepository: 'KIRO_E2E_REPOSITORY',
  e2eBranch: 'KIRO_E2E_BRANCH',
} as const;

/** Which deployed environment the suites talk to. */
export interface DeployedTarget {
  readonly stackPrefix: string;
  readonly region: string;
  readonly endpoint?: string;
  /** The role to assume for every call. */
  readonly roleArn?: string;
}

/** Resolves the target from the environment, with the configuration supplying defaults per KIRO_ENV. */
export function targetFromEnvironment(
  environment: Readonly<Record<string, string | undefined>>,
  configured: readonly { readonly name: string; readonly stackPrefix: string; readonly region: string }[],
): DeployedTarget {
  const name = environment[DEPLOYED_ENVIRONMENT.environment];
  const entry = name === undefined ? undefined : configured.find((candidate) => candidate.name === name);
  if (name !== undefined && entry === undefined) {
    throw new ConfigurationError(`${DEPLOYED_ENVIRONMENT.environment}=${name} is not a configured environment; use one of ${configured.map((candidate) => candidate.name).join(', ')}.`);
  }
  const stackPrefix = environment[DEPLOYED_ENVIRONMENT.stackPrefix] ?? entry?.stackPrefix;
  const region = environment[DEPLOYED_ENVIRONMENT.region] ?? entry?.region;
  if (stackPrefix === undefined || region === undefined) {
    throw new ConfigurationError(
      `Say which environment to test: set ${DEPLOYED_ENVIRONMENT.environment} (test, staging, production) or both ${DEPLOYED_ENVIRONMENT.stackPrefix} and ${DEPLOYED_ENVIRONMENT.region}.`,
    );
  }
  const endpoint = environment[DEPLOYED_ENVIRONMENT.endpoint];
  const roleArn = environment[DEPLOYED_ENVIRONMENT.roleArn];
  if (roleArn !== undefined && !/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(roleArn)) {
    throw new ConfigurationError(`${DEPLOYED_ENVIRONMENT.roleArn} must be an IAM role ARN, not "${roleArn}".`);
  }
  return { stackPrefix, region, ...(endpoint === undefined ? {} : { endpoint }), ...(roleArn === undefined ? {} : { roleArn }) };
}

/** The application stack outputs the suites rely on. */
export interface WorkerOutputs {
  readonly workItemsTableName: string;
  readonly lockTableName: string;
  /** The project that runs customers' commands (the poller starts its builds). */
  readonly implementationProjectName: string;
  /** The buildspec the deployed poller sends with every build, so a suite starts the same build. */
  readonly implementationBuildspec: string;
  readonly alarms: { readonly critical: readonly string[]; readonly warning: readonly string[] };
}

const REQUIRED_OUTPUTS = ['WorkItemsTableName', 'LockTableName', 'ImplementationProjectName', 'ImplementationBuildspec', 'AlarmSeverities'] as const;

/** Name of the application stack of a prefix (as the ApplicationStage names it). */
export function applicationStackName(stackPrefix: string): string {
  return `${stackPrefix}-Application`;
}

/** Reads the application stack's outputs; names every missing one. */
export async function readWorkerOutputs(cloudformation: CloudFormationClient, stackName: string): Promise<WorkerOutputs> {
  const answer = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = new Map((answer.Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']));
  const missing = REQUIRED_OUTPUTS.filter((key) => (outputs.get(key) ?? '') === '');
  if (missing.length > 0) {
    throw new ConfigurationError(`Stack ${stackName} lacks the outputs ${missing.join(', ')}: deploy the current application stack first.`, { stackName, missing });
  }
  const alarms = JSON.parse(outputs.get('AlarmSeverities') ?? '{}') as WorkerOutputs['alarms'];
  return {
    workItemsTableName: outputs.get('WorkItemsTableName') ?? '',
    lockTableName: outputs.get('LockTableName') ?? '',
    implementationProjectName: outputs.get('ImplementationProjectName') ?? '',
    implementationBuildspec: outputs.get('ImplementationBuildspec') ?? '',
    alarms,
  };
}

/** Session name of the assumed test role, so CloudTrail shows who made the calls. */
export const TEST_ROLE_SESSION_NAME = 'kiro-post-deployment-tests';

/** The emulator accepts any credentials; no real one is ever read against it. */
const EMULATOR_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

/**
 * SDK client configuration for the target. Credentials: the target's role when it names one,
 * assumed through STS with the default chain (the pipeline's suite action) or, against the
 * emulator, with its dummy credentials; else the emulator's dummy credentials or the default chain.
 */
export function clientConfig(target: DeployedTarget): Pick<CloudFormationClientConfig, 'region' | 'endpoint' | 'credentials'> {
  const base = target.endpoint === undefined ? { region: target.region } : { region: target.region, endpoint: target.endpoint };
  const source = target.endpoint === undefined ? undefined : EMULATOR_CREDENTIALS;
  if (target.roleArn === undefined) return source === undefined ? base : { ...base, credentials: source };
  return {
    ...base,
    credentials: fromTemporaryCredentials({
      params: { RoleArn: target.roleArn, RoleSessionName: TEST_ROLE_SESSION_NAME },
      ...(source === undefined ? {} : { masterCredentials: source }),
      clientConfig: base,
    }),
  };
}
