import { describe, expect, it } from 'vitest';
import { parseAuditAllowlist, type AuditAllowlistEntry } from '../../../../../src/pipeline/domain/build-gates/audit-allowlist.js';
import { decideNpmAudit, parseNpmAuditOutput, type AuditMode } from '../../../../../src/pipeline/domain/build-gates/npm-audit.js';
import { ConfigurationError } from '../../../../../src/shared/errors.js';
import { buildToolFixture } from './fixture.js';

const TODAY = '2026-11-26';

function decide(fixture: string, mode: AuditMode, allowlist: readonly AuditAllowlistEntry[] = []) {
  return decideNpmAudit(parseNpmAuditOutput(buildToolFixture('npm-audit', fixture)), { mode, allowlist, today: TODAY });
}

describe('npm audit gate on recorded outputs', () => {
  it.each([
    { fixture: 'high-findings.json', mode: 'pipeline', verdict: 'block', why: 'a HIGH advisory (ws) blocks; moderate and low are only reported' },
    { fixture: 'high-findings.json', mode: 'local', verdict: 'block', why: 'findings block locally too: only an audit that did not run differs by mode' },
    { fixture: 'critical-through-transitive-dependency.json', mode: 'pipeline', verdict: 'block', why: 'a CRITICAL advisory reached through a dependency blocks' },
    { fixture: 'moderate-and-low-only.json', mode: 'pipeline', verdict: 'pass', why: 'moderate and low never block' },
    { fixture: 'no-vulnerabilities.json', mode: 'pipeline', verdict: 'pass', why: 'a clean report passes' },
    { fixture: 'registry-405-recorded.json', mode: 'pipeline', verdict: 'block', why: 'recorded on this machine: the registry answers the advisory request with 405' },
    { fixture: 'registry-405-recorded.json', mode: 'local', verdict: 'not-run', why: 'locally an unreachable service is "not run", never "passed"' },
    { fixture: 'network-enotfound.json', mode: 'pipeline', verdict: 'block', why: 'DNS failure: fail closed' },
    { fixture: 'network-etimedout.json', mode: 'pipeline', verdict: 'block', why: 'timeout: fail closed' },
    { fixture: 'network-econnrefused-private-registry.json', mode: 'local', verdict: 'not-run', why: 'refused connection, locally' },
    { fixture: 'no-lockfile-enolock.json', mode: 'pipeline', verdict: 'block', why: 'npm stopped before auditing (no lockfile): nothing was scanned' },
    { fixture: 'empty-output.json', mode: 'pipeline', verdict: 'block', why: 'an empty file is no report' },
    { fixture: 'truncated-output.json', mode: 'pipeline', verdict: 'block', why: 'a truncated report is no report' },
    { fixture: 'truncated-output.json', mode: 'local', verdict: 'block', why: 'a cut-off report is not "the service could not be reached": it blocks locally too' },
    { fixture: 'empty-output.json', mode: 'local', verdict: 'block', why: 'an empty file is no report, in every mode' },
    { fixture: 'npm6-legacy-format.json', mode: 'local', verdict: 'block', why: 'an output the gate cannot read blocks in every mode' },
    { fixture: 'no-lockfile-enolock.json', mode: 'local', verdict: 'block', why: 'npm stopped for a reason of ours (no lockfile), not because the service was unreachable' },
    { fixture: 'npm6-legacy-format.json', mode: 'pipeline', verdict: 'block', why: 'the npm 6 format is not understood: fail closed rather than misread it' },
  ] as const)('$fixture in $mode mode → $verdict ($why)', ({ fixture, mode, verdict }) => {
    expect(decide(fixture, mode).verdict).toBe(verdict);
  });

  it('lists each advisory with its severity, and says why the HIGH one blocks', () => {
    const result = decide('high-findings.json', 'pipeline');
    expect(result.findings.map((finding) => [finding.id, finding.severity, finding.blocking])).toEqual([
      ['GHSA-3h5v-q93c-6h6q', 'high', true],
      ['GHSA-c2qf-rxjj-qqgw', 'moderate', false],
      ['GHSA-pxg6-pf52-xh8x', 'low', false],
    ]);
    expect(result.findings[0]?.why).toMatch(/high severity blocks the deployment: update ws/);
    expect(result.summary).toBe('BLOCKED: 1 critical/high advisories (1 high, 1 moderate, 1 low in 3 vulnerable packages)');
  });

  it('traces a transitive vulnerability to its advisory instead of counting it twice', () => {
    const result = decide('critical-through-transitive-dependency.json', 'pipeline');
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({ id: 'GHSA-xvch-5gv4-984h', location: 'minimist (through mkdirp)', blocking: true });
  });

  it('says the advisory service could not be reached and the deployment is blocked until it can', () => {
    const result = decide('registry-405-recorded.json', 'pipeline');
    expect(result.summary).toBe('BLOCKED: npm audit could not reach the advisory service; the deployment is blocked until it can.');
    expect(result.findings[0]?.message).toContain('405 Method Not Allowed');
  });

  it('reports an unreachable service locally as NOT RUN, never as passed', () => {
    const result = decide('network-enotfound.json', 'local');
    expect(result.summary).toMatch(/^NOT RUN: npm audit could not reach the advisory service .*ENOTFOUND.*This is not a pass\.$/);
    expect(result.findings.every((finding) => !finding.blocking)).toBe(true);
  });

  it('tells a lockfile problem apart from an unreachable service', () => {
    expect(decide('no-lockfile-enolock.json', 'pipeline').findings[0]?.message).toMatch(/^npm audit failed before it could check the dependencies: .*ENOLOCK/);
  });
});

