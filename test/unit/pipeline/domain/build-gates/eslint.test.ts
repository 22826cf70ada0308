import { describe, expect, it } from 'vitest';
import { decideEslint, parseEslintReport } from '../../../../../src/pipeline/domain/build-gates/eslint.js';
import { buildToolFixture } from './fixture.js';

function decide(fixture: string) {
  return decideEslint(parseEslintReport(buildToolFixture('eslint', fixture)), '/tmp/vt');
}

describe('ESLint gate on recorded outputs', () => {
  it.each([
    { fixture: 'errors-warnings-and-parse-error.json', verdict: 'block', why: 'errors block, a parse error included' },
    { fixture: 'warnings-only.json', verdict: 'pass', why: 'warnings are reported, not blocking' },
    { fixture: 'clean.json', verdict: 'pass', why: 'nothing found' },
    { fixture: 'stylish-output-by-mistake.txt', verdict: 'block', why: 'the wrong formatter\'s output is not readable: fail closed' },
  ] as const)('$fixture → $verdict ($why)', ({ fixture, verdict }) => {
    expect(decide(fixture).verdict).toBe(verdict);
  });

  it('lists every error and warning with its place, and says why errors block', () => {
    const result = decide('errors-warnings-and-parse-error.json');
    expect(result.findings.map((finding) => [finding.id, finding.severity, finding.location, finding.blocking])).toEqual([
      ['no-unused-vars', 'error', 'lint/bad.js:1:5', true],
      ['no-var', 'warning', 'lint/bad.js:2:1', false],
      ['eqeqeq', 'warning', 'lint/bad.js:4:7', false],
      ['no-debugger', 'error', 'lint/bad.js:4:18', true],
      ['parse-error', 'error', 'lint/broken.js:1:7', true],
    ]);
    expect(result.findings[4]?.why).toMatch(/cannot be parsed/);
    expect(result.summary).toBe('BLOCKED: 3 errors, 2 warnings in 3 files');
  });

  it('rejects JSON that is not the formatter\'s array', () => {
    expect(parseEslintReport('{"errorCount": 0}')).toMatch(/array of file results/);
  });
});
