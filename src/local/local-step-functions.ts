/**
 * Step Functions' execution API (StartExecution, DescribeExecution, StopExecution) for the state
 * machines of the synthesized templates, each execution run by {@link runLocally} with its Lambda
 * tasks bound by function ARN. Behaviour written down from the Step Functions API reference:
 * - StartExecution: a name is unique per state machine; the same name with the same input while the
 *   first execution runs answers that execution again; another input, or a closed execution, answers
 *   ExecutionAlreadyExists. Names are 1-80 characters without whitespace, brackets, wildcards and
 *   `" # % \ ^ | ~ ` $ & , ; : /` (InvalidName). An unknown state machine is StateMachineDoesNotExist.
 * - DescribeExecution: status RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED, with output or error
 *   and cause; an unknown execution is ExecutionDoesNotExist.
 * - StopExecution: aborts a running execution (status ABORTED); stopping a closed one changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { runLocally, type AslDefinition, type DefinitionClock, type LocalLambda } from './local-state-machine.js';
import type { TaskTokenBroker } from './task-token-broker.js';

/** Error names from the Step Functions API reference that the local service raises. */
export type StepFunctionsErrorName = 'StateMachineDoesNotExist' | 'ExecutionAlreadyExists' | 'ExecutionDoesNotExist' | 'InvalidName' | 'InvalidExecutionInput' | 'InvalidArn';

/** A Step Functions API error: `name` is the `__type` the JSON protocol sends. */
export class StepFunctionsApiError extends Error {
  constructor(
    readonly errorName: StepFunctionsErrorName,
    message: string,
  ) {
    super(message);
    this.name = errorName;
  }
}

type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

interface LocalExecution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: Date;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  readonly stop: AbortController;
  /** Settles when the run has ended and the fields above say how. */
  done: Promise<void>;
}

const INVALID_NAME = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;

/** Control characters (U+0000-001F, U+007F-009F), which a name must not contain either. */
function hasControlCharacter(name: string): boolean {
  for (let index = 0; index < name.length; index += 1) {
    const code = name.charCodeAt(index);
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

/** What the service runs definitions with. */
export interface LocalStepFunctionsOptions {
  /** Definitions by state machine ARN, as the templates give them. */
  readonly stateMachines: ReadonlyMap<string, AslDefinition>;
  /** The Lambda handler a task's function ARN names (looked up when an execution starts). */
  readonly lambdaFor: (functionArn: string) => LocalLambda | undefined;
  readonly broker: TaskTokenBroker;
  readonly factor: number;
  /** Wait states and timeouts are measured on it. @default compressed real timers */
  readonly clock?: DefinitionClock & { now(): Date };
}

/** The local Step Functions executions. */
export class LocalStepFunctions {
  private readonly executions = new Map<string, LocalExecution>();

  constructor(private readonly options: LocalStepFunctionsOptions) {}

  /** Whether `stateMachineArn` is one of the templates' state machines. */
  has(stateMachineArn: string | undefined): boolean {
    return this.options.stateMachines.has(stateMachineArn ?? '');
  }

  private now(): Date {
    return this.options.clock?.now() ?? new Date();
  }

  startExecution(input: { readonly stateMachineArn?: string; readonly name?: string; readonly input?: string }): { executionArn: string; startDate: Date } {
    const stateMachineArn = input.stateMachineArn ?? '';
    const definition = this.options.stateMachines.get(stateMachineArn);
    if (definition === undefined) throw new StepFunctionsApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    const name = input.name ?? randomUUID();
    if (name.length < 1 || name.length > 80 || INVALID_NAME.test(name) || hasControlCharacter(name)) throw new StepFunctionsApiError('InvalidName', `Invalid Name: '${name}'`);
    const text = input.input ?? '{}';
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new StepFunctionsApiError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${text.slice(0, 100)}'`);
    }
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing !== undefined) {
      if (existing.status === 'RUNNING' && existing.input === text) return { executionArn, startDate: existing.startDate };
      throw new StepFunctionsApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const stop = new AbortController();
    const execution: LocalExecution = {
      executionArn,
      stateMachineArn,
      name,
      input: text,
      startDate: this.now(),
      status: 'RUNNING',
      stop,
      done: Promise.resolve(),
    };
    this.executions.set(executionArn, execution);
    execution.done = runLocally({
      definition,
      input: parsed,
      lambdaFor: this.options.lambdaFor,
      broker: this.options.broker,
      factor: this.options.factor,
      signal: stop.signal,
      ...(this.options.clock === undefined ? {} : { clock: this.options.clock }),
    }).then(
      (result) => {
        if (result.kind === 'succeeded') {
          execution.status = 'SUCCEEDED';
          execution.output = JSON.stringify(result.output);
        } else {
          const aborted = result.error === 'States.Aborted' && stop.signal.aborted;
          const timedOut = result.error === 'States.Timeout' && result.cause.startsWith('The execution timed out');
          execution.status = aborted ? 'ABORTED' : timedOut ? 'TIMED_OUT' : 'FAILED';
          execution.error = result.error;
          execution.cause = result.cause;
        }
        execution.stopDate = this.now();
      },
      (error: unknown) => {
        // A definition the runner cannot run (a task with no local handler) fails the execution, as a missing function would.
        execution.status = 'FAILED';
        execution.error = 'States.Runtime';
        execution.cause = error instanceof Error ? error.message : String(error);
        execution.stopDate = this.now();
      },
    );
    return { executionArn, startDate: execution.startDate };
  }

  private require(executionArn: string | undefined): LocalExecution {
    const execution = this.executions.get(executionArn ?? '');
    if (execution === undefined) throw new StepFunctionsApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn ?? ''}'`);
    return execution;
  }

  describeExecution(input: { readonly executionArn?: string }): Record<string, unknown> {
    const execution = this.require(input.executionArn);
    return {
      executionArn: execution.executionArn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: execution.startDate,
      input: execution.input,
      ...(execution.stopDate === undefined ? {} : { stopDate: execution.stopDate }),
      ...(execution.output === undefined ? {} : { output: execution.output }),
      ...(execution.error === undefined ? {} : { error: execution.error }),
      ...(execution.cause === undefined ? {} : { cause: execution.cause }),
    };
  }

  stopExecution(input: { readonly executionArn?: string }): { stopDate: Date } {
    const execution = this.require(input.executionArn);
    if (execution.status === 'RUNNING') execution.stop.abort();
    return { stopDate: execution.stopDate ?? this.now() };
  }

  /** How many executions run now. */
  running(): number {
    return [...this.executions.values()].filter((execution) => execution.status === 'RUNNING').length;
  }

  /** Resolves once no execution runs (those started meanwhile included). */
  async settled(): Promise<void> {
    for (;;) {
      const running = [...this.executions.values()].filter((execution) => execution.status === 'RUNNING');
      if (running.length === 0) return;
      await Promise.all(running.map((execution) => execution.done));
    }
  }
}
