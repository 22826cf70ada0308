import type { aws_lambda as lambda } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../../../infrastructure/lib/config/load-config.js';
import { PipelineRuntimeStack } from '../../../../infrastructure/lib/stacks/pipeline-runtime-stack.js';
import { dependenciesFromEnvironment as alarmStateChange } from '../../../../src/pipeline/handlers/alarm-state-change.js';
import { dependenciesFromEnvironment as healthMonitor } from '../../../../src/pipeline/handlers/health-monitor.js';
import { dependenciesFromEnvironment as notifier } from '../../../../src/pipeline/handlers/notify-pipeline-event.js';
import {
  COMMIT_STATUS_ENVIRONMENT,
  DORA_PUBLISHER_ENVIRONMENT,
  NOTIFIER_ENVIRONMENT,
  RECORDER_ENVIRONMENT,
} from '../../../../src/pipeline/handlers/pipeline-event-environment.js';
import { dependenciesFromEnvironment as doraPublisher } from '../../../../src/pipeline/handlers/publish-delivery-metrics.js';
import { dependenciesFromEnvironment as recorder } from '../../../../src/pipeline/handlers/record-pipeline-event.js';
import { dependenciesFromEnvironment as rollbackTrigger } from '../../../../src/pipeline/handlers/rollback-trigger.js';
import { dependenciesFromEnvironment as rollbackAdvance } from '../../../../src/pipeline/handlers/rollback-advance.js';
import { dependenciesFromEnvironment as commitStatus } from '../../../../src/pipeline/handlers/update-commit-status.js';
import type { Environment } from '../../../../src/shared/environment.js';
import { CALL_LOG_VARIABLE } from '../../../../src/shared/aws/call-recorder.js';
import { testApp } from '../../../support/test-app.js';

/**
 * Each Lambda of the pipeline-runtime stack, synthesized, against the handler it runs: the handler
 * reads exactly the variables the template sets, plus reserved variables the Lambda runtime sets
 * itself (Lambda Developer Guide, "Defined runtime environment variables"). The template's values
 * are CloudFormation references; they are replaced by values of the right shape (an ARN for a
 * topic, a name for a table) so the handler's parser can run on them.
 */
// AWS_REGION is set by the Lambda runtime; KIRO_CD_CALL_LOG is the tests' switch for recording AWS calls
// (src/shared/aws/call-recorder.ts), never set on AWS, where its absence makes the recorder a no-op.
const RUNTIME_VARIABLES = new Set(['AWS_REGION', CALL_LOG_VARIABLE]);
const ACCOUNT = '111111111111';
const REGION = 'us-east-1';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

function fakeValue(value: unknown, resources: Resources): string {
  if (typeof value === 'string') return value;
  const intrinsic = value as Record<string, unknown>;
  if ('Ref' in intrinsic) {
    const id = String(intrinsic.Ref);
    if (id === 'AWS::Region') return REGION;
    if (id === 'AWS::AccountId') return ACCOUNT;
    if (id === 'AWS::Partition') return 'aws';
    if (id === 'AWS::URLSuffix') return 'amazonaws.com';
    const type = resources[id]?.Type;
    // Ref returns a topic's ARN, a table's or role's name (the resources' "Return values" in the CloudFormation reference).
    if (type === 'AWS::SNS::Topic') return `arn:aws:sns:${REGION}:${ACCOUNT}:${id}`;
    if (type === 'AWS::DynamoDB::Table' || type === 'AWS::DynamoDB::GlobalTable' || type === 'AWS::IAM::Role') return id.toLowerCase();
    throw new Error(`no fake value for a Ref to ${String(type)} ${id}: add one`);
  }
  if ('Fn::GetAtt' in intrinsic) {
    const [id, attribute] = intrinsic['Fn::GetAtt'] as [string, string];
    const type = resources[id]?.Type;
    if (attribute === 'Arn' && type === 'AWS::IAM::Role') return `arn:aws:iam::${ACCOUNT}:role/${id}`;
    if (attribute === 'Arn' && type !== undefined) return `arn:aws:${type.split('::')[1]!.toLowerCase()}:${REGION}:${ACCOUNT}:${id}`;
    throw new Error(`no fake value for ${id}.${attribute}: add one`);
  }
  if ('Fn::Join' in intrinsic) {
    const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => fakeValue(part, resources)).join(separator);
  }
  throw new Error(`no fake value for ${JSON.stringify(value)}`);
}

