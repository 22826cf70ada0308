/**
 * A small, strict reader of JUnit XML (as Vitest's `junit` reporter and most test runners write it).
 * It understands exactly what the tests gate needs: `testsuite` / `testcase` elements and the
 * `failure`, `error` and `skipped` children of a test case. It checks that the document is
 * well-formed (every element closed in order), so a truncated report is rejected, never half-read.
 * No dependency: JUnit XML uses no namespaces, DTDs or entities beyond the five predefined ones.
 */

/** Outcome of one test case. */
export type TestOutcome = 'passed' | 'failed' | 'error' | 'skipped';

/** One test case. */
export interface JunitTestCase {
  /** The `classname` attribute: for Vitest, the test file. */
  readonly classname: string;
  readonly name: string;
  readonly outcome: TestOutcome;
  /** The `message` of the failure or error, when there is one. */
  readonly message?: string;
  /** The `type` of the failure or error (AssertionError, TypeError, ...). */
  readonly type?: string;
}

/** Everything the tests gate and the metrics need from a report. */
export interface JunitReport {
  readonly testCases: readonly JunitTestCase[];
  /** Failures or errors attached to a suite rather than a test case (a suite that could not start). */
  readonly suiteErrors: readonly { readonly suite: string; readonly message: string }[];
}

const ENTITY = /&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

function decode(text: string): string {
  return text.replace(ENTITY, (_match, entity: string) => {
    switch (entity) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default:
        return String.fromCodePoint(entity.startsWith('#x') ? Number.parseInt(entity.slice(2), 16) : Number.parseInt(entity.slice(1), 10));
    }
  });
}

const ATTRIBUTE = /([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

function attributesOf(source: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const match of source.matchAll(ATTRIBUTE)) {
    const [, name, doubleQuoted, singleQuoted] = match;
    if (name !== undefined) attributes[name] = decode(doubleQuoted ?? singleQuoted ?? '');
  }
  return attributes;
}

interface OpenElement {
  readonly name: string;
  readonly attributes: Record<string, string>;
  /** For a test case: the worst child seen so far. */
  outcome?: TestOutcome;
  message?: string;
  type?: string;
}

/** Markup that carries no elements: comments, CDATA sections, the XML declaration, a doctype. */
const SKIPPED_MARKUP: readonly (readonly [string, string])[] = [
  ['<!--', '-->'],
  ['<![CDATA[', ']]>'],
  ['<?', '?>'],
  ['<!DOCTYPE', '>'],
];

/** One start, end or empty-element tag, matched exactly at `lastIndex` (sticky), however long its attributes. */
// eslint-disable-next-line security/detect-unsafe-regex -- linear on this sticky pattern: each attribute must be name=quoted value, so after a failed attribute only the whitespace split backtracks once (O(n)), checked on 200,000 spaces in tests.test.ts
const TAG = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/y;

const OUTCOME_RANK: Record<TestOutcome, number> = { passed: 0, skipped: 1, failed: 2, error: 3 };

/** Parses a JUnit XML report; a string describing the problem when it is not well-formed JUnit. */
export function parseJunitXml(xml: string): JunitReport | string {
  const testCases: JunitTestCase[] = [];
  const suiteErrors: { suite: string; message: string }[] = [];
  const stack: OpenElement[] = [];
  let sawRoot = false;
  let position = 0;
  while (position < xml.length) {
    const next = xml.indexOf('<', position);
    if (next === -1) break;
    position = next;
    const skipped = SKIPPED_MARKUP.find(([open]) => xml.startsWith(open, position));
    if (skipped !== undefined) {
      const end = xml.indexOf(skipped[1], position + skipped[0].length);
      if (end === -1) return `unterminated "${skipped[0]}" at offset ${String(position)}`;
      position = end + skipped[1].length;
      continue;
    }
    TAG.lastIndex = position;
    const tag = TAG.exec(xml);
    if (tag === null) return `malformed tag at offset ${String(position)}`;
    position += tag[0].length;
    const [, closing, name = '', attributeText = '', selfClosing] = tag;
    if (closing === '/') {
      const open = stack.pop();
      if (open?.name !== name) return `closing </${name}> does not match <${open?.name ?? 'nothing'}> at offset ${String(position)}`;
      if (name === 'testcase') {
        testCases.push({
          classname: open.attributes.classname ?? '',
          name: open.attributes.name ?? '',
          outcome: open.outcome ?? 'passed',
          ...(open.message === undefined ? {} : { message: open.message }),
          ...(open.type === undefined ? {} : { type: open.type }),
        });
      }
      continue;
    }
    if (stack.length === 0) {
      if (sawRoot) return 'more than one root element';
      if (name !== 'testsuites' && name !== 'testsuite') return `root element is <${name}>, not <testsuites> or <testsuite>`;
      sawRoot = true;
    }
    const element: OpenElement = { name, attributes: attributesOf(attributeText) };
    const parent = stack.at(-1);
    if (parent !== undefined && (name === 'failure' || name === 'error' || name === 'skipped')) {
      const outcome: TestOutcome = name === 'failure' ? 'failed' : name === 'error' ? 'error' : 'skipped';
      if (parent.name === 'testcase') {
        if (OUTCOME_RANK[outcome] > OUTCOME_RANK[parent.outcome ?? 'passed']) {
          parent.outcome = outcome;
          parent.message = element.attributes.message;
          parent.type = element.attributes.type;
        }
      } else if (parent.name === 'testsuite' && outcome !== 'skipped') {
        suiteErrors.push({ suite: parent.attributes.name ?? '', message: element.attributes.message ?? `${name} without a message` });
      }
    }
    if (selfClosing !== '/') {
      stack.push(element);
    } else if (name === 'testcase') {
      testCases.push({ classname: element.attributes.classname ?? '', name: element.attributes.name ?? '', outcome: 'passed' });
    }
  }
  if (!sawRoot) return 'no <testsuites> or <testsuite> element (empty or not JUnit XML)';
  if (stack.length > 0) return `document ends inside <${stack.map((open) => open.name).join('><')}> (truncated report?)`;
  return { testCases, suiteErrors };
}

/** Counts per outcome. */
export interface TestCounts {
  readonly total: number;
  readonly passed: number;
  readonly failed: number;
  readonly errors: number;
  readonly skipped: number;
}

/** Counts the test cases of a report by outcome; suite-level errors count as errors. */
export function countTests(report: JunitReport): TestCounts {
  const count = (outcome: TestOutcome): number => report.testCases.filter((testCase) => testCase.outcome === outcome).length;
  return {
    total: report.testCases.length,
    passed: count('passed'),
    failed: count('failed'),
    errors: count('error') + report.suiteErrors.length,
    skipped: count('skipped'),
  };
}
