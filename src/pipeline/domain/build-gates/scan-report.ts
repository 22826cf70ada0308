import { GATE_NAMES, type GateResult as PolicyGateResult } from '../policy-gates/gate-finding.js';
import type { GateFinding, GateResult } from './gate-result.js';

/**
 * The security scan report: what npm audit, ESLint and the policy gates (cfn-lint, cfn-guard,
 * cdk-nag) found, rendered as JUnit XML so CodeBuild shows it as a test report. A scan report is a
 * test report whose test cases are findings: one `<testsuite>` per scanner, one `<testcase>` per
 * finding. It records the build; the gates decide it. Pure: the CLI reads the reports and writes
 * the file.
 */

/** The CodeBuild report group the buildspec publishes the scan report to. */
export const SCAN_REPORT_GROUP = 'security-scans';

/**
 * One finding of one scanner, in the scanner-neutral shape the report renders: a build gate's
 * finding, whose severity may be any scanner's word (the policy gates' `error`, `warning`, `info`).
 * `blocking` is a failing test case, `acceptedBecause` a skipped one.
 */
export type ScanFinding = Omit<GateFinding, 'severity'> & { readonly severity: string };

/**
 * What one scanner produced: its findings, or the fact that it did not run (no report, an
 * unreadable one), which is rendered as a failure so that it never looks green.
 */
export type ScanResult =
  | { readonly scanner: string; readonly ran: true; readonly findings: readonly ScanFinding[] }
  | { readonly scanner: string; readonly ran: false; readonly reason: string };

/** A scanner that did not run, with the reason shown in the report. */
export function scanNotRun(scanner: string, reason: string): ScanResult {
  return { scanner, ran: false, reason };
}

/**
 * Adapts a build-gate decision (`decideNpmAudit`, `decideEslint`) to the report. A gate whose tool
 * produced no usable report (`ran: false`) is a scanner that did not run; its one finding says why.
 */
export function scanResultOfGate(result: GateResult): ScanResult {
  if (!result.ran) {
    const reason = result.findings.map((finding) => finding.message).join('; ');
    return scanNotRun(result.tool, reason === '' ? result.summary : reason);
  }
  return {
    scanner: result.tool,
    ran: true,
    findings: result.findings.map((finding) => ({
      severity: finding.severity,
      id: finding.id,
      message: finding.message,
      ...(finding.location === undefined ? {} : { location: finding.location }),
      blocking: finding.blocking,
      ...(finding.acceptedBecause === undefined ? {} : { acceptedBecause: finding.acceptedBecause }),
      why: finding.why,
    })),
  };
}

/** Why an unaccepted policy-gate finding blocks: the policy gates keep zero findings, warnings included. */
const POLICY_GATE_BLOCKS = 'Every unaccepted policy-gate finding blocks, warnings and info included: fix it, or accept it with a reason (docs/policy-gates.md).';

/** Adapts the policy gates' results (the `results` of `kiro-cd policy-gates --output json`) to the report, one scanner per gate. */
export function scanResultsOfPolicyGates(results: readonly PolicyGateResult[]): ScanResult[] {
  return results.map((result) => ({
    scanner: result.gate,
    ran: true,
    findings: result.findings.map((finding): ScanFinding => {
      const location = [finding.template, finding.resource].filter((part) => part !== undefined && part !== '').join(' ');
      return {
        severity: finding.severity,
        id: finding.ruleId,
        message: finding.message,
        ...(location === '' ? {} : { location }),
        blocking: finding.acceptedBecause === undefined,
        ...(finding.acceptedBecause === undefined ? {} : { acceptedBecause: finding.acceptedBecause }),
        why: finding.acceptedBecause === undefined ? POLICY_GATE_BLOCKS : `accepted: ${finding.acceptedBecause}`,
      };
    }),
  }));
}

/** Every policy gate marked as not run: the gates report is missing or unreadable, so none of them can be shown. */
export function policyGatesNotRun(reason: string): ScanResult[] {
  return GATE_NAMES.map((gate) => scanNotRun(gate, reason));
}

/**
 * Characters XML 1.0 does not allow anywhere, not even escaped (its `Char` production): control
 * characters other than tab, line feed and carriage return, lone surrogates, U+FFFE and U+FFFF.
 * A scanner can echo them from a file or a package description; they are dropped.
 */
// eslint-disable-next-line security/detect-unsafe-regex -- one negated character class, no repetition; the rule misreads the astral range of the u flag
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function xmlChars(text: string): string {
  return text.replace(NOT_XML_CHAR, '');
}

