/**
 * What IAM authorizes for one recorded SDK call: the action (service prefix and operation, as the
 * Service Authorization Reference names them) and the resource ARN(s) built from the call's input.
 * One row per operation the product calls; an operation without a row is an error, so a new call
 * cannot slip past the proof unmapped.
 */
import type { RecordedCall } from '../../shared/aws/call-recorder.js';
import { STACK_UUID_STAND_IN } from '../synthesized-templates.js';

/** Where the caller runs: names in the input are resolved in this account and region. */
export interface CallScope {
  readonly account: string;
  readonly region: string;
  /** State machines of the templates: the issuers of the task tokens SendTask* answers. */
  readonly stateMachines?: readonly string[];
}

/** One authorization request of a call. */
export interface AuthorizationRequest {
  /** `service:Operation`, e.g. `dynamodb:Query`. */
  readonly action: string;
  /** The ARN IAM evaluates, or `*` for actions that the Service Authorization Reference defines no resource type for. */
  readonly resource: string;
  /** The account that owns the resource. */
  readonly resourceAccount: string;
  /** Evaluated on a resource although the Service Authorization Reference lists no resource type (see {@link EVALUATED_ON_TOKEN_ISSUER}). */
  readonly beyondReference?: boolean;
  /** Request context keys AWS sets for this request (`s3:ResourceAccount` of a bucket owned by a known account). */
  readonly context?: Readonly<Record<string, string>>;
}

/**
 * Actions the Service Authorization Reference lists without a resource type, but which AWS
 * authorizes against the state machine that issued the task token: AccessDenied messages name it
 * ("not authorized to perform: states:SendTaskFailure on resource: arn:aws:states:…:stateMachine:…"),
 * and the aws-cdk maintainers found a grant on the state machine works while one on an unrelated
 * resource does not (https://github.com/aws/aws-cdk/pull/8486). The templates grant them on the
 * state machine; the proof evaluates them there (docs/policy-gates.md, "Least privilege, proven").
 */
export const EVALUATED_ON_TOKEN_ISSUER: ReadonlySet<string> = new Set(['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat']);

/** IAM service prefix of each SDK client name (the recorder's `service`). */
export const SERVICE_PREFIX: Readonly<Record<string, string>> = {
  DynamoDB: 'dynamodb',
  SNS: 'sns',
  SQS: 'sqs',
  CloudWatch: 'cloudwatch',
  SFN: 'states',
  CodePipeline: 'codepipeline',
  CodeBuild: 'codebuild',
  SecretsManager: 'secretsmanager',
  CloudFormation: 'cloudformation',
  STS: 'sts',
  S3: 's3',
  CodeConnections: 'codeconnections',
  CloudWatchLogs: 'logs',
  IAM: 'iam',
};

/** Secrets Manager appends six random characters to a secret's name in its ARN. */
const SECRET_SUFFIX = 'AbCdEf';

type Input = Readonly<Record<string, unknown>>;
type ArnBuilder = (input: Input, scope: CallScope) => readonly string[];

function text(input: Input, key: string): string {
  const value = input[key];
  if (typeof value !== 'string' || value === '') throw new Error(`the input has no ${key}`);
  return value;
}

function accountOfArn(arn: string, fallback: string): string {
  const account = arn.split(':')[4];
  return account === undefined || account === '' ? fallback : account;
}

const table: ArnBuilder = (input, { region, account }) => {
  const name = text(input, 'TableName');
  const base = name.startsWith('arn:') ? name : `arn:aws:dynamodb:${region}:${account}:table/${name}`;
  return [typeof input.IndexName === 'string' ? `${base}/index/${input.IndexName}` : base];
};
const pipeline: ArnBuilder = (input, { region, account }) => [`arn:aws:codepipeline:${region}:${account}:${typeof input.pipelineName === 'string' ? input.pipelineName : text(input, 'name')}`];
const everything: ArnBuilder = () => ['*'];
/** The task token is opaque; it comes from the one state machine of the caller's account and region that issues tokens. */
const tokenIssuer: ArnBuilder = (_input, { account, region, stateMachines = [] }) => {
  const local = stateMachines.filter((arn) => arn.startsWith(`arn:aws:states:${region}:${account}:stateMachine:`));
  if (local.length !== 1) throw new Error(`the task token's state machine is ambiguous: ${local.length} state machines in ${account}/${region}`);
  return local;
};

const stackArn: ArnBuilder = (input, { region, account }) => {
  const stack = text(input, 'StackName');
  return [stack.startsWith('arn:') ? stack : `arn:aws:cloudformation:${region}:${account}:stack/${stack}/${STACK_UUID_STAND_IN}`];
};
/** CreateLogStream and PutLogEvents authorize on the stream (`log-stream` resource type). */
const logStream: ArnBuilder = (input, { region, account }) => [`arn:aws:logs:${region}:${account}:log-group:${text(input, 'logGroupName')}:log-stream:${text(input, 'logStreamName')}`];
const reportGroup: ArnBuilder = (input) => [text(input, 'reportGroupArn')];

/**
 * Operation → resource ARNs, from each operation's entry in the Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).
 */
