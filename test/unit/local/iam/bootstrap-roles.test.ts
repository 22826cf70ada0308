import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bootstrapDeployRole, bootstrapTemplateFile, deployRoleEnvironment } from '../../../../src/local/iam/bootstrap-roles.js';
import { buildspecReports, pipelineServiceCalls } from '../../../../src/local/iam/service-calls.js';
import type { PolicyStatement, StackInScope } from '../../../../src/local/iam/synthesized-iam.js';
import { resolveIntrinsics } from '../../../../src/local/synthesized-templates.js';

const environment = { account: '222222222222', region: 'eu-west-1', trustedAccounts: ['111111111111'] };

function statements(role: ReturnType<typeof bootstrapDeployRole>): PolicyStatement[] {
  return role.policies.flatMap((policy) => [...policy.document.Statement]);
}

describe('the CDK bootstrap deploy role, read from the installed bootstrap template', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'kiro-bootstrap-'));
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('is named and trusted as `cdk bootstrap --trust <pipeline account>` creates it', () => {
    const role = bootstrapDeployRole(environment);
    expect(role.arn).toBe('arn:aws:iam::222222222222:role/cdk-hnb659fds-deploy-role-222222222222-eu-west-1');
    const assume = role.trust.Statement.filter((statement) => statement.Action === 'sts:AssumeRole' || (Array.isArray(statement.Action) && statement.Action.includes('sts:AssumeRole')));
    expect(assume.map((statement) => statement.Principal)).toEqual([{ AWS: '222222222222' }, { AWS: ['111111111111'] }]);
    // DenyExternalId (the default): CodePipeline assumes the role without an external id.
    expect(assume.every((statement) => JSON.stringify(statement.Condition) === '{"Null":{"sts:ExternalId":"true"}}')).toBe(true);
  });

  it('may pass exactly the execution role of its environment and read its artifacts only in other accounts', () => {
    const all = statements(bootstrapDeployRole(environment));
    expect(all.find((statement) => statement.Action === 'iam:PassRole')?.Resource).toBe('arn:aws:iam::222222222222:role/cdk-hnb659fds-cfn-exec-role-222222222222-eu-west-1');
    expect(all.find((statement) => statement.Sid === 'PipelineCrossAccountArtifactsBucket')?.Condition).toEqual({ StringNotEquals: { 's3:ResourceAccount': '222222222222' } });
    expect(all.find((statement) => statement.Sid === 'PipelineCrossAccountArtifactsKey')?.Condition).toEqual({ StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } });
    expect(all.some((statement) => JSON.stringify(statement.Action).includes('cloudformation:Describe*'))).toBe(true);
  });

  it('trusts only its own account without --trust', () => {
    const role = bootstrapDeployRole({ ...environment, trustedAccounts: [] });
    expect(role.trust.Statement.flatMap((statement) => [JSON.stringify(statement.Principal)])).not.toContain(JSON.stringify({ AWS: [] }));
    expect(JSON.stringify(role.trust)).not.toContain('111111111111');
  });

  it('refuses a template whose deploy role is gone or attaches an unknown managed policy', () => {
    const text = readFileSync(bootstrapTemplateFile(), 'utf8');
    const renamed = join(scratch, 'renamed.yaml');
    writeFileSync(renamed, text.replace('  DeploymentActionRole:\n', '  SomethingElse:\n'));
    expect(() => bootstrapDeployRole(environment, renamed)).toThrow(/has no DeploymentActionRole/);
    const managed = join(scratch, 'managed.yaml');
    writeFileSync(managed, text.replace('policy/AWSCloudFormationReadOnlyAccess', 'policy/ReadOnlyAccess'));
    expect(() => bootstrapDeployRole(environment, managed)).toThrow(/attaches arn:aws:iam::aws:policy\/ReadOnlyAccess/);
  });

  it('recognizes a deploy role ARN and nothing else', () => {
    expect(deployRoleEnvironment('arn:aws:iam::222222222222:role/cdk-hnb659fds-deploy-role-222222222222-eu-west-1')).toEqual({ account: '222222222222', region: 'eu-west-1' });
    expect(deployRoleEnvironment('arn:aws:iam::222222222222:role/cdk-hnb659fds-deploy-role-333333333333-eu-west-1')).toBeUndefined();
    expect(deployRoleEnvironment('arn:aws:iam::222222222222:role/KiroWorker-Test-pipeline-observer')).toBeUndefined();
  });
});