/** The predefined entities, and references for the whitespace that parsers would normalise. */
const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** Escapes character data. `\r` is written as a reference because parsers turn a literal one into `\n`. */
function escapeText(text: string): string {
  return xmlChars(text).replace(/[&<>"'\r]/g, (char) => ENTITIES[char] ?? char);
}

/** Escapes an attribute value; tab and line breaks as references, since parsers turn literal ones into spaces. */
function escapeAttribute(text: string): string {
  return xmlChars(text).replace(/[&<>"'\t\n\r]/g, (char) => ENTITIES[char] ?? char);
}

/** One line for a name or a message attribute: the CodeBuild console shows them in a table. */
function oneLine(text: string): string {
  return xmlChars(text).replace(/\s+/g, ' ').trim();
}

/** One rendered test case, before it is written out. */
type ReportCase =
  | { readonly name: string; readonly outcome: 'failed'; readonly message: string; readonly type: string; readonly body: string }
  | { readonly name: string; readonly outcome: 'skipped'; readonly message: string }
  /** A passing case: its `<system-out>` says what it is (a finding reported, not blocking; a clean scan). */
  | { readonly name: string; readonly outcome: 'passed'; readonly systemOut: string };

function findingName(finding: ScanFinding): string {
  return oneLine(`${finding.severity} ${finding.id}${finding.location === undefined || finding.location === '' ? '' : ` at ${finding.location}`}`);
}

function findingDetails(finding: ScanFinding): string {
  return [`id: ${finding.id}`, `location: ${finding.location ?? '(none given)'}`, `message: ${finding.message}`, `why: ${finding.why}`].join('\n');
}

function caseOfFinding(finding: ScanFinding): ReportCase {
  const name = findingName(finding);
  if (finding.acceptedBecause !== undefined) {
    return { name, outcome: 'skipped', message: oneLine(`accepted: ${finding.acceptedBecause}`) };
  }
  if (finding.blocking) {
    return { name, outcome: 'failed', message: oneLine(`${finding.severity}: ${finding.message}`), type: finding.severity, body: findingDetails(finding) };
  }
  return { name, outcome: 'passed', systemOut: `${finding.severity} finding, reported and not blocking.\n${findingDetails(finding)}` };
}

/** Blocking findings first, then reported ones, then accepted ones: CodeBuild keeps failures first when a report is cut at 500 cases. */
const OUTCOME_ORDER: Readonly<Record<ReportCase['outcome'], number>> = { failed: 0, passed: 1, skipped: 2 };

function casesOf(scan: ScanResult): ReportCase[] {
  if (!scan.ran) {
    const reason = oneLine(scan.reason);
    return [
      {
        name: 'not run',
        outcome: 'failed',
        type: 'not-run',
        message: oneLine(`${scan.scanner} did not run: ${reason}`),
        body: `${scan.reason}\nA scan that did not run shows nothing about the build, so it is never reported as passed.`,
      },
    ];
  }
  if (scan.findings.length === 0) {
    return [{ name: 'no findings', outcome: 'passed', systemOut: `${scan.scanner} ran and found nothing.` }];
  }
  const cases = scan.findings.map(caseOfFinding).sort((a, b) => OUTCOME_ORDER[a.outcome] - OUTCOME_ORDER[b.outcome]);
  return uniqueNames(cases);
}

/** Two findings can share severity, id and location (the same rule twice on one line): number the repeats. */
function uniqueNames(cases: readonly ReportCase[]): ReportCase[] {
  const taken = new Set<string>();
  return cases.map((reportCase) => {
    let name = reportCase.name;
    for (let repeat = 2; taken.has(name); repeat += 1) name = `${reportCase.name} (${String(repeat)})`;
    taken.add(name);
    return name === reportCase.name ? reportCase : { ...reportCase, name };
  });
}

/** Test-case counts, as the suite and the root element state them. */
interface Counts {
  readonly tests: number;
  readonly failures: number;
  readonly skipped: number;
}

function countsOf(cases: readonly ReportCase[]): Counts {
  return {
    tests: cases.length,
    failures: cases.filter((reportCase) => reportCase.outcome === 'failed').length,
    skipped: cases.filter((reportCase) => reportCase.outcome === 'skipped').length,
  };
}

function countAttributes(counts: Counts): string {
  // No case is ever an <error>: a scanner that did not run is a failure, counted as such.
  return `tests="${String(counts.tests)}" failures="${String(counts.failures)}" errors="0" skipped="${String(counts.skipped)}"`;
}

function renderCase(classname: string, reportCase: ReportCase): string {
  // time="0": the report records findings, not durations; some JUnit readers expect the attribute.
  const open = `    <testcase classname="${escapeAttribute(classname)}" name="${escapeAttribute(reportCase.name)}" time="0"`;
  switch (reportCase.outcome) {
    case 'failed':
      return [
        `${open}>`,
        `      <failure message="${escapeAttribute(reportCase.message)}" type="${escapeAttribute(reportCase.type)}">${escapeText(reportCase.body)}</failure>`,
        '    </testcase>',
      ].join('\n');
    case 'skipped':
      return [`${open}>`, `      <skipped message="${escapeAttribute(reportCase.message)}"/>`, '    </testcase>'].join('\n');
    case 'passed':
      return [`${open}>`, `      <system-out>${escapeText(reportCase.systemOut)}</system-out>`, '    </testcase>'].join('\n');
  }
}

/**
 * Renders the scans as one JUnit XML document: `<testsuites name="security-scans">`, one
 * `<testsuite>` per scan in the order given, with classname `security.<scanner>` on every case.
 * - a blocking finding is a `<failure>` (message: severity and the finding in one line; body: id,
 *   location, message, why);
 * - an accepted finding is `<skipped message="accepted: <reason>"/>`;
 * - a finding that is reported but does not block passes, and its `<system-out>` says what it is;
 * - a scanner that ran clean has one passing case, `no findings`;
 * - a scanner that did not run has one failing case, `not run`, with the reason.
 * Every count attribute is computed from the cases it sums up.
 */
export function renderScanReport(scans: readonly ScanResult[]): string {
  const suites = scans.map((scan) => {
    const scanner = oneLine(scan.scanner);
    const cases = casesOf(scan);
    return { scanner, cases, counts: countsOf(cases) };
  });
  const total: Counts = {
    tests: suites.reduce((sum, suite) => sum + suite.counts.tests, 0),
    failures: suites.reduce((sum, suite) => sum + suite.counts.failures, 0),
    skipped: suites.reduce((sum, suite) => sum + suite.counts.skipped, 0),
  };
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="${SCAN_REPORT_GROUP}" ${countAttributes(total)}>`];
  for (const suite of suites) {
    lines.push(`  <testsuite name="${escapeAttribute(suite.scanner)}" ${countAttributes(suite.counts)}>`);
    for (const reportCase of suite.cases) lines.push(renderCase(`security.${suite.scanner}`, reportCase));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
