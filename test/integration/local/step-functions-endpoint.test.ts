/**
 * Step Functions' execution API on the one local endpoint, over the real protocol (the SDK's SFN
 * client, JSON 1.0): StartExecution runs the template's definition locally (moto would store the
 * execution and never run it), DescribeExecution reports how it ended, a taken name and an unknown
 * state machine answer the errors the API reference names, and other calls still reach moto.
 */
import { DescribeExecutionCommand, ExecutionAlreadyExists, ListStateMachinesCommand, SFNClient, StartExecutionCommand, StateMachineDoesNotExist, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAwsEndpoint, type LocalAwsEndpoint } from '../../../src/local/codepipeline/codepipeline-endpoint.js';
import type { AslDefinition } from '../../../src/local/local-state-machine.js';
import { LocalStepFunctions } from '../../../src/local/local-step-functions.js';
import { TaskTokenBroker } from '../../../src/local/task-token-broker.js';
import { motoEndpoint, TEST_CREDENTIALS, TEST_REGION } from '../../support/moto.js';
import { declaration, localPipeline } from '../../unit/local/codepipeline/pipeline-fixture.js';

const MACHINE = `arn:aws:states:${TEST_REGION}:111111111111:stateMachine:loop`;
const FUNCTION = `arn:aws:lambda:${TEST_REGION}:111111111111:function:step`;
/** A step, a Choice and a Wait by SecondsPath: the rollback state machine's shape. */
const definition: AslDefinition = JSON.parse(
  JSON.stringify({
    StartAt: 'Step',
    States: {
      Step: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: FUNCTION, 'Payload.$': '$' }, OutputPath: '$.Payload', Next: 'Done?' },
      'Done?': { Type: 'Choice', Choices: [{ Variable: '$.left', NumericEquals: 0, Next: 'End' }], Default: 'Wait' },
      Wait: { Type: 'Wait', SecondsPath: '$.wait', Next: 'Step' },
      End: { Type: 'Succeed' },
    },
  }),
) as AslDefinition;

describe('Step Functions executions on the local endpoint', () => {
  const { pipeline } = localPipeline(declaration([]));
  let endpoint: LocalAwsEndpoint;
  let client: SFNClient;
  const payloads: unknown[] = [];

  beforeAll(async () => {
    const stepFunctions = new LocalStepFunctions({
      stateMachines: new Map([[MACHINE, definition]]),
      lambdaFor: (arn) =>
        arn === FUNCTION
          ? (payload) => {
              payloads.push(payload);
              const { left } = payload as { left: number };
              return Promise.resolve({ left: left - 1, wait: left > 1 ? 600 : 0 });
            }
          : undefined,
      broker: new TaskTokenBroker(),
      // Ten minutes of Wait state in 10 ms.
      factor: 60_000,
    });
    endpoint = await startLocalAwsEndpoint({ pipeline, upstream: motoEndpoint(), account: '111111111111', region: TEST_REGION, stepFunctions });
    client = new SFNClient({ endpoint: endpoint.endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  });
  afterAll(async () => {
    await endpoint.close();
  });

  it('runs the definition: step, wait by SecondsPath, step ... until done, and describes the ended execution', async () => {
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: MACHINE, name: 'three-steps', input: JSON.stringify({ left: 3 }) }));
    expect(executionArn).toBe(`arn:aws:states:${TEST_REGION}:111111111111:execution:loop:three-steps`);
    for (let polls = 0; polls < 100; polls += 1) {
      const described = await client.send(new DescribeExecutionCommand({ executionArn }));
      if (described.status !== 'RUNNING') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const ended = await client.send(new DescribeExecutionCommand({ executionArn }));
    expect(ended).toMatchObject({ status: 'SUCCEEDED', name: 'three-steps', stateMachineArn: MACHINE });
    expect(JSON.parse(ended.output ?? '{}')).toEqual({ left: 0, wait: 0 });
    expect(ended.stopDate).toBeInstanceOf(Date);
    expect(payloads).toEqual([{ left: 3 }, { left: 2, wait: 600 }, { left: 1, wait: 600 }]);
    expect(endpoint.stepFunctionsCalls).toContain('StartExecution');
  });

  it('answers ExecutionAlreadyExists for a taken name with another input, and StateMachineDoesNotExist for a stranger', async () => {
    await client.send(new StartExecutionCommand({ stateMachineArn: MACHINE, name: 'taken', input: JSON.stringify({ left: 1 }) }));
    await expect(client.send(new StartExecutionCommand({ stateMachineArn: MACHINE, name: 'taken', input: JSON.stringify({ left: 2 }) }))).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    await expect(client.send(new StartExecutionCommand({ stateMachineArn: `${MACHINE}-other`, name: 'x', input: '{}' }))).rejects.toBeInstanceOf(StateMachineDoesNotExist);
  });

  it('stops a running execution (ABORTED), and passes every other Step Functions call on to moto', async () => {
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: MACHINE, name: 'long', input: JSON.stringify({ left: 1000 }) }));
    await client.send(new StopExecutionCommand({ executionArn }));
    for (let polls = 0; polls < 100 && (await client.send(new DescribeExecutionCommand({ executionArn }))).status === 'RUNNING'; polls += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await client.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('ABORTED');
    expect((await client.send(new ListStateMachinesCommand({}))).stateMachines).toEqual([]);
  });
});
