/**
 * A synthesized template with the hashes of its file assets (a Lambda function's bundle) taken
 * out, so that two syntheses that differ only in which bundle a function deploys compare equal:
 * one that bundled and one that skipped bundling (test-app.ts), or the product and a variant of it.
 * The hashes are the keys of the stack's asset manifest (`<artifact>.assets.json` beside
 * `<artifact>.template.json`), so nothing else in the template that looks like a hash is touched.
 * The one other place the bundle shows: a function's `currentVersion` (AWS::Lambda::Version) has a
 * logical ID ending in a hash of the function's properties, its code's S3 key included
 * (aws-cdk-lib/aws-lambda function-hash.ts), so that new code makes a new version; that 32-digit
 * suffix is replaced too.
 */
import { existsSync, readFileSync } from 'node:fs';

/** What replaces every asset hash. */
export const ASSET_HASH_PLACEHOLDER = '<asset-hash>';

/** What replaces the code-dependent suffix of a Lambda version's logical ID. */
export const VERSION_HASH_PLACEHOLDER = '<version-hash>';

/** `<function id>CurrentVersion` + the construct path's 8-digit hash + the function hash (32 lowercase hex digits). */
const VERSION_LOGICAL_ID = /(CurrentVersion[0-9A-F]{8})[0-9a-f]{32}/g;

/** The file asset hashes a stack's asset manifest lists, the template's own entry excluded. */
export function fileAssetHashes(templatePath: string): string[] {
  const manifestPath = templatePath.replace(/\.template\.json$/, '.assets.json');
  if (manifestPath === templatePath || !existsSync(manifestPath)) return [];
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files?: Record<string, { source?: { path?: string } }> };
  return Object.entries(manifest.files ?? {})
    .filter(([, asset]) => !(asset.source?.path ?? '').endsWith('.template.json'))
    .map(([hash]) => hash);
}

/**
 * The template's text with each of its stack's file asset hashes replaced by
 * {@link ASSET_HASH_PLACEHOLDER}, and the function hash in each Lambda version's logical ID by
 * {@link VERSION_HASH_PLACEHOLDER}.
 */
export function templateWithoutAssetHashes(templatePath: string): string {
  let text = readFileSync(templatePath, 'utf8');
  for (const hash of fileAssetHashes(templatePath)) text = text.replaceAll(hash, ASSET_HASH_PLACEHOLDER);
  return text.replace(VERSION_LOGICAL_ID, `$1${VERSION_HASH_PLACEHOLDER}`);
}
