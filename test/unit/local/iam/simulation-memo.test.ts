import { describe, expect, it } from 'vitest';
import type { AuthorizationRequest } from '../../../../src/local/iam/call-requests.js';
import { SimulationMemo, type SimulationInput } from '../../../../src/local/iam/simulation-memo.js';
import type { PolicyDocument } from '../../../../src/local/iam/synthesized-iam.js';

const ROLE = 'arn:aws:iam::111111111111:role/recorder';
const TABLE = 'arn:aws:dynamodb:us-east-1:111111111111:table/history';
const grant = (...actions: string[]): PolicyDocument => ({ Statement: actions.map((action) => ({ Effect: 'Allow', Action: action, Resource: TABLE })) });
const put: AuthorizationRequest = { action: 'dynamodb:PutItem', resource: TABLE, resourceAccount: '111111111111' };
const base: SimulationInput = { principal: ROLE, identityPolicies: [{ name: 'Runtime/Policy', document: grant('dynamodb:PutItem', 'dynamodb:Query') }], request: put, resourcePolicy: undefined };

/** Asks `memo` for `inputs` in order; returns how many times the simulation ran. */
async function simulations(inputs: readonly SimulationInput[], memo = new SimulationMemo<string>()): Promise<number> {
  let runs = 0;
  for (const input of inputs) {
    await memo.remember(input, () => {
      runs += 1;
      return Promise.resolve('Allowed');
    });
  }
  return runs;
}

describe('SimulationMemo: one simulation per distinct input', () => {
  it.each([
    { why: 'the same input again', second: base, runs: 1 },
    { why: 'an equal copy of the model (each weakened model copies the roles it searched)', second: { ...base, identityPolicies: [{ name: 'Runtime/Policy', document: grant('dynamodb:PutItem', 'dynamodb:Query') }], request: { ...put } }, runs: 1 },
    { why: 'a statement taken out of the identity policy', second: { ...base, identityPolicies: [{ name: 'Runtime/Policy', document: grant('dynamodb:Query') }] }, runs: 2 },
    { why: 'another principal with the same policies', second: { ...base, principal: 'arn:aws:iam::222222222222:role/recorder' }, runs: 2 },
    { why: 'a second identity policy', second: { ...base, identityPolicies: [...base.identityPolicies, { name: 'Runtime/Other', document: grant('sns:Publish') }] }, runs: 2 },
    { why: 'another action', second: { ...base, request: { ...put, action: 'dynamodb:Query' } }, runs: 2 },
    { why: 'another resource', second: { ...base, request: { ...put, resource: `${TABLE}-2` } }, runs: 2 },
    { why: 'another resource account', second: { ...base, request: { ...put, resourceAccount: '222222222222' } }, runs: 2 },
    { why: 'the engine for an action beyond the reference', second: { ...base, request: { ...put, beyondReference: true } }, runs: 2 },
    { why: 'a context key', second: { ...base, request: { ...put, context: { 's3:ResourceAccount': '111111111111' } } }, runs: 2 },
    { why: 'a resource policy where there was none', second: { ...base, resourcePolicy: grant('dynamodb:PutItem') }, runs: 2 },
  ])('$why: $runs simulation(s)', async ({ second, runs }) => {
    expect(await simulations([base, second])).toBe(runs);
  });

  it('tells resource policies apart by content', async () => {
    const memo = new SimulationMemo<string>();
    expect(await simulations([{ ...base, resourcePolicy: grant('a:b') }, { ...base, resourcePolicy: grant('a:c') }, { ...base, resourcePolicy: grant('a:b') }], memo)).toBe(2);
    expect(memo.size).toBe(2);
  });

  it('gives every caller the remembered result, and forgets a failed simulation so that it runs again', async () => {
    const memo = new SimulationMemo<string>();
    await expect(memo.remember(base, () => Promise.reject(new Error('simulator failed')))).rejects.toThrow('simulator failed');
    expect(await memo.remember(base, () => Promise.resolve('Allowed'))).toBe('Allowed');
    expect(await memo.remember({ ...base }, () => Promise.resolve('ImplicitlyDenied'))).toBe('Allowed');
  });
});