export const OPERATION_RESOURCES: Readonly<Record<string, ArnBuilder>> = {
  'dynamodb:GetItem': table,
  'dynamodb:PutItem': table,
  'dynamodb:UpdateItem': table,
  'dynamodb:DeleteItem': table,
  'dynamodb:Query': table,
  'dynamodb:DescribeTable': table,
  'sns:Publish': (input) => [text(input, 'TopicArn')],
  'cloudwatch:DescribeAlarms': (input, { region, account }) => {
    const names = input.AlarmNames;
    // Without names DescribeAlarms lists every alarm: the alarm resource type then matches only `*`.
    return Array.isArray(names) && names.length > 0 ? names.map((name) => `arn:aws:cloudwatch:${region}:${account}:alarm:${String(name)}`) : ['*'];
  },
  'cloudwatch:PutMetricData': everything,
  'states:SendTaskSuccess': tokenIssuer,
  'states:SendTaskFailure': tokenIssuer,
  'codepipeline:GetPipelineState': pipeline,
  'codepipeline:GetPipelineExecution': pipeline,
  'codepipeline:ListPipelineExecutions': pipeline,
  'codepipeline:StartPipelineExecution': pipeline,
  'codepipeline:RollbackStage': (input, scope) => [`${pipeline(input, scope)[0] ?? ''}/${text(input, 'stageName')}`],
  'codebuild:StartBuild': (input, { region, account }) => {
    const project = text(input, 'projectName');
    return [project.startsWith('arn:') ? project : `arn:aws:codebuild:${region}:${account}:project/${project}`];
  },
  'secretsmanager:GetSecretValue': (input, { region, account }) => {
    const id = text(input, 'SecretId');
    return [id.startsWith('arn:') ? id : `arn:aws:secretsmanager:${region}:${account}:secret:${id}-${SECRET_SUFFIX}`];
  },
  'cloudformation:ListStackResources': stackArn,
  // The calls CodePipeline's CloudFormation actions make as the bootstrap deploy role (service-calls.ts).
  'cloudformation:DescribeStacks': stackArn,
  'cloudformation:DescribeChangeSet': stackArn,
  'cloudformation:DeleteChangeSet': stackArn,
  'cloudformation:CreateChangeSet': stackArn,
  'cloudformation:ExecuteChangeSet': stackArn,
  'cloudformation:CreateStack': stackArn,
  'cloudformation:UpdateStack': stackArn,
  'iam:PassRole': (input) => [text(input, 'RoleArn')],
  // CodeBuild's log and report writes as a project's service role (service-calls.ts).
  'logs:CreateLogStream': logStream,
  'logs:PutLogEvents': logStream,
  'codebuild:CreateReportGroup': reportGroup,
  'codebuild:CreateReport': reportGroup,
  'codebuild:UpdateReport': reportGroup,
  'codebuild:BatchPutTestCases': reportGroup,
  'codebuild:BatchPutCodeCoverages': reportGroup,
  'sts:AssumeRole': (input) => [text(input, 'RoleArn')],
  // The calls AWS services make for the pipeline's actions (service-calls.ts).
  // The post-deployment suites' calls (test/deployed): a build id is `<project name>:<uuid>`, authorized on the project.
  'codebuild:StopBuild': (input, { region, account }) => [`arn:aws:codebuild:${region}:${account}:project/${text(input, 'id').split(':')[0] ?? ''}`],
  'codebuild:BatchGetProjects': (input, { region, account }) => {
    const names = Array.isArray(input.names) ? input.names.map(String) : [];
    if (names.length === 0) throw new Error('the input has no names');
    return names.map((name) => (name.startsWith('arn:') ? name : `arn:aws:codebuild:${region}:${account}:project/${name}`));
  },
  'codebuild:BatchGetBuilds': (input, { region, account }) => {
    const ids = Array.isArray(input.ids) ? input.ids.map(String) : [];
    if (ids.length === 0) throw new Error('the input has no ids');
    // A build id is `<project name>:<uuid>`; the call is authorized on the project.
    return ids.map((id) => `arn:aws:codebuild:${region}:${account}:project/${id.split(':')[0] ?? ''}`);
  },
  'states:StartExecution': (input) => [text(input, 'stateMachineArn')],
  'states:DescribeExecution': (input) => [text(input, 'executionArn')],
  'codeconnections:UseConnection': (input) => [text(input, 'ConnectionArn')],
  's3:GetObject': (input) => [`arn:aws:s3:::${text(input, 'Bucket')}/${text(input, 'Key')}`],
  's3:PutObject': (input) => [`arn:aws:s3:::${text(input, 'Bucket')}/${text(input, 'Key')}`],
};

/** The authorization requests of one call, or an error naming what is unmapped or missing. */
export function requestsOf(call: Pick<RecordedCall, 'service' | 'operation' | 'input'>, scope: CallScope): AuthorizationRequest[] {
  const prefix = SERVICE_PREFIX[call.service];
  if (prefix === undefined) throw new Error(`No IAM service prefix for the SDK client ${call.service}; add it to SERVICE_PREFIX.`);
  const action = `${prefix}:${call.operation}`;
  const builder = OPERATION_RESOURCES[action];
  if (builder === undefined) throw new Error(`No resource mapping for ${action}; add a row to OPERATION_RESOURCES from the Service Authorization Reference.`);
  const input = (typeof call.input === 'object' && call.input !== null ? call.input : {}) as Input;
  try {
    const beyondReference = EVALUATED_ON_TOKEN_ISSUER.has(action) ? { beyondReference: true } : {};
    // S3 ARNs name no account: a call that says whose bucket it expects (ExpectedBucketOwner) is evaluated in that account, with the key AWS sets.
    const owner = prefix === 's3' && typeof input.ExpectedBucketOwner === 'string' ? input.ExpectedBucketOwner : undefined;
    const bucketOwner = owner === undefined ? {} : { context: { 's3:ResourceAccount': owner } };
    return builder(input, scope).map((resource) => ({ action, resource, resourceAccount: owner ?? (resource === '*' ? scope.account : accountOfArn(resource, scope.account)), ...beyondReference, ...bucketOwner }));
  } catch (error) {
    throw new Error(`${action}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