/** Runs `read` on the variables and records every name it looks up. */
function variablesRead(read: (environment: Environment) => unknown, variables: Record<string, string>): string[] {
  const seen = new Set<string>();
  const environment = new Proxy<Record<string, string>>(variables, {
    get(target, key) {
      if (typeof key === 'string') seen.add(key);
      return typeof key === 'string' ? target[key] : undefined;
    },
  });
  read(environment);
  return [...seen].sort();
}

describe('every Lambda reads exactly the environment its construct sets', () => {
  let stack: PipelineRuntimeStack;
  let resources: Resources;

  beforeAll(() => {
    const config = loadDeploymentConfig();
    // testApp() bundles nothing: the environment does not depend on the code.
    const app = testApp();
    stack = new PipelineRuntimeStack(app, 'Runtime', { config, env: { account: ACCOUNT, region: REGION } });
    resources = Template.fromStack(stack).toJSON().Resources as Resources;
  }, 60_000);

  function setVariables(fn: lambda.IFunction): Record<string, unknown> {
    const logicalId = fn.stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction);
    const properties = resources[logicalId]?.Properties as { Environment?: { Variables?: Record<string, unknown> } } | undefined;
    return properties?.Environment?.Variables ?? {};
  }

  const cases: readonly { name: string; fn: (s: PipelineRuntimeStack) => lambda.IFunction; read: (environment: Environment) => unknown; names?: Readonly<Record<string, string>> }[] = [
    { name: 'history recorder', fn: (s) => s.events.recorder, read: recorder, names: RECORDER_ENVIRONMENT.names },
    { name: 'notifier', fn: (s) => s.events.notifier, read: notifier, names: NOTIFIER_ENVIRONMENT.names },
    { name: 'commit status', fn: (s) => s.events.commitStatus, read: commitStatus, names: COMMIT_STATUS_ENVIRONMENT.names },
    { name: 'DORA publisher', fn: (s) => s.events.doraPublisher, read: doraPublisher, names: DORA_PUBLISHER_ENVIRONMENT.names },
    { name: 'health-monitor steps', fn: (s) => s.deploymentSafety.healthMonitor.stepLambda, read: healthMonitor },
    { name: 'alarm events', fn: (s) => s.deploymentSafety.healthMonitor.alarmEventFunction, read: alarmStateChange },
    { name: 'rollback trigger', fn: (s) => s.deploymentSafety.rollback.orchestrator, read: rollbackTrigger },
    { name: 'rollback steps', fn: (s) => s.deploymentSafety.rollback.advance, read: rollbackAdvance },
  ];

  it.each(cases)('$name', ({ fn, read: readEnvironment, names }) => {
    const set = setVariables(fn(stack));
    const values = Object.fromEntries(Object.entries(set).map(([key, value]) => [key, fakeValue(value, resources)]));
    const read = variablesRead(readEnvironment, { ...values, AWS_REGION: REGION });
    expect(read.filter((key) => !RUNTIME_VARIABLES.has(key))).toEqual(Object.keys(set).sort());
    // The contract's names are the ones the template carries (no second spelling on either side).
    if (names !== undefined) expect(Object.values(names).sort()).toEqual(Object.keys(set).sort());
  });

  it('a parser that misses a variable would be caught: reading nothing is not reading everything', () => {
    const set = setVariables(stack.events.notifier);
    expect(variablesRead(() => undefined, Object.fromEntries(Object.keys(set).map((key) => [key, 'x'])))).toEqual([]);
  });
});
