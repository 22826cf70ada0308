/**
 * What `npm start` says about its own cost: the emulator's calls and busy time per rehearsal step
 * (counted from the endpoint's load reports), and the last line with the whole time and peak memory.
 */
import { describe, expect, it } from 'vitest';
import { formatMainJobCost } from '../../../src/rehearsal/rehearsal-phase.js';
import { upstreamOperation } from '../../../src/local/codepipeline/codepipeline-endpoint.js';
import { EmulatorLoad, Pace } from '../../../src/rehearsal/world/rehearsal-world.js';

describe('EmulatorLoad', () => {
  it('counts each call once and the time at least one call waited, overlapping calls counted once', () => {
    let now = 0;
    const load = new EmulatorLoad(() => now);
    load.report(1); // a call starts at 0
    now = 10;
    load.report(2); // a second overlaps it
    now = 30;
    load.report(1);
    now = 40;
    load.report(0); // idle from 40
    now = 100;
    load.report(1); // a third call 100..105
    now = 105;
    load.report(0);
    expect(load.calls).toBe(3);
    expect(load.busy()).toBe(45);
  });

  it('includes a call still waiting in the busy time', () => {
    let now = 0;
    const load = new EmulatorLoad(() => now);
    load.report(1);
    now = 7;
    expect(load.busy()).toBe(7);
    expect(load.calls).toBe(1);
  });
});

describe('EmulatorLoad by operation', () => {
  it('counts calls per operation and names the busiest first', () => {
    const load = new EmulatorLoad(() => 0);
    for (const operation of ['sns.Publish', 'DynamoDB_20120810.Query', 'DynamoDB_20120810.Query', 'AmazonSQS.ReceiveMessage', 'DynamoDB_20120810.Query', 'sns.Publish']) load.called(operation);
    expect(load.busiest(2)).toEqual([
      { operation: 'DynamoDB_20120810.Query', calls: 3 },
      { operation: 'sns.Publish', calls: 2 },
    ]);
  });
});

describe('upstreamOperation', () => {
  const signed = 'AWS4-HMAC-SHA256 Credential=rehearsal/20261207/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=00';
  it.each([
    ['a JSON protocol target', { method: 'POST', url: '/', headers: { 'x-amz-target': 'DynamoDB_20120810.Query' } }, '', 'DynamoDB_20120810.Query'],
    ['a Smithy RPC v2 CBOR path', { method: 'POST', url: '/service/GraniteServiceVersion20100801/operation/DescribeAlarms', headers: {} }, '', 'GraniteServiceVersion20100801.DescribeAlarms'],
    ['a query-protocol form with the service from the signature', { method: 'POST', url: '/', headers: { authorization: signed } }, 'Action=Publish&Version=2010-03-31&TopicArn=arn', 'sns.Publish'],
    ['anything else by service and method', { method: 'GET', url: '/bucket/key', headers: { authorization: signed.replace('/sns/', '/s3/') } }, '', 's3 GET'],
  ])('names %s', (_what, request, body, expected) => {
    expect(upstreamOperation(request, Buffer.from(body))).toBe(expected);
  });
});

describe('Pace', () => {
  it('keeps rehearsal time held while an action works, even when an emulator call ends meanwhile', () => {
    const holds: boolean[] = [];
    const pace = new Pace({ hold: (held) => holds.push(held), active: () => undefined });
    pace.work(1);
    pace.emulatorWaiting(1);
    pace.emulatorWaiting(0);
    expect(holds.at(-1)).toBe(true);
    pace.work(-1);
    expect(holds.at(-1)).toBe(false);
  });

  it('keeps it held while a call waits on the emulator, even when an action ends meanwhile', () => {
    const holds: boolean[] = [];
    const pace = new Pace({ hold: (held) => holds.push(held), active: () => undefined });
    pace.emulatorWaiting(2);
    pace.work(1);
    pace.work(-1);
    expect(holds.at(-1)).toBe(true);
    pace.emulatorWaiting(0);
    expect(holds.at(-1)).toBe(false);
  });

  it('says something is in flight while a request, an emulator call or an action is, and only then', () => {
    const active: boolean[] = [];
    const pace = new Pace({ hold: () => undefined, active: (inFlight) => active.push(inFlight) });
    pace.requestsInFlight(1);
    expect(active.at(-1)).toBe(true);
    pace.work(1);
    pace.requestsInFlight(0);
    expect(active.at(-1)).toBe(true);
    pace.emulatorWaiting(1);
    pace.work(-1);
    expect(active.at(-1)).toBe(true);
    pace.emulatorWaiting(0);
    expect(active.at(-1)).toBe(false);
  });
});

describe('formatMainJobCost', () => {
  it('names the whole time and the peak memory of the process tree', () => {
    expect(formatMainJobCost(58_432, 812.6)).toBe('\nnpm start: 58.4 s in all, peak resident memory 813 MiB (the process tree: synthesis, gates, emulator, rehearsal).');
  });

  it('says the memory was not measured rather than printing a number it does not have', () => {
    expect(formatMainJobCost(1000, undefined)).toContain('peak memory not measured');
  });
});
