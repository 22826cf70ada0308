import { describe, expect, it } from 'vitest';
import { stepFunctionsRunner } from '../../../../src/local/codepipeline/runners/step-functions-runner.js';
import type { AslDefinition } from '../../../../src/local/local-state-machine.js';
import { TaskTokenBroker } from '../../../../src/local/task-token-broker.js';
import { action, declaration, FACTOR, localPipeline, stage, startAndSettle } from './pipeline-fixture.js';

const MACHINE = 'arn:aws:states:us-east-1:111111111111:stateMachine:monitor';
const KNOWN = 'arn:aws:lambda:us-east-1:111111111111:function:monitor';

function definition(functionArn: string, waitSeconds: number): AslDefinition {
  return {
    StartAt: 'Bake',
    States: {
      Bake: { Type: 'Wait', Seconds: waitSeconds, Next: 'Check' },
      Check: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: functionArn, Payload: { 'environment.$': '$.environment' } }, End: true },
    },
  };
}

function run(machine: AslDefinition) {
  const calls: unknown[] = [];
  const runner = stepFunctionsRunner({
    stateMachines: new Map([[MACHINE, machine]]),
    lambdas: new Map([[KNOWN, (payload: unknown) => Promise.resolve(void calls.push(payload))]]),
    broker: new TaskTokenBroker(),
    factor: FACTOR,
  });
  const health = action('HealthCheck', { category: 'Invoke', provider: 'StepFunctions', configuration: { StateMachineArn: MACHINE, Input: '{"environment":"staging","executionId":"#{codepipeline.PipelineExecutionId}"}', InputType: 'Literal' } });
  const { pipeline } = localPipeline(declaration([stage('Staging', [health])]), { HealthCheck: (invocation) => runner(invocation) });
  return { pipeline, calls };
}

describe('the Step Functions action runner', () => {
  it('runs the named definition with the resolved Input, its Lambda tasks bound by ARN', async () => {
    const { pipeline, calls } = run(definition(KNOWN, 60));
    const id = await startAndSettle(pipeline);
    expect(pipeline.executions.get(id)?.status).toBe('Succeeded');
    expect(calls).toEqual([{ environment: 'staging' }]);
  });

  it('fails the action loudly when a task calls a function the templates do not hold', async () => {
    const { pipeline, calls } = run(definition('arn:aws:lambda:us-east-1:111111111111:function:stranger', 60));
    await startAndSettle(pipeline);
    expect(pipeline.actionExecutions.find((record) => record.actionName === 'HealthCheck')).toMatchObject({ status: 'Failed', summary: expect.stringContaining('function:stranger') as string });
    expect(calls).toEqual([]);
  });

  it('stops the state machine when the action times out, so nothing it would do later happens', async () => {
    const { pipeline, calls } = run(definition(KNOWN, 2 * 60 * 60));
    await startAndSettle(pipeline);
    await new Promise((resolve) => setTimeout(resolve, (2 * 60 * 60 * 1000) / FACTOR + 50));
    expect(pipeline.actionExecutions.find((record) => record.actionName === 'HealthCheck')?.summary).toContain('timed out after 60 minute(s)');
    expect(calls).toEqual([]);
  });
});
