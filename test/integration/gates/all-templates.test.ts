import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, RemovalPolicy, Stack, Stage } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { AnyPrincipal, Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPolicyPlugins } from '../../../infrastructure/lib/policy/apply-policy-plugins.js';
import { runAllGates, type GatesRun } from '../../../src/pipeline/adapters/tools/run-gates.js';
import { decideGates, formatFinding } from '../../../src/pipeline/domain/gates/gate-finding.js';

/**
 * The single full-validation synthesis of the suite (built-in CloudFormation validation on), then
 * every gate over every template, nested stage assemblies included. It synthesizes a stage with the
 * kinds of resources the product stacks use, registered through applyPolicyPlugins exactly as
 * infrastructure/bin/app.ts does.
 */
class FixtureStage extends Stage {
  constructor(scope: App, id: string) {
    super(scope, id, { env: { account: '123456789012', region: 'eu-west-1' } });
    const stack = new Stack(this, 'Core', { stackName: `${id}-Core` });
    const key = new Key(stack, 'Key', { enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY });
    const logs = new LogGroup(stack, 'Logs', { encryptionKey: key, retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    key.grantEncryptDecrypt(new ServicePrincipal('logs.eu-west-1.amazonaws.com'));
    // CT.KMS.PR.3: only AWS services may create grants on the key.
    key.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      }),
    );
    const table = new TableV2(stack, 'Locks', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.customerManagedKey(key),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
    });
    const role = new Role(stack, 'Worker', { assumedBy: new ServicePrincipal('codebuild.amazonaws.com'), maxSessionDuration: Duration.hours(1) });
    table.grantReadWriteData(role);
    logs.grantWrite(role);
  }
}

describe('every policy gate over the synthesized app', () => {
  let assembly: string;
  let run: GatesRun;
  beforeAll(async () => {
    assembly = mkdtempSync(join(tmpdir(), 'kiro-gates-'));
    const app = new App({ outdir: assembly, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
    new FixtureStage(app, 'Test');
    await applyPolicyPlugins(app);
    app.synth();
    run = await runAllGates(assembly);
  }, 120_000);
  afterAll(() => {
    rmSync(assembly, { recursive: true, force: true });
  });

  it('found the templates of the nested stage assembly', () => {
    expect(run.stacks.map((stack) => [stack.stage, stack.stackName])).toEqual([['Test', 'Test-Core']]);
  });

  it('has zero unaccepted findings in every gate', () => {
    const verdict = decideGates(run.results);
    const listed = verdict.kind === 'fail' ? verdict.blocking.map(formatFinding).join('\n') : '';
    expect(listed).toBe('');
  });
});
