import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { dropUnusedAssetRoleBuildGrant } from '../../../../../infrastructure/lib/constructs/pipeline/asset-role-scope.js';
import { testApp } from '../../../../support/test-app.js';

/** A stack with a role where CDK Pipelines puts its asset role, granted what CDK Pipelines grants it. */
function stackWithAssetRole(assumedBy: iam.IPrincipal): Stack {
  const stack = new Stack(testApp(), 'Pipeline', { env: { account: '111111111111', region: 'us-east-1' } });
  const assets = new Construct(new Construct(stack, 'CdkPipeline'), 'Assets');
  const role = new iam.Role(assets, 'FileRole', { assumedBy });
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['codebuild:BatchGetBuilds', 'codebuild:StartBuild', 'codebuild:StopBuild'], resources: ['*'] }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: ['arn:aws:iam::222222222222:role/cdk-hnb659fds-file-publishing-role-222222222222-us-east-1'] }));
  return stack;
}

function statementsOf(stack: Stack): { Action: unknown; Resource: unknown }[] {
  return Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap((policy) => (policy as { Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } } }).Properties.PolicyDocument.Statement);
}

describe('dropUnusedAssetRoleBuildGrant', () => {
  it('removes the build grant on * from the asset role that only CodeBuild assumes, and keeps the rest', () => {
    const untouched = stackWithAssetRole(new iam.ServicePrincipal('codebuild.amazonaws.com'));
    expect(statementsOf(untouched).map((statement) => statement.Resource)).toContain('*');
    const stack = stackWithAssetRole(new iam.ServicePrincipal('codebuild.amazonaws.com'));
    dropUnusedAssetRoleBuildGrant(stack);
    const statements = statementsOf(stack);
    expect(statements.map((statement) => statement.Resource)).not.toContain('*');
    expect(statements.map((statement) => statement.Action)).toEqual(['sts:AssumeRole']);
  });

  it('refuses when another principal may assume the role (the grant might then be needed)', () => {
    const stack = stackWithAssetRole(new iam.CompositePrincipal(new iam.ServicePrincipal('codebuild.amazonaws.com'), new iam.AccountPrincipal('111111111111')));
    expect(() => {
      dropUnusedAssetRoleBuildGrant(stack);
    }).toThrow(/assumed by more than CodeBuild/);
  });
});