describe('npm audit allowlist', () => {
  const entry = (overrides: Partial<AuditAllowlistEntry>): AuditAllowlistEntry => ({
    advisory: 'GHSA-xvch-5gv4-984h',
    package: 'minimist',
    reason: 'only parses our own build flags, never user input',
    expires: '2026-12-31',
    ...overrides,
  });

  it.each([
    { why: 'a live entry accepts the advisory, and what it pulled in', entries: [entry({})], verdict: 'pass' },
    { why: 'the entry counts through its expiry day', entries: [entry({ expires: TODAY })], verdict: 'pass' },
    { why: 'an expired entry stops counting', entries: [entry({ expires: '2026-11-25' })], verdict: 'block' },
    { why: 'the numeric npm advisory id matches too', entries: [entry({ advisory: '1097677' })], verdict: 'pass' },
    { why: 'GHSA ids match whatever their case', entries: [entry({ advisory: 'ghsa-XVCH-5gv4-984h' })], verdict: 'pass' },
    { why: 'the entry is for another package', entries: [entry({ package: 'mkdirp' })], verdict: 'block' },
    { why: 'the entry is for another advisory', entries: [entry({ advisory: 'GHSA-3h5v-q93c-6h6q' })], verdict: 'block' },
  ] as const)('$why → $verdict', ({ entries, verdict }) => {
    expect(decide('critical-through-transitive-dependency.json', 'pipeline', entries).verdict).toBe(verdict);
  });

  it('shows an allowlisted advisory with its reason and expiry, and an expired one with a hint', () => {
    expect(decide('critical-through-transitive-dependency.json', 'pipeline', [entry({})]).findings[0]?.why).toBe(
      'allowlisted until 2026-12-31: only parses our own build flags, never user input',
    );
    expect(decide('critical-through-transitive-dependency.json', 'pipeline', [entry({ expires: '2026-01-01' })]).findings[0]?.why).toMatch(
      /expired on 2026-01-01; renew it/,
    );
  });

  it('flags an expired entry that matches nothing, without blocking', () => {
    const result = decide('no-vulnerabilities.json', 'pipeline', [entry({ expires: '2025-01-01' })]);
    expect(result.verdict).toBe('pass');
    expect(result.findings).toEqual([expect.objectContaining({ severity: 'info', blocking: false, id: 'allowlist-expired-GHSA-xvch-5gv4-984h' })]);
  });

  it.each([
    { why: 'no entries key', value: [], message: /\(top level\)/ },
    { why: 'a date that is not YYYY-MM-DD', value: { entries: [entry({ expires: '31/12/2026' })] }, message: /entries\.0\.expires: must be a date written YYYY-MM-DD/ },
    { why: 'an advisory id of the wrong form', value: { entries: [entry({ advisory: 'CVE-2021-44906' })] }, message: /entries\.0\.advisory: must be a GitHub advisory id/ },
    { why: 'no reason', value: { entries: [entry({ reason: '' })] }, message: /entries\.0\.reason: must say why/ },
    { why: 'an unknown key (a typo must not be ignored)', value: { entries: [{ ...entry({}), expiry: '2027-01-01' }] }, message: /entries\.0/ },
  ])('rejects an allowlist with $why', ({ value, message }) => {
    expect(() => parseAuditAllowlist(value, '.audit-allowlist.json')).toThrow(ConfigurationError);
    expect(() => parseAuditAllowlist(value, '.audit-allowlist.json')).toThrow(message);
  });
});
