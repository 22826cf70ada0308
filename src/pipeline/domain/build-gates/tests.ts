import { unreadableReport, type GateFinding, type GateResult } from './gate-result.js';
import { countTests, type JunitReport } from './junit.js';

/**
 * The tests gate. Input: a parsed JUnit report. Blocks on any failure or error, and when no test
 * ran at all (a run that executed nothing proves nothing: a broken include pattern looks like that).
 */
export function decideTests(report: JunitReport | string): GateResult {
  if (typeof report === 'string') return unreadableReport('tests', `JUnit report is not usable: ${report}`);
  const counts = countTests(report);
  const findings: GateFinding[] = [];
  for (const testCase of report.testCases) {
    if (testCase.outcome !== 'failed' && testCase.outcome !== 'error') continue;
    findings.push({
      severity: 'error',
      id: testCase.name,
      message: `${testCase.outcome === 'failed' ? 'failed' : 'error'}: ${testCase.type === undefined ? '' : `${testCase.type}: `}${testCase.message ?? 'no message'}`,
      location: testCase.classname,
      blocking: true,
      why: testCase.outcome === 'failed' ? 'A failing test blocks the build.' : 'A test that errored did not prove anything: it blocks the build.',
    });
  }
  for (const suiteError of report.suiteErrors) {
    findings.push({
      severity: 'error',
      id: `suite: ${suiteError.suite}`,
      message: `error: ${suiteError.message}`,
      location: suiteError.suite,
      blocking: true,
      why: 'A suite that could not run hides its tests: it blocks the build.',
    });
  }
  const executed = counts.passed + counts.failed + counts.errors;
  if (executed === 0) {
    findings.push({
      severity: 'error',
      id: 'no-tests-run',
      message: `no test ran (${String(counts.total)} test cases, ${String(counts.skipped)} skipped)`,
      blocking: true,
      why: 'A run that executed no test proves nothing: check the test include patterns and the runner output.',
    });
  }
  const tally = `${String(counts.passed)} passed, ${String(counts.failed)} failed, ${String(counts.errors)} errors, ${String(counts.skipped)} skipped`;
  return {
    tool: 'tests',
    verdict: findings.length > 0 ? 'block' : 'pass',
    ran: true,
    findings,
    summary: findings.length > 0 ? `BLOCKED: ${tally}` : `passed: ${tally}`,
  };
}
