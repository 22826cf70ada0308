/**
 * Issue 13, item 9: the customer's command (install scripts, tests) must never run with the worker's
 * credentials. A CodeBuild build can only use its project's service role, so every CodeBuild project
 * of the application stack must have a role that can do nothing but write its own logs (and read the
 * configured secrets): no DynamoDB, no use of the environment's KMS key, no `*` resource, and not the
 * role of any worker Lambda.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../../../infrastructure/lib/config/load-config.js';
import { coreParameterName } from '../../../../infrastructure/lib/constructs/worker/core-parameters.js';
import { ApplicationStack } from '../../../../infrastructure/lib/stacks/application-stack.js';
import { createEnvironmentStages } from '../../../../infrastructure/lib/stages/environment-stages.js';
import { testApp } from '../../../support/test-app.js';

const environment = loadDeploymentConfig().environments[0]!;

type Statement = { readonly Action: string | string[]; readonly Resource: unknown; readonly Effect: string };
type Resource = { readonly Type: string; readonly Properties: Record<string, unknown> };

function roleLogicalId(reference: unknown): string | undefined {
  const attribute = (reference as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
  return attribute?.[0];
}

function statementsOfRole(resources: Record<string, Resource>, roleId: string): Statement[] {
  return Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::IAM::Policy' && JSON.stringify(resource.Properties.Roles).includes(`"${roleId}"`))
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const asList = (value: string | string[]): string[] => (typeof value === 'string' ? [value] : value);

describe('customer code and the worker\'s credentials (issue 13, item 9)', () => {
  let resources: Record<string, Resource>;
  let template: { parameters: Record<string, { Default?: string }> };
  let projects: [string, Resource][];
  beforeAll(() => {
    const app = testApp();
    const { application } = createEnvironmentStages(app, environment);
    const json = Template.fromStack(application.application).toJSON() as { Resources: Record<string, Resource>; Parameters: Record<string, { Default?: string }> };
    resources = json.Resources;
    template = { parameters: json.Parameters };
    projects = Object.entries(resources).filter(([, resource]) => resource.Type === 'AWS::CodeBuild::Project');
  });

  it('has a CodeBuild project for the customer command, with its own service role', () => {
    expect(projects.length).toBeGreaterThan(0);
    for (const [id, project] of projects) expect(roleLogicalId(project.Properties.ServiceRole), id).toBeDefined();
  });

  it('gives no project role DynamoDB, the environment key or a "*" resource', () => {
    // The environment's key comes from the core stack's SSM parameter `/kiro-worker/<prefix>/key-arn`.
    const keyParameters = Object.entries(template.parameters)
      .filter(([, parameter]) => parameter.Default === coreParameterName(environment.stackPrefix, 'key-arn'))
      .map(([id]) => id);
    expect(keyParameters).toHaveLength(1);
    for (const [id, project] of projects) {
      const statements = statementsOfRole(resources, roleLogicalId(project.Properties.ServiceRole)!);
      const actions = statements.flatMap((statement) => asList(statement.Action));
      expect(actions.length, id).toBeGreaterThan(0);
      expect(actions.filter((action) => action.startsWith('dynamodb:')), id).toEqual([]);
      expect(actions.filter((action) => action.startsWith('kms:')), `${id}: its own key names the role in the key policy; no IAM grant of any key`).toEqual([]);
      expect(statements.filter((statement) => JSON.stringify(statement.Resource).includes('"*"')), id).toEqual([]);
      expect(JSON.stringify(statements), id).not.toContain(keyParameters[0]);
      expect(JSON.stringify(project.Properties), `${id} is not encrypted with the environment key`).not.toContain(keyParameters[0]);
    }
  });

  it('runs the customer command under a role no worker Lambda uses', () => {
    const lambdaRoles = new Set(
      Object.values(resources)
        .filter((resource) => resource.Type === 'AWS::Lambda::Function')
        .map((resource) => roleLogicalId(resource.Properties.Role)),
    );
    expect(lambdaRoles.size).toBeGreaterThan(0);
    for (const [id, project] of projects) expect(lambdaRoles.has(roleLogicalId(project.Properties.ServiceRole)), id).toBe(false);
  });

  it('encrypts the project with a key whose policy lets only the project role use it', () => {
    for (const [id, project] of projects) {
      const keyId = roleLogicalId(project.Properties.EncryptionKey);
      expect(keyId, `${id} uses a key of this stack`).toBeDefined();
      const key = resources[keyId!]!;
      const roleId = roleLogicalId(project.Properties.ServiceRole)!;
      const statements = (key.Properties.KeyPolicy as { Statement: (Statement & { Principal: unknown })[] }).Statement;
      const useActions = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:CreateGrant'];
      for (const statement of statements) {
        const uses = asList(statement.Action).filter((action) => useActions.includes(action) || action === 'kms:*');
        if (uses.length === 0 || statement.Effect === 'Deny') continue;
        const principal = JSON.stringify(statement.Principal);
        expect(principal.includes(`"${roleId}"`) || principal.includes('logs.'), `${id}: ${principal} may ${uses.join(', ')}`).toBe(true);
      }
    }
  });
});

describe('the implementation command\'s secrets (issue 13, item 9)', () => {
  let template: Template;
  beforeAll(() => {
    const app = testApp();
    const withSecrets = {
      ...environment,
      implementationSecrets: { GITHUB_TOKEN: 'kiro/github-token', NPM_TOKEN: 'arn:aws:secretsmanager:us-east-1:222222222222:secret:kiro/npm-AbCdEf' },
    };
    template = Template.fromStack(new ApplicationStack(app, 'WithSecrets', { environment: withSecrets, env: { account: environment.account, region: environment.region } }));
  });

  it('reach the build as SECRETS_MANAGER variables, and nothing as PLAINTEXT', () => {
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({
        EnvironmentVariables: [
          { Name: 'GITHUB_TOKEN', Type: 'SECRETS_MANAGER', Value: 'kiro/github-token' },
          { Name: 'NPM_TOKEN', Type: 'SECRETS_MANAGER', Value: 'arn:aws:secretsmanager:us-east-1:222222222222:secret:kiro/npm-AbCdEf' },
        ],
      }),
    });
  });

  it('may be read by the implementation role, exactly those', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'ReadConfiguredSecrets',
            Action: 'secretsmanager:GetSecretValue',
            Resource: [
              { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:us-east-1:222222222222:secret:kiro/github-token-??????']] },
              'arn:aws:secretsmanager:us-east-1:222222222222:secret:kiro/npm-AbCdEf',
            ],
          }),
        ]),
      },
      Roles: [{ Ref: Match.stringLikeRegexp('ImplementationRole') }],
    });
  });
});
