/**
 * The health monitor's Lambda tasks are bound by the function ARN the synthesized definition
 * names: the binding must say which function that is, and refuse a definition whose task calls a
 * function the template does not hold (issue 10: `lambdaFor` ignored the ARN).
 */
import { describe, expect, it } from 'vitest';
import { findRuntimeBinding } from '../../../src/rehearsal/runtime-binding.js';
import { resolutionContextFor, type SynthesizedStack } from '../../../src/local/synthesized-templates.js';

function runtimeStack(taskFunction: unknown): SynthesizedStack {
  const environment = { HISTORY_TABLE_NAME: 'history', LEDGER_TABLE_NAME: 'ledger', TEAM_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:team', ENVIRONMENT_TOPIC_ARNS: '{}' };
  const definition = { StartAt: 'WatchUntilNextCheck', States: { WatchUntilNextCheck: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: '__FN__', Payload: {} }, End: true } } };
  const [before, after] = JSON.stringify(definition).split('"__FN__"') as [string, string];
  return {
    artifactId: 'KiroCd-PipelineRuntime',
    stage: '',
    stackName: 'KiroCd-PipelineRuntime',
    templateFile: 'runtime.template.json',
    outputs: {},
    resources: {
      MonitorFunction: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: environment } } },
      Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: { DefinitionString: { 'Fn::Join': ['', [before, '"', taskFunction, '"', after]] } } },
    },
  };
}

function bind(stack: SynthesizedStack): ReturnType<typeof findRuntimeBinding> {
  return findRuntimeBinding([stack], { [stack.stackName]: resolutionContextFor(stack, { region: 'us-east-1', account: '123456789012' }) });
}

describe('findRuntimeBinding', () => {
  it("binds the health monitor's Lambda tasks to the function of the template that the definition names, by its ARN", () => {
    const found = bind(runtimeStack({ 'Fn::GetAtt': ['MonitorFunction', 'Arn'] }));
    expect(found.kind).toBe('found');
    if (found.kind !== 'found') return;
    expect(found.binding.healthMonitorFunctionArn).toBe('arn:aws:lambda:us-east-1:123456789012:function:KiroCd-PipelineRuntime-MonitorFunction');
  });

  it('refuses a definition whose task calls a function the template does not hold', () => {
    const found = bind(runtimeStack('arn:aws:lambda:us-east-1:123456789012:function:somebody-else'));
    expect(found).toMatchObject({ kind: 'missing', missing: [expect.stringContaining('somebody-else') as string] });
  });
});
