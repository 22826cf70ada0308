import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, describe, expect, it } from 'vitest';
import { asCaller, readRehearsalCalls, recordRehearsalCalls } from '../../src/local/iam/rehearsal-calls.js';
import { CALL_LOG_VARIABLE } from '../../src/shared/aws/call-recorder.js';
import { FUNCTION_CALLERS } from '../../src/shared/aws/callers.js';
import { motoClientConfig } from '../support/moto.js';

describe('the rehearsal\'s opt-in call recorder', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'kiro-rehearsal-calls-'));
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('attributes each call on a shared client to the function whose invocation made it, and records nothing outside one', async () => {
    const file = join(scratch, 'calls.jsonl');
    const client = recordRehearsalCalls(new CloudWatchClient(motoClientConfig()), { [CALL_LOG_VARIABLE]: file });
    await client.send(new DescribeAlarmsCommand({ AlarmNames: ['outside'] }));
    await Promise.all([
      asCaller(FUNCTION_CALLERS.healthMonitorStep, async () => {
        await Promise.resolve();
        await client.send(new DescribeAlarmsCommand({ AlarmNames: ['monitor'] }));
      }),
      asCaller(FUNCTION_CALLERS.alarmStateChange, () => client.send(new DescribeAlarmsCommand({ AlarmNames: ['alarm-handler'] }))),
    ]);
    const calls = readRehearsalCalls(file).map((call) => `${call.caller} ${JSON.stringify((call.input as { AlarmNames: string[] }).AlarmNames)}`).sort();
    expect(calls).toEqual([`${FUNCTION_CALLERS.alarmStateChange} ["alarm-handler"]`, `${FUNCTION_CALLERS.healthMonitorStep} ["monitor"]`].sort());
  });

  it('leaves the client untouched without KIRO_CD_CALL_LOG, and reads no calls from a missing file', async () => {
    const client = new CloudWatchClient(motoClientConfig());
    const before = JSON.stringify((client.middlewareStack as unknown as { identify(): string[] }).identify());
    recordRehearsalCalls(client, {});
    expect(JSON.stringify((client.middlewareStack as unknown as { identify(): string[] }).identify())).toBe(before);
    await client.send(new DescribeAlarmsCommand({}));
    expect(readRehearsalCalls(join(scratch, 'absent.jsonl'))).toEqual([]);
  });

  it('names the line of a broken file', () => {
    const file = join(scratch, 'broken.jsonl');
    writeFileSync(file, '{"caller":"x","service":"SNS","operation":"Publish","input":{}}\nnot json\n');
    expect(() => readRehearsalCalls(file)).toThrow(/broken\.jsonl line 2 is not a recorded call/);
    expect(readFileSync(file, 'utf8')).toContain('not json');
  });
});
