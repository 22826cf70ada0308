import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { BundleSize } from '../../domain/bundles/bundle-size-limit.js';

/**
 * Measures the code bundles of a synthesized cloud assembly: every zip file asset that the asset
 * manifests (`*.assets.json`, top level and nested `assembly-*` folders) list, whose folder holds
 * JavaScript (a Lambda function's `index.mjs`, the worker's bundle). Each asset is counted once,
 * however many environments deploy it; it is named by the construct path CDK records for it.
 */

interface AssetManifest {
  readonly files?: Record<string, { readonly displayName?: string; readonly source?: { readonly path?: string; readonly packaging?: string } }>;
}

function manifestsUnder(directory: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.assets.json')) found.push(join(directory, entry.name));
    else if (entry.isDirectory() && entry.name.startsWith('assembly-')) found.push(...manifestsUnder(join(directory, entry.name)));
  }
  return found;
}

function folderBytes(folder: string): { readonly bytes: number; readonly javascript: boolean } {
  let bytes = 0;
  let javascript = false;
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    bytes += statSync(join(entry.parentPath, entry.name)).size;
    if (/\.(m|c)?js$/.test(entry.name)) javascript = true;
  }
  return { bytes, javascript };
}

/** The JavaScript bundles of the assembly in `assemblyDir`, sorted by name. */
export function readBundleSizes(assemblyDir: string): BundleSize[] {
  const byAsset = new Map<string, BundleSize>();
  for (const manifestPath of manifestsUnder(assemblyDir)) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as AssetManifest;
    for (const [hash, file] of Object.entries(manifest.files ?? {})) {
      const source = file.source?.path;
      if (file.source?.packaging !== 'zip' || source === undefined) continue;
      const folder = resolve(dirname(manifestPath), source);
      if (byAsset.has(folder)) continue;
      const measured = folderBytes(folder);
      if (!measured.javascript) continue;
      byAsset.set(folder, { name: (file.displayName ?? hash).replace(/\/Code$/, ''), bytes: measured.bytes, asset: basename(folder) });
    }
  }
  return [...byAsset.values()].sort((left, right) => left.name.localeCompare(right.name));
}
