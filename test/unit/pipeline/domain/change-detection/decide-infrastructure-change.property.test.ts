import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideInfrastructureChange } from '../../../../../src/pipeline/domain/change-detection/decide-infrastructure-change.js';
import { anyPath, applicationPath, commitId, infrastructurePath, sourceChanges, stackOutcome, unchangedStacks } from './arbitraries.js';

const TO = '0123456789abcdef0123456789abcdef01234567';

describe('change detection properties', () => {
  it('never skips a change under infrastructure/, whatever else changed and whatever cdk diff says', () => {
    fc.assert(
      fc.property(commitId, infrastructurePath, fc.array(anyPath), fc.array(stackOutcome()), (from, infra, others, stacks) => {
        const decision = decideInfrastructureChange({ environment: 'test', to: TO, source: { kind: 'diff', from, paths: [...others, infra] }, stacks });
        expect(decision.infrastructure).toBe('deploy');
      }),
    );
  });

  it('always skips an empty diff when cdk diff finds every stack unchanged', () => {
    fc.assert(
      fc.property(commitId, unchangedStacks, (from, stacks) => {
        expect(decideInfrastructureChange({ environment: 'staging', to: TO, source: { kind: 'diff', from, paths: [] }, stacks }).infrastructure).toBe('skip');
      }),
    );
  });

  it('never deploys infrastructure for application-only changes while the stacks are unchanged', () => {
    fc.assert(
      fc.property(commitId, fc.array(applicationPath, { minLength: 1 }), unchangedStacks, (from, paths, stacks) => {
        expect(decideInfrastructureChange({ environment: 'production', to: TO, source: { kind: 'diff', from, paths }, stacks }).infrastructure).toBe('skip');
      }),
    );
  });

  it('application-only paths never change the outcome, whatever cdk diff says', () => {
    fc.assert(
      fc.property(commitId, fc.array(anyPath), fc.array(applicationPath), fc.array(stackOutcome()), (from, paths, extra, stacks) => {
        const base = decideInfrastructureChange({ environment: 'test', to: TO, source: { kind: 'diff', from, paths }, stacks });
        const withExtra = decideInfrastructureChange({ environment: 'test', to: TO, source: { kind: 'diff', from, paths: [...paths, ...extra] }, stacks });
        expect(withExtra.infrastructure).toBe(base.infrastructure);
      }),
    );
  });

  it('does not depend on path order, duplicates, or stack order', () => {
    fc.assert(
      fc.property(sourceChanges, fc.array(stackOutcome()), fc.integer(), (source, stacks, seed) => {
        const shuffle = <T>(items: readonly T[]): T[] =>
          items.map((item, index) => ({ item, key: (index * 7919 + seed) % 104729 })).sort((a, b) => a.key - b.key).map(({ item }) => item);
        const reordered = source.kind === 'diff' ? { ...source, paths: shuffle([...source.paths, ...source.paths]) } : source;
        const a = decideInfrastructureChange({ environment: 'test', to: TO, source, stacks });
        const b = decideInfrastructureChange({ environment: 'test', to: TO, source: reordered, stacks: shuffle([...stacks].reverse()) });
        expect(b).toEqual(a);
      }),
    );
  });

  it('deploys whenever a stack differs or its diff failed (fail safe), and on a first deployment', () => {
    fc.assert(
      fc.property(sourceChanges, fc.array(stackOutcome()), stackOutcome(fc.constantFrom('changed', 'error')), (source, stacks, risky) => {
        expect(decideInfrastructureChange({ environment: 'test', to: TO, source, stacks: [...stacks, risky] }).infrastructure).toBe('deploy');
        expect(decideInfrastructureChange({ environment: 'test', to: TO, source: { kind: 'first-deployment' }, stacks }).infrastructure).toBe('deploy');
      }),
    );
  });

  it('always gives at least one reason', () => {
    fc.assert(
      fc.property(sourceChanges, fc.array(stackOutcome()), (source, stacks) => {
        expect(decideInfrastructureChange({ environment: 'test', to: TO, source, stacks }).reasons.length).toBeGreaterThan(0);
      }),
    );
  });
});
