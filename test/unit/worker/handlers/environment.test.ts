import { describe, expect, it } from 'vitest';
import { positiveIntegerEnv, requireEnv } from '../../../../src/shared/environment.js';

describe('environment helpers', () => {
  it.each<[Record<string, string>, string]>([
    [{}, 'absent'],
    [{ KEY: '  ' }, 'blank'],
  ])('requireEnv names the key when it is %s', (environment) => {
    expect(() => requireEnv(environment, 'KEY', 'the stack')).toThrow('Environment variable KEY is missing or empty; it is set by the stack.');
  });

  it('requireEnv returns the value', () => {
    expect(requireEnv({ KEY: 'v' }, 'KEY', 'x')).toBe('v');
  });

  it.each<[Record<string, string>, number | RegExp]>([
    [{}, 7],
    [{ N: '12' }, 12],
    [{ N: '0' }, /N must be a positive whole number, got "0"/],
    [{ N: '2.5' }, /positive whole number/],
    [{ N: 'ten' }, /positive whole number/],
  ])('positiveIntegerEnv(%j)', (environment, expected) => {
    if (typeof expected === 'number') expect(positiveIntegerEnv(environment, 'N', 7)).toBe(expected);
    else expect(() => positiveIntegerEnv(environment, 'N', 7)).toThrow(expected);
  });
});
