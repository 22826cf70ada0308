import { describe, expect, it } from 'vitest';
import {
  decideInfrastructureChange,
  exportedVariableLine,
  type ChangeDetectionInput,
  type SourceChanges,
  type StackDiffOutcome,
} from '../../../../../src/pipeline/domain/change-detection/decide-infrastructure-change.js';
import { affectsInfrastructure } from '../../../../../src/pipeline/domain/change-detection/infrastructure-paths.js';

const FROM = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const TO = 'ffffeeeeddddccccbbbbaaaa9999888877776666';
const unchanged: StackDiffOutcome[] = [{ stack: 'KiroWorker-Test-Core', status: 'unchanged' }];

function decide(source: SourceChanges, stacks: readonly StackDiffOutcome[] = unchanged) {
  const input: ChangeDetectionInput = { environment: 'test', to: TO, source, stacks };
  return decideInfrastructureChange(input);
}

const diff = (...paths: string[]): SourceChanges => ({ kind: 'diff', from: FROM, paths });

describe('infrastructure paths', () => {
  it.each([
    ['infrastructure/lib/stacks/core-stack.ts', true, 'the CDK app'],
    ['infrastructure/lib/config/environments.ts', true, 'the configuration the stacks are rendered from'],
    ['./infrastructure/policy/rules.guard', true, 'a leading ./ is the same path'],
    ['package.json', true, 'dependency versions change what synthesizes'],
    ['package-lock.json', true, 'a lockfile bump can change aws-cdk-lib'],
    ['cdk.json', true, 'feature flags'],
    ['cdk.context.json', true, 'cached context lookups'],
    ['src/worker/poller/handler.ts', false, 'worker code ships in the application stack, not the Core stack'],
    ['src/pipeline/handlers/recorder.ts', false, 'the pipeline runtime is not an environment stack'],
    ['docs/change-detection.md', false, 'docs'],
    ['test/unit/x.test.ts', false, 'tests'],
    ['infrastructure-notes.md', false, 'a sibling that only starts with the same word'],
    ['src/infrastructure/x.ts', false, 'infrastructure/ only counts at the root'],
  ])('%s → %s (%s)', (path, expected) => {
    expect(affectsInfrastructure(path)).toBe(expected);
  });
});

describe('decideInfrastructureChange', () => {
  it.each([
    { why: 'first deployment', source: { kind: 'first-deployment' } as const, stacks: unchanged, expected: 'deploy' },
    { why: 'a change under infrastructure/', source: diff('infrastructure/lib/stacks/core-stack.ts'), stacks: unchanged, expected: 'deploy' },
    { why: 'a lockfile change', source: diff('package-lock.json', 'src/worker/a.ts'), stacks: unchanged, expected: 'deploy' },
    { why: 'application-only change with cdk unchanged', source: diff('src/worker/poller/handler.ts', 'test/unit/a.test.ts'), stacks: unchanged, expected: 'skip' },
    { why: 'nothing changed (re-run of the same commit)', source: diff(), stacks: unchanged, expected: 'skip' },
    { why: 'cdk diff finds differences (drift, or an earlier failed deploy)', source: diff('src/worker/a.ts'), stacks: [{ stack: 'Core', status: 'changed' }], expected: 'deploy' },
    { why: 'cdk diff failed: fail safe', source: diff(), stacks: [{ stack: 'Core', status: 'error', detail: 'no credentials' }], expected: 'deploy' },
    { why: 'one stack of two changed', source: diff(), stacks: [...unchanged, { stack: 'KiroWorker-Test-Data', status: 'changed' }], expected: 'deploy' },
    { why: 'no stack compared: fail safe', source: diff(), stacks: [], expected: 'deploy' },
    { why: 'git diff unavailable (old commit not in the clone): fail safe', source: { kind: 'unavailable', from: FROM, reason: 'bad object' } as const, stacks: unchanged, expected: 'deploy' },
  ] as const)('$why → $expected', ({ source, stacks, expected }) => {
    expect(decide(source, stacks).infrastructure).toBe(expected);
  });

  it('gives every reason to deploy, naming the files and stacks', () => {
    const decision = decide(diff('src/worker/a.ts', 'infrastructure/lib/b.ts', 'package.json'), [
      { stack: 'Core', status: 'changed' },
      { stack: 'Data', status: 'error', detail: 'exit 2' },
    ]);
    expect(decision.reasons).toEqual([
      'infrastructure files changed since a1b2c3d4e5f6: infrastructure/lib/b.ts, package.json',
      'cdk diff: Core differs from what is deployed',
      'cdk diff failed for Data (exit 2); deploying to be safe',
    ]);
    expect(decision.infrastructurePaths).toEqual(['infrastructure/lib/b.ts', 'package.json']);
    expect(decision.changedPaths).toEqual(['infrastructure/lib/b.ts', 'package.json', 'src/worker/a.ts']);
  });

  it('says why skipping is safe', () => {
    expect(decide(diff('src/worker/a.ts', 'src/worker/b.ts')).reasons).toEqual([
      'no infrastructure file changed since a1b2c3d4e5f6 (2 application or other files changed)',
      'cdk diff: no differences in KiroWorker-Test-Core',
    ]);
  });

  it('shortens a long list of changed infrastructure files', () => {
    const paths = Array.from({ length: 12 }, (_, index) => `infrastructure/f${String(index).padStart(2, '0')}.ts`);
    expect(decide(diff(...paths)).reasons[0]).toMatch(/infrastructure\/f09\.ts and 2 more$/);
  });

  it('keeps the most cautious outcome when a stack is reported twice', () => {
    const decision = decide(diff(), [{ stack: 'Core', status: 'unchanged' }, { stack: 'Core', status: 'error', detail: 'x' }]);
    expect(decision.stacks).toEqual([{ stack: 'Core', status: 'error', detail: 'x' }]);
  });

  it('writes the exported variable CodeBuild reads', () => {
    expect(exportedVariableLine(decide(diff()))).toBe('INFRA_TEST=skip');
    expect(exportedVariableLine({ ...decide({ kind: 'first-deployment' }), environment: 'production' })).toBe('INFRA_PRODUCTION=deploy');
  });
});
