import { isActiveOn } from './allowlist-fields.js';
import { unreadableReport, type GateFinding, type GateResult } from './gate-result.js';
import { licenceAllowed, type LicencePolicy } from './licence-policy.js';

/**
 * The licences gate. Production dependencies and every package each Lambda bundle contains must
 * carry an allowed licence (or an exception that has not expired); a bundle that contains a
 * dev-only package blocks, whatever its licence, since dev-only packages are never vetted for
 * shipping. Dev-only packages with other licences (AGPL test tools, for instance) are reported.
 */

/** One installed package, as the lock file and its package.json describe it. */
export interface InstalledPackage {
  readonly name: string;
  readonly version: string;
  /** The SPDX expression of package.json `license`; undefined when it declares none. */
  readonly licence: string | undefined;
  /** Only needed to develop, build or test this repository (npm marks it dev in the lock file). */
  readonly devOnly: boolean;
}

/** What one bundle contains. */
export interface BundleInventory {
  readonly bundle: string;
  readonly packages: readonly InstalledPackage[];
}

/** What the licences gate judges. */
export interface LicenceInventory {
  /** Every installed package: production and dev-only. */
  readonly installed: readonly InstalledPackage[];
  readonly bundles: readonly BundleInventory[];
}

const id = (pkg: InstalledPackage): string => `${pkg.name}@${pkg.version}`;

function shipped(pkg: InstalledPackage, where: string, policy: LicencePolicy, today: string): GateFinding | undefined {
  if (licenceAllowed(pkg.licence, policy.allowed)) return undefined;
  const base = {
    severity: 'error',
    id: pkg.licence === undefined ? 'licence-unknown' : 'licence-not-allowed',
    message: `${id(pkg)} ${pkg.licence === undefined ? 'declares no licence' : `is licensed ${pkg.licence}`}, which the policy does not allow`,
    location: `${id(pkg)} (${where})`,
  } as const;
  const exceptions = policy.exceptions.filter((entry) => entry.package === pkg.name && entry.licence === pkg.licence);
  const active = exceptions.find((entry) => isActiveOn(entry, today));
  if (active !== undefined) return { ...base, blocking: false, acceptedBecause: active.reason, why: `excepted until ${active.expires}: ${active.reason}` };
  const expired = exceptions[0] === undefined ? '' : ` Its exception expired on ${exceptions[0].expires}.`;
  return {
    ...base,
    blocking: true,
    why: `Shipped code must carry an allowed licence (${policy.allowed.join(', ')}): replace the package, or add an exception with a reason and an expiry to licence-policy.json after a licence review.${expired}`,
  };
}

/** Decides the licences gate; `problem` says why the inventory could not be taken (it then blocks). */
export function decideLicences(inventory: LicenceInventory | string, policy: LicencePolicy, today: string): GateResult {
  if (typeof inventory === 'string') return unreadableReport('licences', inventory);
  if (inventory.installed.length === 0) return unreadableReport('licences', 'no installed packages were found: run npm ci first');
  const findings: GateFinding[] = [];
  const production = inventory.installed.filter((pkg) => !pkg.devOnly);
  for (const pkg of production) {
    const finding = shipped(pkg, 'production dependency', policy, today);
    if (finding !== undefined) findings.push(finding);
  }
  for (const bundle of inventory.bundles) {
    for (const pkg of bundle.packages) {
      if (pkg.devOnly) {
        findings.push({
          severity: 'error',
          id: 'dev-package-bundled',
          message: `the ${bundle.bundle} bundle contains ${id(pkg)}, a dev-only package`,
          location: `${id(pkg)} (bundle ${bundle.bundle})`,
          blocking: true,
          why: 'Dev-only packages are never vetted for shipping (their licences may forbid it): import it only from tests, scripts or the CDK app, or make it a production dependency after a licence review.',
        });
        continue;
      }
      const finding = shipped(pkg, `bundle ${bundle.bundle}`, policy, today);
      if (finding !== undefined) findings.push(finding);
    }
  }
  for (const pkg of inventory.installed.filter((installed) => installed.devOnly && !licenceAllowed(installed.licence, policy.allowed))) {
    findings.push({
      severity: 'info',
      id: 'dev-only-licence',
      message: `${id(pkg)} is licensed ${pkg.licence ?? '(none declared)'}; it is dev-only`,
      location: id(pkg),
      blocking: false,
      why: 'Dev-only: used to build or test, never shipped; every bundle is checked not to contain it.',
    });
  }
  const blocking = findings.filter((finding) => finding.blocking).length;
  const tally = `${String(blocking)} licence problems in ${String(production.length)} production packages and ${String(inventory.bundles.length)} bundles; ${String(findings.filter((finding) => finding.id === 'dev-only-licence').length)} dev-only packages outside the policy reported`;
  return { tool: 'licences', verdict: blocking > 0 ? 'block' : 'pass', ran: true, findings, summary: blocking > 0 ? `BLOCKED: ${tally}` : `passed: ${tally}` };
}
