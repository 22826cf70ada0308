/**
 * Runs a synthesized Step Functions definition locally with aws-local-stepfunctions: every Lambda
 * task calls the real handler in process, `.waitForTaskToken` tasks wait on the local token broker,
 * and the definition's own timings (task timeouts, Wait states) are divided by the rehearsal's time
 * compression factor, the same factor its clock runs faster by. When a {@link DefinitionClock} is
 * given, every Wait state (fixed `Seconds` or `SecondsPath`, the rollback loop's) and every Task
 * state's `Retry` interval waits on it, so the rehearsal clock sees every wait and can skip idle time
 * without overtaking one.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import { MalformedInputError } from '../shared/errors.js';
import { withRetries, type Retrier } from './step-functions-retry.js';
import { TaskFailure, type TaskTokenBroker } from './task-token-broker.js';
import './promise-with-resolvers.js';

/** A Lambda handler as the state machine calls it: the task's payload in, the result out. */
export type LocalLambda = (payload: unknown) => Promise<unknown>;

/** The states of a definition (top level), as far as this runner reads them. */
interface StateDefinition {
  readonly Type: string;
  readonly Resource?: string;
  readonly Parameters?: { readonly FunctionName?: string; readonly Payload?: unknown };
  readonly TimeoutSeconds?: number;
  readonly HeartbeatSeconds?: number;
  readonly Seconds?: number;
  readonly SecondsPath?: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Retry?: readonly Retrier[];
}

/** An Amazon States Language definition. */
export interface AslDefinition {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, StateDefinition>>;
  readonly TimeoutSeconds?: number;
}

/** Parses a definition string (from a resolved `DefinitionString`), rejecting what is not ASL. */
export function parseDefinition(text: string): AslDefinition {
  const parsed = JSON.parse(text) as Partial<AslDefinition>;
  if (typeof parsed.StartAt !== 'string' || typeof parsed.States !== 'object') {
    throw new MalformedInputError('The state machine definition has no StartAt or States; is it an Amazon States Language document?', {});
  }
  return parsed as AslDefinition;
}

/** The definition with every timeout divided by `factor` (fractions of a second are kept). */
export function compressTimings(definition: AslDefinition, factor: number): AslDefinition {
  const states = Object.fromEntries(
    Object.entries(definition.States).map(([name, state]) => [
      name,
      {
        ...state,
        ...(state.TimeoutSeconds === undefined ? {} : { TimeoutSeconds: state.TimeoutSeconds / factor }),
        ...(state.HeartbeatSeconds === undefined ? {} : { HeartbeatSeconds: state.HeartbeatSeconds / factor }),
      },
    ]),
  );
  return { ...definition, States: states, ...(definition.TimeoutSeconds === undefined ? {} : { TimeoutSeconds: definition.TimeoutSeconds / factor }) };
}

/** The outcome of one local execution. */
export type LocalExecutionResult =
  | { readonly kind: 'succeeded'; readonly output: unknown }
  | { readonly kind: 'failed'; readonly error: string; readonly cause: string };

/** Time the definition's timeouts run on: when given, they are measured on this clock instead of compressed real timers. */
export interface DefinitionClock {
  sleep(milliseconds: number, signal?: AbortSignal): Promise<void>;
}

/** The value at a plain `$.a.b` path (the only form the project's definitions use for SecondsPath). */
function valueAt(input: unknown, path: string): unknown {
  const keys = path.startsWith('$.') ? path.slice(2).split('.') : [];
  if (keys.length === 0 || keys.some((key) => !/^[A-Za-z0-9_]+$/.test(key))) throw new MalformedInputError(`The local runner reads only plain "$.field" paths, not ${path}.`, { path });
  return keys
    .reduce<unknown>((value, key) => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined), input);
}

/**
 * A Wait state the runner times itself (`SecondsPath`; any Wait on a clock) becomes a local task that
 * waits that long and passes its input on unchanged, as the Wait state does: the library's overrides
 * take only fixed real times per state.
 */
function withWaitsAsTasks(definition: AslDefinition, timedHere: (stateName: string) => boolean): AslDefinition {
  const states = Object.fromEntries(
    Object.entries(definition.States).map(([name, state]) => {
      if (state.Type !== 'Wait' || !timedHere(name)) return [name, state];
      const task: StateDefinition = { Type: 'Task', Resource: `arn:aws:lambda:local:000000000000:function:wait-${name}`, ...(state.Next === undefined ? {} : { Next: state.Next }), ...(state.End === undefined ? {} : { End: state.End }) };
      return [name, task];
    }),
  );
  return { ...definition, States: states };
}

