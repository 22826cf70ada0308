import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countTests, parseJunitXml, type JunitReport } from '../../../../../src/pipeline/domain/build-gates/junit.js';
import { renderScanReport, type ScanResult } from '../../../../../src/pipeline/domain/build-gates/scan-report.js';
import { printableText, repetitiveText, scanResults } from './arbitraries.js';

/** Parses with the project's own JUnit reader, failing the property with its message when it cannot. */
function parsed(xml: string): JunitReport {
  const report = parseJunitXml(xml);
  if (typeof report === 'string') throw new Error(`not JUnit XML: ${report}\n${xml}`);
  return report;
}

const blocking = (scans: readonly ScanResult[]): number => scans.reduce((sum, scan) => sum + (scan.ran ? scan.findings.filter((finding) => finding.blocking && finding.acceptedBecause === undefined).length : 0), 0);
const accepted = (scans: readonly ScanResult[]): number => scans.reduce((sum, scan) => sum + (scan.ran ? scan.findings.filter((finding) => finding.acceptedBecause !== undefined).length : 0), 0);
const notRun = (scans: readonly ScanResult[]): number => scans.filter((scan) => !scan.ran).length;

/** Characters outside XML 1.0's `Char` production: none may appear, escaped or not. */
// eslint-disable-next-line security/detect-unsafe-regex -- one negated character class, no repetition; the rule misreads the astral range of the u flag
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
/** A character reference to such a character (`&#0;`) is as illegal as the character itself. */
const ILLEGAL_REFERENCE = /&#(x[0-9a-f]+|\d+);/gi;

const COUNTS = /<testsuites? name="([^"]*)" tests="(\d+)" failures="(\d+)" errors="(\d+)" skipped="(\d+)">/g;

describe('renderScanReport, for any findings', () => {
  it('parses back with the project\'s JUnit reader: failures = blocking findings + scanners not run, skipped = accepted findings', () => {
    fc.assert(
      fc.property(scanResults(), (scans) => {
        const counts = countTests(parsed(renderScanReport(scans)));
        expect(counts.failed).toBe(blocking(scans) + notRun(scans));
        expect(counts.skipped).toBe(accepted(scans));
        expect(counts.errors).toBe(0);
        // One case per finding; a scanner that ran clean or did not run has exactly one.
        expect(counts.total).toBe(scans.reduce((sum, scan) => sum + (scan.ran ? Math.max(1, scan.findings.length) : 1), 0));
      }),
    );
  });

  it('never writes a character XML 1.0 forbids, nor a reference to one', () => {
    fc.assert(
      fc.property(scanResults(), (scans) => {
        const xml = renderScanReport(scans);
        expect(xml).not.toMatch(NOT_XML_CHAR);
        for (const [, reference = ''] of xml.matchAll(ILLEGAL_REFERENCE)) {
          const codePoint = reference.startsWith('x') || reference.startsWith('X') ? Number.parseInt(reference.slice(1), 16) : Number.parseInt(reference, 10);
          expect(String.fromCodePoint(codePoint)).not.toMatch(NOT_XML_CHAR);
        }
      }),
    );
  });

  it('states counts on every suite and on the root that add up from the cases they hold', () => {
    fc.assert(
      fc.property(scanResults(), (scans) => {
        const xml = renderScanReport(scans);
        const cases = parsed(xml).testCases;
        const [root, ...suites] = [...xml.matchAll(COUNTS)].map(([, name = '', tests, failures, errors, skipped]) => ({ name, counts: [tests, failures, errors, skipped].map(Number) }));
        expect(suites.map((suite) => suite.name)).toEqual(scans.map((scan) => scan.scanner));
        for (const suite of suites) {
          const own = cases.filter((testCase) => testCase.classname === `security.${suite.name}`);
          const of = (outcome: string): number => own.filter((testCase) => testCase.outcome === outcome).length;
          expect(suite.counts).toEqual([own.length, of('failed'), of('error'), of('skipped')]);
        }
        const total = countTests(parsed(xml));
        expect(root?.counts).toEqual([total.total, total.failed, total.errors, total.skipped]);
      }),
    );
  });

  it('gives every case of a suite its own one-line name, also when findings repeat', () => {
    fc.assert(
      fc.property(fc.oneof(scanResults(), scanResults(repetitiveText)), (scans) => {
        const cases = parsed(renderScanReport(scans)).testCases;
        for (const scan of scans) {
          const names = cases.filter((testCase) => testCase.classname === `security.${scan.scanner}`).map((testCase) => testCase.name);
          expect(new Set(names).size).toBe(names.length);
          for (const name of names) expect(name).not.toMatch(/[\n\r\t]/);
        }
      }),
    );
  });

  it('brings names and failure messages back exactly when the text is XML-special but printable', () => {
    fc.assert(
      fc.property(scanResults(printableText), (scans) => {
        const cases = parsed(renderScanReport(scans)).testCases;
        for (const scan of scans) {
          if (!scan.ran) continue;
          const own = cases.filter((testCase) => testCase.classname === `security.${scan.scanner}`);
          for (const finding of scan.findings) {
            const name = `${finding.severity} ${finding.id}${finding.location === undefined ? '' : ` at ${finding.location}`}`;
            const found = own.find((testCase) => testCase.name === name || testCase.name.startsWith(`${name} (`));
            expect(found, name).toBeDefined();
            if (finding.acceptedBecause !== undefined) expect(own.some((testCase) => testCase.message === `accepted: ${finding.acceptedBecause ?? ''}`)).toBe(true);
            else if (finding.blocking) expect(own.some((testCase) => testCase.message === `${finding.severity}: ${finding.message}` && testCase.type === finding.severity)).toBe(true);
          }
        }
      }),
    );
  });
});
