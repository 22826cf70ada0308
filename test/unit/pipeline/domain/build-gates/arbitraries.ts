import fc from 'fast-check';
import type { ScanFinding, ScanResult } from '../../../../../src/pipeline/domain/build-gates/scan-report.js';

/**
 * Pieces of text a scanner may echo into a finding and that break naive XML: the five special
 * characters, control characters XML 1.0 forbids even escaped, lone surrogates, U+FFFE/FFFF, line
 * breaks and tabs (normalised away inside attributes), markup-looking sequences and astral characters.
 */
const nastyPiece = fc.oneof(
  fc.constantFrom('&', '<', '>', '"', "'", '\u0000', '\u0001', '\u0008', '\u000b', '\u001b', '\u007f', '\t', '\n', '\r', '\r\n', '\uFFFE', '\uFFFF', '\uD800', '\uDFFF'),
  fc.constantFrom(']]>', '<!--', '-->', '<![CDATA[', '&amp;', '&#0;', '&lt;', '</testcase>', '<failure message="x">', '😀', 'ü', '  '),
  fc.string({ unit: 'binary', maxLength: 3 }),
);

/** Any text, nasty pieces included. */
export const nastyText = fc.array(nastyPiece, { maxLength: 8 }).map((pieces) => pieces.join(''));

/** Text without whitespace or characters XML cannot carry, XML specials included: it must come back exactly. */
export const printableText = fc.string({ unit: fc.constantFrom('a', 'Z', '0', '-', '/', ':', '.', '&', '<', '>', '"', "'", '=', '😀', 'é'), minLength: 1, maxLength: 12 });

/** Few distinct texts, so that findings often share severity, id and location (the same rule twice on one line). */
export const repetitiveText = fc.constantFrom('x', 'a & b', ' ');

/** A finding in one of its three states: blocking, accepted, or reported only. */
export const scanFinding = (text: fc.Arbitrary<string> = nastyText): fc.Arbitrary<ScanFinding> =>
  fc
    .record({
      severity: fc.oneof(fc.constantFrom('critical', 'high', 'moderate', 'low', 'info', 'error', 'warning'), text),
      id: text,
      message: text,
      location: fc.option(text, { nil: undefined }),
      state: fc.constantFrom('blocking', 'accepted', 'reported'),
      reason: text,
      why: text,
    })
    .map(({ state, reason, location, ...rest }) => ({
      ...rest,
      ...(location === undefined ? {} : { location }),
      blocking: state === 'blocking',
      ...(state === 'accepted' ? { acceptedBecause: reason } : {}),
    }));

const SCANNERS = ['npm-audit', 'eslint', 'cfn-lint', 'cfn-guard', 'cdk-nag', 'cdk-validation'] as const;

/** One scanner's result: it ran (with any findings, none included) or it did not. */
export const scanResult = (text: fc.Arbitrary<string> = nastyText): fc.Arbitrary<ScanResult> =>
  fc.oneof(
    fc.record({ scanner: fc.constantFrom(...SCANNERS), ran: fc.constant(true as const), findings: fc.array(scanFinding(text), { maxLength: 6 }) }),
    fc.record({ scanner: fc.constantFrom(...SCANNERS), ran: fc.constant(false as const), reason: text }),
  );

/** Results of distinct scanners, as one build produces them. */
export const scanResults = (text: fc.Arbitrary<string> = nastyText): fc.Arbitrary<ScanResult[]> =>
  fc.uniqueArray(scanResult(text), { selector: (scan) => scan.scanner, minLength: 1, maxLength: SCANNERS.length });
