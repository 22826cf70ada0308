import { describe, expect, it } from 'vitest';
import { DEFAULT_ALLOWED_LICENCES, licenceAllowed, parseLicencePolicy, type LicencePolicy } from '../../../../../src/pipeline/domain/build-gates/licence-policy.js';
import { decideLicences, type InstalledPackage } from '../../../../../src/pipeline/domain/build-gates/licences.js';
import { ConfigurationError } from '../../../../../src/shared/errors.js';

const TODAY = '2026-12-07';
const policy: LicencePolicy = { allowed: DEFAULT_ALLOWED_LICENCES, exceptions: [] };
const pkg = (name: string, licence: string | undefined, devOnly = false): InstalledPackage => ({ name, version: '1.0.0', licence, devOnly });
const zod = pkg('zod', 'MIT');

describe('licence expressions', () => {
  it.each([
    ['MIT', true, 'a plain allowed id'],
    ['MIT-0', true, 'Powertools for AWS Lambda: MIT without the attribution condition'],
    ['(MIT OR GPL-3.0-or-later)', true, 'one allowed alternative is enough'],
    ['MIT AND GPL-3.0-only', false, 'every part of AND must be allowed'],
    ['(Apache-2.0 AND (MIT OR CC0-1.0))', true, 'nested groups'],
    ['AGPL-3.0-or-later', false, 'AGPL is not in the default list'],
    ['UNLICENSED', false, 'npm\'s word for proprietary'],
    ['SEE LICENSE IN LICENSE.md', false, 'a pointer to a file is not a licence the gate can check'],
    [undefined, false, 'no licence declared'],
  ])('%s → %s (%s)', (expression, allowed, _why) => {
    expect(licenceAllowed(expression, DEFAULT_ALLOWED_LICENCES)).toBe(allowed);
  });
});

describe('licences gate', () => {
  it.each([
    { why: 'allowed production packages and clean bundles pass', installed: [zod], bundles: [{ bundle: 'worker', packages: [zod] }], verdict: 'pass', ids: [] },
    { why: 'a production dependency under a licence outside the policy blocks', installed: [pkg('gpl-lib', 'GPL-3.0-only')], bundles: [], verdict: 'block', ids: ['licence-not-allowed'] },
    { why: 'a production dependency without a licence blocks', installed: [pkg('mystery', undefined)], bundles: [], verdict: 'block', ids: ['licence-unknown'] },
    { why: 'a dev-only package inside a bundle blocks, whatever its licence', installed: [pkg('vitest', 'MIT', true)], bundles: [{ bundle: 'health-monitor', packages: [pkg('vitest', 'MIT', true)] }], verdict: 'block', ids: ['dev-package-bundled'] },
    { why: 'an AGPL dev-only tool is reported, not blocking', installed: [zod, pkg('@cloud-copilot/iam-simulate', 'AGPL-3.0-or-later', true)], bundles: [{ bundle: 'worker', packages: [zod] }], verdict: 'pass', ids: ['dev-only-licence'] },
  ] as const)('$why', ({ installed, bundles, verdict, ids }) => {
    const result = decideLicences({ installed, bundles }, policy, TODAY);
    expect(result.verdict).toBe(verdict);
    expect(result.findings.map((finding) => finding.id)).toEqual(ids);
  });

  it('accepts a package by a live exception and blocks again once it expired', () => {
    const installed = [pkg('mpl-lib', 'MPL-2.0')];
    const exception = { package: 'mpl-lib', licence: 'MPL-2.0', reason: 'file-level copyleft, used unmodified', expires: TODAY };
    expect(decideLicences({ installed, bundles: [] }, { ...policy, exceptions: [exception] }, TODAY).verdict).toBe('pass');
    const later = decideLicences({ installed, bundles: [] }, { ...policy, exceptions: [exception] }, '2026-12-08');
    expect(later.verdict).toBe('block');
    expect(later.findings[0]?.why).toMatch(/expired on 2026-12-07/);
  });

  it.each([
    { why: 'an inventory that could not be taken', inventory: 'package-lock.json cannot be read (ENOENT)' },
    { why: 'no installed packages at all', inventory: { installed: [], bundles: [] } },
  ])('fails closed on $why', ({ inventory }) => {
    const result = decideLicences(inventory, policy, TODAY);
    expect(result.verdict).toBe('block');
    expect(result.ran).toBe(false);
  });

  it.each([
    { why: 'an exception without a reason', value: { allowed: ['MIT'], entries: [{ package: 'a', licence: 'GPL-3.0-only', expires: '2026-12-31' }] }, problem: /entries\.0\.reason/ },
    { why: 'an exception without an expiry', value: { allowed: ['MIT'], entries: [{ package: 'a', licence: 'GPL-3.0-only', reason: 'reviewed by legal' }] }, problem: /entries\.0\.expires/ },
    { why: 'no allowed licence at all', value: { allowed: [], entries: [] }, problem: /allowed/ },
  ])('rejects a policy with $why', ({ value, problem }) => {
    expect(() => parseLicencePolicy(value, 'licence-policy.json')).toThrow(ConfigurationError);
    expect(() => parseLicencePolicy(value, 'licence-policy.json')).toThrow(problem);
  });
});