describe('buildspecReports', () => {
  it('reads report names and coverage formats from an inline buildspec', () => {
    const buildspec = JSON.stringify({ version: '0.2', reports: { unit: { files: ['junit.xml'], 'file-format': 'JUNITXML' }, coverage: { files: ['c.xml'], 'file-format': 'COBERTURAXML' } } });
    expect(buildspecReports(buildspec)).toEqual([{ name: 'unit', coverage: false }, { name: 'coverage', coverage: true }]);
    expect(buildspecReports('version: 0.2\nreports:\n  it:\n    files: [a.xml]\n')).toEqual([{ name: 'it', coverage: false }]);
  });

  it('finds none in a buildspec without reports or one read from the source', () => {
    expect(buildspecReports('version: 0.2\nphases: {}\n')).toEqual([]);
    expect(buildspecReports('buildspec.yml')).toEqual([]);
  });
});

describe('pipelineServiceCalls: the log and report writes of every CodeBuild project', () => {
  const context = { account: '222222222222', region: 'eu-west-1', stackName: 'App', physicalNames: {}, resourceTypes: { Project: 'AWS::CodeBuild::Project', Quiet: 'AWS::CodeBuild::Project' } };
  const project = (properties: Record<string, unknown>): StackInScope['stack']['resources'][string] => ({ Type: 'AWS::CodeBuild::Project', Properties: { ServiceRole: 'arn:aws:iam::222222222222:role/builds', ...properties } });
  const stacks: StackInScope[] = [
    {
      stack: {
        artifactId: 'App',
        stage: '',
        stackName: 'App',
        templateFile: '',
        outputs: {},
        resources: {
          Project: project({ LogsConfig: { CloudWatchLogs: { Status: 'ENABLED', GroupName: '/kiro/builds', StreamName: 'worker' } }, Source: { BuildSpec: JSON.stringify({ version: '0.2', reports: { unit: { files: ['j.xml'], 'file-format': 'JUNITXML' } } }) } }),
          Quiet: project({ LogsConfig: { CloudWatchLogs: { Status: 'DISABLED' } } }),
        },
      },
      context,
      resolve: (value) => resolveIntrinsics(value, context),
    },
  ];

  it('writes to the group LogsConfig names (stream under its prefix) and to the declared report group, as the project role', () => {
    const { calls, callerRoles } = pipelineServiceCalls(stacks);
    const made = calls.map((call) => `${call.caller} ${call.service}:${call.operation} ${JSON.stringify(call.input)}`);
    expect(made).toEqual([
      'CodeBuild App-Project CloudWatchLogs:CreateLogStream {"logGroupName":"/kiro/builds","logStreamName":"worker/00000000-0000-4000-8000-000000000000"}',
      'CodeBuild App-Project CloudWatchLogs:PutLogEvents {"logGroupName":"/kiro/builds","logStreamName":"worker/00000000-0000-4000-8000-000000000000"}',
      ...['CreateReportGroup', 'CreateReport', 'UpdateReport', 'BatchPutTestCases'].map((operation) => `CodeBuild App-Project CodeBuild:${operation} {"reportGroupArn":"arn:aws:codebuild:eu-west-1:222222222222:report-group/App-Project-unit"}`),
    ]);
    expect(callerRoles['CodeBuild App-Project']).toBe('arn:aws:iam::222222222222:role/builds');
  });

  it('uses /aws/codebuild/<project> when the project names no group', () => {
    const [first] = pipelineServiceCalls([{ ...stacks[0]!, stack: { ...stacks[0]!.stack, resources: { Project: project({}) } } }]).calls;
    expect(first?.input).toEqual({ logGroupName: '/aws/codebuild/App-Project', logStreamName: '00000000-0000-4000-8000-000000000000' });
  });
});
