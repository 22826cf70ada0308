import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseSecretsAllowlist, type SecretsAllowlistEntry } from '../../../../../src/pipeline/domain/build-gates/secrets-allowlist.js';
import { decideSecrets, parseSecretlintOutput } from '../../../../../src/pipeline/domain/build-gates/secrets.js';
import { ConfigurationError } from '../../../../../src/shared/errors.js';

/** Outputs recorded from secretlint 12 with the repository's .secretlintrc.json over test/fixtures/secrets (root rewritten to /repo). */
function recorded(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../../../../fixtures/secrets/secretlint-output/${name}`, import.meta.url)), 'utf8');
}

const ALL = ['planted/aws-credentials.ini', 'planted/settings.js', 'clean/handler.js'];
const TODAY = '2026-12-07';

function decide(name: string, options: { scanned?: readonly string[]; allowlist?: readonly SecretsAllowlistEntry[] } = {}) {
  return decideSecrets(parseSecretlintOutput(recorded(name), '/repo'), { scanned: options.scanned ?? ALL, allowlist: options.allowlist ?? [], today: TODAY });
}

const entry = (fields: Partial<SecretsAllowlistEntry>): SecretsAllowlistEntry => ({ path: 'planted/', reason: 'fake keys for the gate tests', expires: '2026-12-31', ...fields });

describe('secrets gate on recorded secretlint output', () => {
  it.each([
    { why: 'a fake AWS key pair and a GitHub token block', name: 'planted-and-clean-recorded.json', scanned: ALL, verdict: 'block' },
    { why: 'a clean file passes', name: 'clean-recorded.json', scanned: ['clean/handler.js'], verdict: 'pass' },
    { why: 'a report cut off mid-way fails closed', name: 'planted-cut-off.json', scanned: ALL, verdict: 'block' },
    { why: 'a report that leaves out a scanned file fails closed', name: 'clean-recorded.json', scanned: ALL, verdict: 'block' },
  ] as const)('$why', ({ name, scanned, verdict }) => {
    expect(decide(name, { scanned }).verdict).toBe(verdict);
  });

  it('lists each secret with rule, place and a masked message; never the secret itself', () => {
    const result = decide('planted-and-clean-recorded.json');
    expect(result.findings.map((finding) => [finding.id, finding.location, finding.blocking])).toEqual([
      ['@secretlint/secretlint-rule-aws/AWSAccessKeyID', 'planted/aws-credentials.ini:3:21', true],
      ['@secretlint/secretlint-rule-aws/AWSSecretAccessKey', 'planted/aws-credentials.ini:4:1', true],
      ['@secretlint/secretlint-rule-github/GITHUB_TOKEN', 'planted/settings.js:2:23', true],
    ]);
    const text = JSON.stringify(result);
    // Assembled here, so that this file carries no key for the repository's own scan to find.
    expect(text).not.toContain(['AKIA', 'Q3EGRKD7ZMPX5T2N'].join(''));
    expect(text).not.toContain('ghp_0123');
    expect(result.summary).toBe('BLOCKED: 3 secrets found in 3 files');
  });

  it('says why the cut-off report blocks', () => {
    const result = decide('planted-cut-off.json');
    expect(result.ran).toBe(false);
    expect(result.findings[0]?.message).toMatch(/cut off/);
  });

  it.each([
    { why: 'a folder entry accepts every file in it', allowlist: [entry({})], blocking: 0 },
    { why: 'an entry for one rule accepts only that rule', allowlist: [entry({ rule: '@secretlint/secretlint-rule-github' })], blocking: 2 },
    { why: 'an entry for one file accepts only that file', allowlist: [entry({ path: 'planted/settings.js' })], blocking: 2 },
    { why: 'an expired entry accepts nothing', allowlist: [entry({ expires: '2026-12-06' })], blocking: 3 },
    { why: 'an entry counts on its last day', allowlist: [entry({ expires: TODAY })], blocking: 0 },
    { why: 'a prefix that is not a folder does not match', allowlist: [entry({ path: 'plant' })], blocking: 3 },
  ])('$why', ({ allowlist, blocking }) => {
    const result = decide('planted-and-clean-recorded.json', { allowlist });
    expect(result.findings.filter((finding) => finding.blocking)).toHaveLength(blocking);
    expect(result.verdict).toBe(blocking > 0 ? 'block' : 'pass');
  });

  it('says an expired entry expired, and lists an expired entry that matches nothing for removal', () => {
    const expired = decide('planted-and-clean-recorded.json', { allowlist: [entry({ expires: '2026-01-31' }), entry({ path: 'gone/', expires: '2026-01-31' })] });
    expect(expired.findings[0]?.why).toMatch(/expired on 2026-01-31/);
    expect(expired.findings.find((finding) => finding.id === 'allowlist-expired')?.location).toBe('gone/');
  });

  it.each([
    { why: 'no reason', value: { entries: [{ path: 'a/', expires: '2026-12-31' }] }, problem: /entries\.0\.reason/ },
    { why: 'no expiry', value: { entries: [{ path: 'a/', reason: 'fake keys for tests' }] }, problem: /entries\.0\.expires/ },
    { why: 'a path outside the scanned folder', value: { entries: [{ path: '../x', reason: 'fake keys for tests', expires: '2026-12-31' }] }, problem: /relative/ },
    { why: 'a typo in a key', value: { entries: [{ paht: 'a/', reason: 'fake keys for tests', expires: '2026-12-31' }] }, problem: /paht/ },
  ])('rejects an allowlist with $why', ({ value, problem }) => {
    expect(() => parseSecretsAllowlist(value, '.secrets-allowlist.json')).toThrow(ConfigurationError);
    expect(() => parseSecretsAllowlist(value, '.secrets-allowlist.json')).toThrow(problem);
  });

  it.each([
    ['', /printed nothing/],
    ['{"filePath": "x"}', /array of file results/],
    ['Error: secretlint config is not found', /not JSON/],
  ])('fails closed on output %j', (text, problem) => {
    expect(parseSecretlintOutput(text, '/repo')).toMatch(problem);
  });
});
