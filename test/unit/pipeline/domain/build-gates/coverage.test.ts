import { describe, expect, it } from 'vitest';
import { decideCoverage, parseCoverageSummary } from '../../../../../src/pipeline/domain/build-gates/coverage.js';
import { buildToolFixture } from './fixture.js';

function decide(fixture: string, threshold = 80) {
  return decideCoverage(parseCoverageSummary(buildToolFixture('coverage', fixture)), threshold);
}

describe('coverage gate', () => {
  it.each([
    { fixture: 'all-above-threshold.json', verdict: 'pass', blocked: [], why: 'every measure over 80 %' },
    { fixture: 'exactly-at-threshold.json', verdict: 'pass', blocked: [], why: '80 % is enough ("at least 80 %")' },
    { fixture: 'branches-and-functions-below.json', verdict: 'block', blocked: ['branches', 'functions'], why: 'names exactly the measures under the threshold' },
    { fixture: 'recorded-vitest-low-coverage.json', verdict: 'block', blocked: ['lines', 'branches', 'functions', 'statements'], why: 'recorded from Vitest v8: all four low' },
    { fixture: 'nothing-measured.json', verdict: 'block', blocked: ['lines', 'branches', 'functions', 'statements'], why: '"Unknown" (nothing measured) is not coverage' },
    { fixture: 'truncated.json', verdict: 'block', blocked: ['report-unreadable'], why: 'a broken summary fails closed' },
  ] as const)('$fixture → $verdict ($why)', ({ fixture, verdict, blocked }) => {
    const result = decide(fixture);
    expect(result.verdict).toBe(verdict);
    expect(result.findings.filter((finding) => finding.blocking).map((finding) => finding.id)).toEqual(blocked);
  });

  it('names the measures and their values in the summary', () => {
    expect(decide('branches-and-functions-below.json').summary).toBe(
      'BLOCKED: branches, functions under 80 % (lines 83.97 %, branches 77.73 %, functions 78.83 %, statements 82.99 %)',
    );
    expect(decide('branches-and-functions-below.json').findings[0]?.message).toBe('branches coverage 77.73 % (398/512) is under 80 %');
  });

  it('uses the threshold it is given', () => {
    expect(decide('branches-and-functions-below.json', 75).verdict).toBe('pass');
    expect(decide('all-above-threshold.json', 90).findings.map((finding) => finding.id)).toEqual(['branches']);
  });

  it.each([
    { why: 'not JSON', text: 'oops', problem: /not a JSON object/ },
    { why: 'no total', text: '{"src/a.ts": {}}', problem: /no "total" entry/ },
    { why: 'a measure missing', text: '{"total": {"lines": {"total": 1, "covered": 1, "pct": 100}}}', problem: /total\.branches/ },
    { why: 'a non-numeric pct with code measured', text: JSON.stringify({ total: Object.fromEntries(['lines', 'branches', 'functions', 'statements'].map((m) => [m, { total: 3, covered: 1, pct: 'x' }])) }), problem: /pct" that is not a number/ },
  ])('rejects a summary with $why', ({ text, problem }) => {
    expect(parseCoverageSummary(text)).toMatch(problem);
  });
});
