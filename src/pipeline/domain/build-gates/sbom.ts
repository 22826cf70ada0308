import type { InstalledPackage } from './licences.js';

/**
 * A CycloneDX 1.5 SBOM (JSON) of one bundle: every package its esbuild metafile shows it contains,
 * with version, package URL and declared licence. Pure: the caller passes the time.
 * Format: https://cyclonedx.org/docs/1.5/json/ (bomFormat, specVersion, version, metadata, components).
 */

/** The package URL of an npm package (`pkg:npm/%40aws-sdk/client-sqs@3.1175.0`): the scope's @ is percent-encoded. */
export function npmPurl(pkg: Pick<InstalledPackage, 'name' | 'version'>): string {
  return `pkg:npm/${pkg.name.replace(/^@/, '%40')}@${pkg.version}`;
}

/** The CycloneDX document of a bundle, ready for JSON.stringify. */
export function bundleSbom(bundle: string, packages: readonly InstalledPackage[], at: Date): Record<string, unknown> {
  const sorted = [...packages].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    version: 1,
    metadata: {
      timestamp: at.toISOString(),
      tools: [{ vendor: 'Kiro CD', name: 'kiro-cd sbom' }],
      component: { type: 'application', name: bundle, 'bom-ref': `bundle:${bundle}` },
    },
    components: sorted.map((pkg) => ({
      type: 'library',
      'bom-ref': npmPurl(pkg),
      name: pkg.name,
      version: pkg.version,
      purl: npmPurl(pkg),
      ...(pkg.licence === undefined ? {} : { licenses: [{ expression: pkg.licence }] }),
    })),
  };
}

/** Checks that what cyclonedx-npm wrote is a CycloneDX JSON document with components; a string says what is wrong. */
export function checkCycloneDxJson(text: string): { readonly components: number } | string {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    return 'not JSON: cyclonedx-npm stopped before finishing it';
  }
  const document = value as { bomFormat?: unknown; components?: unknown };
  if (document.bomFormat !== 'CycloneDX' || !Array.isArray(document.components)) return 'not a CycloneDX document with components';
  return { components: document.components.length };
}
