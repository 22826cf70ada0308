import { describe, expect, it } from 'vitest';
import { CompressedClock } from '../../../src/local/compressed-clock.js';
import { compressTimings, runLocally, type AslDefinition } from '../../../src/local/local-state-machine.js';
import { TaskTokenBroker } from '../../../src/local/task-token-broker.js';

const FN = 'arn:aws:lambda:us-east-1:111111111111:function:step';

/** A start task, a token wait with a 30 s timeout that loops back, a 60 s Wait, then a choice. */
const definition: AslDefinition = {
  StartAt: 'Start',
  States: {
    Start: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: FN, Payload: { 'step': 'start', 'value.$': '$.value' } }, OutputPath: '$.Payload', Next: 'Pause' } as never,
    Pause: { Type: 'Wait', Seconds: 60, Next: 'Review' },
    Review: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: FN, Payload: { 'step': 'review', 'taskToken.$': '$$.Task.Token', 'value.$': '$.value' } },
      TimeoutSeconds: 30,
      ResultPath: '$.review',
      Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'TimedOut' }, { ErrorEquals: ['States.ALL'], Next: 'Rejected' }],
      Next: 'Done',
    } as never,
    Done: { Type: 'Succeed' },
    TimedOut: { Type: 'Fail', Error: 'Review.TimedOut', Cause: 'nobody answered' } as never,
    Rejected: { Type: 'Fail', Error: 'Review.Rejected', Cause: 'rejected' } as never,
  },
};

describe('runLocally', () => {
  const calls: unknown[] = [];
  const lambdaFor = (arn: string) =>
    arn === FN
      ? (payload: unknown) => {
          calls.push(payload);
          return Promise.resolve({ value: (payload as { value: number }).value + 1 });
        }
      : undefined;

  it('runs Lambda tasks in process and waits for a token the broker answers', async () => {
    const broker = new TaskTokenBroker();
    broker.onWaiting((token, purpose) => {
      expect(purpose).toBe('Review');
      void broker.approve(token, 'rehearsal', 'fine');
    });
    const started = performance.now();
    const result = await runLocally({ definition, input: { value: 1 }, lambdaFor, broker, factor: 600 });
    expect(result).toEqual({ kind: 'succeeded', output: { value: 2, review: { decision: 'approved', actor: 'rehearsal', comment: 'fine' } } });
    // The 60-second Wait took a tenth of a second at 600x.
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(calls.at(-1)).toMatchObject({ step: 'review', value: 2 });
    expect((calls.at(-1) as { taskToken: string }).taskToken).toMatch(/^Review:/);
  });

  it('routes a rejection and an unanswered token through the catches of the definition', async () => {
    const rejecting = new TaskTokenBroker();
    rejecting.onWaiting((token) => void rejecting.reject(token, 'sre', 'no'));
    expect(await runLocally({ definition, input: { value: 1 }, lambdaFor, broker: rejecting, factor: 600 })).toMatchObject({ kind: 'failed', cause: expect.stringContaining('rejected') as string });
    const silent = new TaskTokenBroker();
    expect(await runLocally({ definition, input: { value: 1 }, lambdaFor, broker: silent, factor: 600 })).toMatchObject({ kind: 'failed', cause: expect.stringContaining('nobody answered') as string });
  });

  it('times a waiting task out with States.Timeout and then refuses a late answer to its token, as Step Functions does', async () => {
    const { Catch: _catches, ...uncaught } = definition.States.Review as unknown as Record<string, unknown>;
    const timingOut: AslDefinition = { ...definition, States: { ...definition.States, Review: uncaught as never } };
    const silent = new TaskTokenBroker();
    const tokens: string[] = [];
    silent.onWaiting((token) => tokens.push(token));
    expect(await runLocally({ definition: timingOut, input: { value: 1 }, lambdaFor, broker: silent, factor: 600 })).toMatchObject({ kind: 'failed', error: 'States.Timeout' });
    expect(tokens).toHaveLength(1);
    // SendTaskSuccess / SendTaskFailure on a timed-out token answer TaskTimedOut.
    expect(() => silent.approve(tokens[0]!, 'late reviewer')).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
    expect(() => silent.interruptWatch(tokens[0]!, 'some-alarm', 'late')).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
  });

  it('waits a fixed Wait state on the clock when given one, passing its input on, so a skipping clock sees every wait', async () => {
    const sleeps: number[] = [];
    const clock = { sleep: (milliseconds: number) => (sleeps.push(milliseconds), Promise.resolve()) };
    const answering = new TaskTokenBroker();
    answering.onWaiting((token) => void answering.approve(token, 'rehearsal', 'fine'));
    // factor 1: the Wait would take a real minute on a real timer.
    const result = await runLocally({ definition, input: { value: 1 }, lambdaFor, broker: answering, factor: 1, clock });
    expect(result).toMatchObject({ kind: 'succeeded', output: { value: 2 } });
    // The 60-second Wait, then the Review's 30-second timeout, both on the clock.
    expect(sleeps.slice(0, 2)).toEqual([60_000, 30_000]);
  });

  it('refuses a definition that calls a function it has no handler for', async () => {
    await expect(runLocally({ definition, input: {}, lambdaFor: () => undefined, broker: new TaskTokenBroker(), factor: 1 })).rejects.toThrow(/no local handler/);
  });

  it('divides task timeouts by the factor', () => {
    expect(compressTimings(definition, 60).States.Review?.TimeoutSeconds).toBe(0.5);
  });
});

describe('CompressedClock', () => {
  it('runs factor times faster than the injected wall clock', async () => {
    let real = 1_000;
    const clock = new CompressedClock(60, new Date('2026-11-01T00:00:00Z'), () => real);
    real += 1_000;
    expect(clock.now().toISOString()).toBe('2026-11-01T00:01:00.000Z');
    const started = performance.now();
    await clock.sleep(6_000);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(() => new CompressedClock(0.5, new Date())).toThrow(RangeError);
  });
});

describe('CompressedClock held while the emulator is behind', () => {
  it('stands still while held, and a sleep ends only when rehearsal time has passed its end', async () => {
    let real = 0;
    const clock = new CompressedClock(1_000, new Date('2026-11-01T00:00:00Z'), () => real);
    real = 1;
    expect(clock.now().toISOString()).toBe('2026-11-01T00:00:01.000Z');
    clock.hold(true);
    real = 5;
    // Four real milliseconds held: no rehearsal time passed.
    expect(clock.now().toISOString()).toBe('2026-11-01T00:00:01.000Z');
    let ended = false;
    const sleeping = clock.sleep(2_000).then(() => {
      ended = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ended).toBe(false);
    clock.hold(false);
    real = 7;
    await sleeping;
    expect(clock.now().toISOString()).toBe('2026-11-01T00:00:03.000Z');
    // A wall-clock instant inside the hold maps to the held time.
    expect(clock.fromWallClock(Date.now() - 1_000_000).getTime()).toBeLessThan(Date.parse('2026-11-01T00:00:01.000Z'));
  });
});
