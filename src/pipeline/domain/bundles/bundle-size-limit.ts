/**
 * How large a deployed code bundle may be, and the check of the bundles a synthesis produced.
 * Pure: the adapter (adapters/tools/bundle-sizes.ts) measures the asset folders.
 *
 * Why a limit far below Lambda's own (50 MB zipped, 250 MB unzipped): a bundle's size is loaded
 * and parsed on every cold start, and a jump in size is the first sign that a dependency pulled in
 * more than it should (zod's `z` object imported by name kept all ~40 of its locales: ~440 KB).
 */

/** The largest bundle any function or the worker may ship, in bytes (issue 16: 500 KB). */
export const BUNDLE_SIZE_LIMIT_BYTES = 500 * 1024;

/** One code bundle of the cloud assembly. */
export interface BundleSize {
  /** The construct path CDK names the asset by (`PipelineEvents/Recorder`, `Worker/WorkerBundle`). */
  readonly name: string;
  /** The bundle's files together, in bytes, before zipping. */
  readonly bytes: number;
  /** The asset's folder in the assembly (`asset.<hash>`), shared by every stack that deploys it. */
  readonly asset: string;
}

/** Bundles over the limit, largest first. */
export function oversizedBundles(bundles: readonly BundleSize[], limit = BUNDLE_SIZE_LIMIT_BYTES): BundleSize[] {
  return bundles.filter((bundle) => bundle.bytes > limit).sort((left, right) => right.bytes - left.bytes);
}

/** The size table `npm start` prints: one line per bundle, largest first, the limit and each one's share of it. */
export function formatBundleSizes(bundles: readonly BundleSize[], limit = BUNDLE_SIZE_LIMIT_BYTES): string[] {
  const sorted = [...bundles].sort((left, right) => right.bytes - left.bytes || left.name.localeCompare(right.name));
  const width = Math.max(0, ...sorted.map((bundle) => bundle.name.length));
  const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
  return [
    ...sorted.map((bundle) => `  ${bundle.name.padEnd(width)}  ${kib(bundle.bytes).padStart(9)}  ${String(Math.round((bundle.bytes / limit) * 100)).padStart(3)} %${bundle.bytes > limit ? '  OVER THE LIMIT' : ''}`),
    `  (limit ${kib(limit)} a bundle)`,
  ];
}
