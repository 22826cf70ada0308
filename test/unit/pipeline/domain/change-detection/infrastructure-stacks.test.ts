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
    stack('Test-Infrastructure/Core', 'KiroWorker-Test-Core'),
    stack('KiroCd-Pipeline/Test-Infrastructure/Core', 'KiroWorker-Test-Core'),
    stack('Test-Application/Worker', 'KiroWorker-Test-Worker'),
    stack('Test-Infrastructure', 'Test-Infrastructure'),
  ];

  it.each([
    {
      why: 'the stacks of the Test-Infrastructure stage (also nested in a pipeline stack) and the tagged ones, sorted',
      environment: 'test',
      prefix: 'KiroWorker-Test',
      expected: ['KiroCd-Pipeline/Test-Infrastructure/Core', 'Test-Infrastructure/Core', 'Test/Core', 'Test/Data'],
    },
    { why: 'another environment sees only its own', environment: 'staging', prefix: 'KiroWorker-Staging', expected: ['Staging/Core'] },
    { why: 'a prefix must be followed by "-" (KiroWorker-TestPlus is not KiroWorker-Test)', environment: 'staging', prefix: 'KiroWorker-TestPlus', expected: ['TestPlus/Core'] },
    { why: 'no stack of the environment', environment: 'production', prefix: 'KiroWorker-Production', expected: [] },
  ] as const)('$why', ({ environment, prefix, expected }) => {
    expect(selectInfrastructureStacks(assembly, { environment, stackPrefix: prefix }).map((selected) => selected.selector)).toEqual(expected);
  });
});
