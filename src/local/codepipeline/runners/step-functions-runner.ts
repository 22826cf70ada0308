/**
 * The Step Functions invoke action, run locally: the action's `StateMachineArn` names a state
 * machine of the synthesized templates, whose definition runs with aws-local-stepfunctions; its
 * Lambda tasks are bound by function ARN (an unknown ARN fails the action loudly). The action's
 * `Input` (InputType Literal) is the execution input; the action succeeds when the execution does
 * ([Step Functions invoke action](https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-StepFunctions.html)).
 * When CodePipeline abandons the action (timeout, stop), the execution is stopped too.
 */
import { runLocally, type AslDefinition, type DefinitionClock, type LocalLambda } from '../../local-state-machine.js';
import type { TaskTokenBroker } from '../../task-token-broker.js';
import type { ActionRunner } from '../action-runner.js';

/** What the runner is wired from: definitions and Lambda handlers by ARN, as the templates name them. */
export interface StepFunctionsRunnerOptions {
  readonly stateMachines: ReadonlyMap<string, AslDefinition>;
  readonly lambdas: ReadonlyMap<string, LocalLambda>;
  readonly broker: TaskTokenBroker;
  /** How much faster than the wall clock pipeline time runs. */
  readonly factor: number;
  /** The pipeline's clock: the definition's timeouts are measured on it. @default compressed real timers */
  readonly clock?: DefinitionClock;
}

/** The runner for `Invoke/StepFunctions` actions. */
export function stepFunctionsRunner(options: StepFunctionsRunnerOptions): ActionRunner {
  return async (invocation) => {
    const arn = invocation.configuration.StateMachineArn ?? '';
    const definition = options.stateMachines.get(arn);
    if (definition === undefined) return { status: 'Failed', summary: `No state machine ${arn} in the synthesized templates.` };
    if ((invocation.configuration.InputType ?? 'Literal') !== 'Literal') return { status: 'Failed', summary: `InputType ${invocation.configuration.InputType ?? ''} is not run locally (only Literal).` };
    let input: unknown;
    try {
      input = JSON.parse(invocation.configuration.Input ?? '{}');
    } catch {
      return { status: 'Failed', summary: `The action's Input is not JSON: ${invocation.configuration.Input ?? ''}` };
    }
    const result = await runLocally({ definition, input, lambdaFor: (functionArn) => options.lambdas.get(functionArn), broker: options.broker, factor: options.factor, signal: invocation.signal, ...(options.clock === undefined ? {} : { clock: options.clock }) });
    return result.kind === 'succeeded'
      ? { status: 'Succeeded', summary: `${invocation.configuration.ExecutionNamePrefix ?? 'execution'} succeeded`, outputVariables: {} }
      : { status: 'Failed', summary: `${result.error}: ${result.cause}` };
  };
}
