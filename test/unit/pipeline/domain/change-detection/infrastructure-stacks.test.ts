import { describe, expect, it } from 'vitest';
import { selectInfrastructureStacks, type AssemblyStack } from '../../../../../src/pipeline/domain/change-detection/infrastructure-stacks.js';

const stack = (selector: string, stackName: string, layer?: string): AssemblyStack => ({
  selector,
  stackName,
  tags: layer === undefined ? {} : { 'kiro-cd:layer': layer },
});

describe('selectInfrastructureStacks', () => {
  const assembly = [
    stack('Test/Data', 'KiroWorker-Test-Data', 'infrastructure'),
    stack('Test/Core', 'KiroWorker-Test-Core', 'infrastructure'),
    stack('Test/App', 'KiroWorker-Test-App', 'application'),
    stack('Test/Untagged', 'KiroWorker-Test-Untagged'),
    stack('Staging/Core', 'KiroWorker-Staging-Core', 'infrastructure'),
    stack('TestPlus/Core', 'KiroWorker-TestPlus-Core', 'infrastructure'),
  ];

  it.each([
    { why: 'tagged infrastructure stacks of the environment, sorted', prefix: 'KiroWorker-Test', expected: ['Test/Core', 'Test/Data'] },
    { why: 'another environment sees only its own', prefix: 'KiroWorker-Staging', expected: ['Staging/Core'] },
    { why: 'a prefix must be followed by "-" (KiroWorker-TestPlus is not KiroWorker-Test)', prefix: 'KiroWorker-TestPlus', expected: ['TestPlus/Core'] },
    { why: 'no stack of the environment', prefix: 'KiroWorker-Production', expected: [] },
  ])('$why', ({ prefix, expected }) => {
    expect(selectInfrastructureStacks(assembly, prefix).map((selected) => selected.selector)).toEqual(expected);
  });
});
