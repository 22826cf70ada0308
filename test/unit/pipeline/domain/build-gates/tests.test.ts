import { describe, expect, it } from 'vitest';
import { countTests, parseJunitXml } from '../../../../../src/pipeline/domain/build-gates/junit.js';
import { decideTests } from '../../../../../src/pipeline/domain/build-gates/tests.js';
import { buildToolFixture } from './fixture.js';

function decide(fixture: string) {
  return decideTests(parseJunitXml(buildToolFixture('junit', fixture)));
}

describe('tests gate on recorded JUnit reports', () => {
  it.each([
    { fixture: 'all-passed.xml', verdict: 'pass', why: 'recorded from Vitest: one passing test' },
    { fixture: 'failures-and-skips.xml', verdict: 'block', why: 'recorded from Vitest: an assertion failure and a thrown error' },
    { fixture: 'file-failed-to-import.xml', verdict: 'block', why: 'recorded from Vitest: a test file that cannot import' },
    { fixture: 'error-element-and-suite-error.xml', verdict: 'block', why: '<error> elements and suite-level errors (other runners)' },
    { fixture: 'no-tests-run.xml', verdict: 'block', why: 'recorded from Vitest with --passWithNoTests: zero tests proves nothing' },
    { fixture: 'all-skipped.xml', verdict: 'block', why: 'only skipped tests: nothing ran' },
    { fixture: 'truncated.xml', verdict: 'block', why: 'a report cut off mid-way is rejected, not half-read' },
    { fixture: 'not-xml.txt', verdict: 'block', why: 'an error message instead of a report' },
  ] as const)('$fixture → $verdict ($why)', ({ fixture, verdict }) => {
    expect(decide(fixture).verdict).toBe(verdict);
  });

  it('names each failing test, its file and its message, with entities decoded', () => {
    const result = decide('failures-and-skips.xml');
    expect(result.findings.map((finding) => [finding.id, finding.location, finding.message])).toEqual([
      ['add > fails on purpose', 'test/calc.test.ts', 'failed: AssertionError: expected 3 to be 4 // Object.is equality'],
      ['sign <&> "quoted" > throws an unexpected error', 'test/calc.test.ts', 'failed: TypeError: boom: cannot read x of undefined'],
    ]);
    expect(result.summary).toBe('BLOCKED: 3 passed, 2 failed, 0 errors, 2 skipped');
  });

  it('counts <error> test cases and suite-level errors as errors', () => {
    const report = parseJunitXml(buildToolFixture('junit', 'error-element-and-suite-error.xml'));
    if (typeof report === 'string') throw new Error(report);
    expect(countTests(report)).toEqual({ total: 3, passed: 1, failed: 0, errors: 2, skipped: 1 });
    expect(decideTests(report).findings.map((finding) => finding.id)).toEqual(['reads it back', 'suite: integration/notifier']);
  });

  it.each([
    { why: 'truncated', xml: buildToolFixture('junit', 'truncated.xml'), problem: /truncated|malformed/ },
    { why: 'mismatched closing tag', xml: '<testsuites><testsuite></testcase></testsuites>', problem: /does not match/ },
    { why: 'another root element', xml: '<html><body/></html>', problem: /root element is <html>/ },
    { why: 'two roots', xml: '<testsuite/><testsuite/>', problem: /more than one root/ },
    { why: 'unterminated comment', xml: '<testsuites><!-- never closed', problem: /unterminated "<!--"/ },
    { why: 'empty', xml: '', problem: /no <testsuites>/ },
  ])('rejects a document that is $why', ({ xml, problem }) => {
    expect(parseJunitXml(xml)).toMatch(problem);
  });

  it('reads self-closing test cases, single-quoted attributes and numeric entities', () => {
    const report = parseJunitXml("<testsuite name='s'><testcase classname='a' name='caf&#233; &#x2713;'/></testsuite>");
    expect(report).toEqual({ testCases: [{ classname: 'a', name: 'café ✓', outcome: 'passed' }], suiteErrors: [] });
  });
});

describe('JUnit reader limits', () => {
  it('reads a failure whose message attribute is very long (a big diff)', () => {
    const message = 'x'.repeat(200_000);
    const report = parseJunitXml(`<testsuite name="s"><testcase classname="a" name="big"><failure message="${message}"/></testcase></testsuite>`);
    if (typeof report === 'string') throw new Error(report);
    expect(report.testCases[0]?.message).toHaveLength(200_000);
  });

  it('rejects a tag padded with 200,000 spaces in linear time (the TAG pattern cannot backtrack catastrophically)', () => {
    const started = performance.now();
    for (const padding of [' '.repeat(200_000), ` a="1"${' '.repeat(200_000)}b`]) {
      expect(parseJunitXml(`<testsuites${padding}`)).toEqual(expect.any(String));
    }
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
