import { tryParseJson, type GateResult } from '../../pipeline/domain/build-gates/gate-result.js';
import { DEFAULT_ALLOWED_LICENCES, parseLicencePolicy, type LicencePolicy } from '../../pipeline/domain/build-gates/licence-policy.js';
import { decideLicences, type BundleInventory, type InstalledPackage } from '../../pipeline/domain/build-gates/licences.js';
import { bundledPackageFolders, packagesOfFolders, type BundleEntry } from '../../pipeline/adapters/tools/bundle-inspector.js';
import { readInstalledPackages } from '../../pipeline/adapters/tools/package-inventory.js';
import { ConfigurationError } from '../../shared/errors.js';
import { BUNDLE_ENTRIES } from './bundle-entries.js';
import { readReport } from './report-files.js';

/** The policy read when `--policy` is not given; when absent, the default licences and no exceptions. */
export const DEFAULT_LICENCE_POLICY = 'licence-policy.json';

/** Reads the licence policy: the default file may be absent, a named one must exist; an invalid one is a usage error. */
export async function readLicencePolicy(path: string | undefined, cwd: string): Promise<LicencePolicy> {
  const file = await readReport(path ?? DEFAULT_LICENCE_POLICY, cwd);
  if (file.kind === 'missing') {
    if (path === undefined) return { allowed: DEFAULT_ALLOWED_LICENCES, exceptions: [] };
    throw new ConfigurationError(`--policy ${path}: ${file.problem.replace(/: the tool.*$/, '')}.`, { option: 'policy' });
  }
  const value = tryParseJson(file.text);
  if (value === undefined) throw new ConfigurationError(`${file.path} is not valid JSON; fix the syntax of the licence policy.`, { file: file.path });
  return parseLicencePolicy(value, file.path);
}

/** Every installed package and what each bundle contains; a string when either cannot be read. */
export async function takeInventory(root: string, bundles: readonly BundleEntry[]): Promise<{ installed: ReadonlyMap<string, InstalledPackage>; bundles: BundleInventory[] } | string> {
  const installed = await readInstalledPackages(root);
  if (typeof installed === 'string') return installed;
  const inventories: BundleInventory[] = [];
  for (const bundle of bundles) {
    try {
      inventories.push({ bundle: bundle.name, packages: packagesOfFolders(await bundledPackageFolders(root, bundle), installed) });
    } catch (error) {
      return `esbuild could not build the ${bundle.name} bundle from ${bundle.entry}: ${error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error)}`;
    }
  }
  return { installed, bundles: inventories };
}

/** Runs the licences gate over the repository in `cwd`. */
export async function runLicencesGate(cwd: string, policyPath: string | undefined, today: string, bundles: readonly BundleEntry[] = BUNDLE_ENTRIES): Promise<GateResult> {
  const policy = await readLicencePolicy(policyPath, cwd);
  const inventory = await takeInventory(cwd, bundles);
  return decideLicences(typeof inventory === 'string' ? inventory : { installed: [...inventory.installed.values()], bundles: inventory.bundles }, policy, today);
}
