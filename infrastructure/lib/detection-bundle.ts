/**
 * The pipeline's change detection as one file that runs on plain Node.js (docs/pipeline.md, "Change
 * detection without npm ci"): the Build bundles `kiro-cd detect-changes` with esbuild and copies the
 * CDK CLI (the aws-cdk package has no dependencies) next to it, into a directory the Build hands to
 * each Detect action as a second output artifact. The Detect actions then need no `npm ci`.
 */
import { cp, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { DETECTION_BUNDLE_FILE, DETECTION_CDK_DIRECTORY } from '../../src/pipeline/domain/plan/codebuild-actions.js';
import { LAMBDA_BUNDLING } from './constructs/lambda-bundling.js';


const ENTRY = fileURLToPath(new URL('../bin/detect-changes-entry.ts', import.meta.url));

/** Writes the bundled detection and the CDK CLI of this repository's lock file into `outDir`. */
export async function bundleDetection(outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [ENTRY],
    outfile: join(outDir, DETECTION_BUNDLE_FILE),
    bundle: true,
    platform: 'node',
    format: 'esm',
    // The runtime the Detect actions ask CodeBuild for (CODEBUILD_NODE_VERSION).
    target: 'node22',
    minify: true,
    // Some AWS SDK dependencies still call `require`, as in the Lambda bundles.
    banner: { js: LAMBDA_BUNDLING.banner ?? '' },
    logLevel: 'warning',
  });
  const cdkPackage = dirname(createRequire(import.meta.url).resolve('aws-cdk/package.json'));
  await cp(cdkPackage, join(outDir, DETECTION_CDK_DIRECTORY), { recursive: true });
}