/**
 * The definition without the timeouts and Task retriers the runner measures on a
 * {@link DefinitionClock} itself: the library would wait a `Retry` interval on a real timer, unseen
 * by the clock, so a skip could overtake it.
 */
function withoutTimeouts(definition: AslDefinition): AslDefinition {
  const states = Object.fromEntries(
    Object.entries(definition.States).map(([name, state]) => {
      // The library reads a present `Retry` key even when it is undefined: leave it out (only Task states have one here).
      const { Retry: _retriedHere, ...rest } = state;
      return [name, { ...rest, TimeoutSeconds: undefined }];
    }),
  );
  return { ...definition, States: states, TimeoutSeconds: undefined };
}

/**
 * Executes `definition` once. `lambdaFor` maps a task's function (ARN or name, as in the template)
 * to its in-process handler; a task whose function it does not know fails the run loudly. With a
 * `clock`, a task's `TimeoutSeconds` and the execution's own `TimeoutSeconds` are measured on it
 * (a timed-out task fails with `States.Timeout`, its token expired, as Step Functions does): the
 * rehearsal's clock, which stands still while the emulator is behind, then times the definition too.
 */
export async function runLocally(options: {
  readonly definition: AslDefinition;
  readonly input: unknown;
  readonly lambdaFor: (functionArn: string) => LocalLambda | undefined;
  readonly broker: TaskTokenBroker;
  readonly factor: number;
  /** Aborting stops the execution (as StopExecution would): it ends `failed` with error `States.Aborted`. */
  readonly signal?: AbortSignal;
  readonly clock?: DefinitionClock;
}): Promise<LocalExecutionResult> {
  const { definition, broker, factor, clock } = options;
  const timers = new AbortController();
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  const waits: Record<string, number> = {};
  /** A Wait state run as a local task: waits its seconds (on the clock when given) and passes its input on unchanged. */
  const waitThenPassOn =
    (secondsOf: (input: unknown) => number) =>
    async (waitInput: unknown): Promise<unknown> => {
      const milliseconds = secondsOf(waitInput) * 1000;
      if (clock !== undefined) await clock.sleep(milliseconds, timers.signal);
      else await new Promise((resolve) => setTimeout(resolve, milliseconds / factor));
      return waitInput;
    };
  for (const [name, state] of Object.entries(definition.States)) {
    if (clock !== undefined && state.Retry !== undefined && state.Type !== 'Task') {
      throw new MalformedInputError(`State "${name}" (${state.Type}) has a Retry; with a clock the local runner times retries of Task states only.`, { state: name });
    }
    if (state.Type === 'Wait' && typeof state.Seconds === 'number') {
      const seconds = state.Seconds;
      // On a clock the runner waits it (the clock must see every wait); otherwise the library's compressed timer does.
      if (clock !== undefined) handlers[name] = waitThenPassOn(() => seconds);
      else waits[name] = (seconds * 1000) / factor;
      continue;
    }
    if (state.Type === 'Wait' && state.SecondsPath !== undefined) {
      const path = state.SecondsPath;
      handlers[name] = waitThenPassOn((waitInput) => {
        const seconds = valueAt(waitInput, path);
        // Step Functions fails the execution when SecondsPath does not resolve to a non-negative integer.
        if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) throw new TaskFailure('States.Runtime', `Wait state ${name}: ${path} is ${JSON.stringify(seconds)}, not a non-negative integer.`);
        return seconds;
      });
      continue;
    }
    if (state.Type !== 'Task' || state.Resource === undefined) continue;
    const waitsForToken = state.Resource.endsWith('.waitForTaskToken');
    const target = state.Resource.startsWith('arn:aws:states:::lambda:invoke') ? state.Parameters?.FunctionName : state.Resource;
    const lambda = target === undefined ? undefined : options.lambdaFor(target);
    if (lambda === undefined) {
      throw new MalformedInputError(`State "${name}" calls ${target ?? state.Resource}, which the rehearsal has no local handler for.`, { state: name });
    }
    const attempt = async (taskInput: unknown): Promise<unknown> => {
      // A `lambda:invoke` task passes { FunctionName, Payload }; a direct Lambda ARN passes the payload itself.
      const viaInvoke = state.Resource?.startsWith('arn:aws:states:::lambda:invoke') === true;
      const payload = viaInvoke ? (taskInput as { Payload?: unknown }).Payload : taskInput;
      // The `lambda:invoke` integration answers the Invoke API's response, the function's result under `Payload`.
      if (!waitsForToken) return viaInvoke ? { ExecutedVersion: '$LATEST', Payload: await lambda(payload), StatusCode: 200 } : lambda(payload);
      if (clock === undefined || state.TimeoutSeconds === undefined) {
        // The token expires with the task's (compressed) timeout, so a late answer is refused as Step Functions refuses it.
        const { token, answered } = broker.issue(name, state.TimeoutSeconds === undefined ? undefined : (state.TimeoutSeconds * 1000) / factor);
        await lambda({ ...(payload as Record<string, unknown>), taskToken: token });
        broker.announce(token, name);
        return answered;
      }
      const timeoutSeconds = state.TimeoutSeconds;
      const { token, answered } = broker.issue(name);
      await lambda({ ...(payload as Record<string, unknown>), taskToken: token });
      broker.announce(token, name);
      const timedOut = clock.sleep(timeoutSeconds * 1000, timers.signal).then(() => {
        if (timers.signal.aborted) return new Promise<never>(() => undefined);
        broker.expire(token);
        throw new TaskFailure('States.Timeout', `Task ${name} timed out after ${timeoutSeconds} s.`);
      });
      return Promise.race([answered, timedOut]);
    };
    const retriers = state.Retry;
    if (clock === undefined || retriers === undefined || retriers.length === 0) {
      handlers[name] = attempt;
      continue;
    }
    // Each attempt runs afresh (a new token, its own timeout); the intervals between them are rehearsal time.
    handlers[name] = (taskInput: unknown): Promise<unknown> =>
      withRetries(retriers, () => attempt(taskInput), async (milliseconds) => {
        await clock.sleep(milliseconds, timers.signal);
        // The execution ended meanwhile (stopped, timed out): no attempt after it.
        if (timers.signal.aborted) await new Promise<never>(() => undefined);
      });
  }
  // The Wait states given a handler above are the ones the runner times itself.
  const runnable = withWaitsAsTasks(clock === undefined ? compressTimings(definition, factor) : withoutTimeouts(definition), (name) => handlers[name] !== undefined);
  const machine = new StateMachine(runnable as never, { validationOptions: { noValidate: true } });
  const execution = machine.run(options.input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides: waits },
    context: { Task: { Token: 'issued-by-the-local-broker' } },
  });
  const stop = (): void => {
    execution.abort();
  };
  if (options.signal?.aborted === true) stop();
  options.signal?.addEventListener('abort', stop, { once: true });
  const executionTimeout = { timedOut: false };
  if (clock !== undefined && definition.TimeoutSeconds !== undefined) {
    const seconds = definition.TimeoutSeconds;
    void clock.sleep(seconds * 1000, timers.signal).then(() => {
      if (timers.signal.aborted) return;
      executionTimeout.timedOut = true;
      stop();
    });
  }
  try {
    const output: unknown = await execution.result;
    return { kind: 'succeeded', output };
  } catch (error) {
    if (executionTimeout.timedOut) return { kind: 'failed', error: 'States.Timeout', cause: `The execution timed out after ${definition.TimeoutSeconds ?? 0} s.` };
    if (options.signal?.aborted === true) return { kind: 'failed', error: 'States.Aborted', cause: 'The execution was stopped: the action that started it ended.' };
    // The library wraps what failed the execution (a Fail state's Error and Cause, or an uncaught
    // task error such as States.Timeout) in an ExecutionError: report the inner error, as
    // Step Functions reports an execution's error and cause.
    const wrapper = error as { name?: string; message?: string; cause?: unknown };
    const failure = (wrapper.name === 'ExecutionError' && wrapper.cause instanceof Error ? wrapper.cause : wrapper) as { name?: string; message?: string };
    return { kind: 'failed', error: failure.name ?? 'Error', cause: failure.message ?? String(error) };
  } finally {
    timers.abort();
    options.signal?.removeEventListener('abort', stop);
  }
}
