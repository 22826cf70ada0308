import { fileURLToPath } from 'node:url';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

/** The repository root (with a trailing slash): esbuild's project root for every function. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The lock file that pins what esbuild bundles. */
export const DEPENDENCIES_LOCK_FILE = `${REPOSITORY_ROOT}package-lock.json`;

/**
 * How every Lambda function of the product is bundled: locally with esbuild from node_modules (never
 * Docker), as an ES module for the Node 22+ runtimes, minified. The banner gives the ESM bundle a
 * `require` because some AWS SDK dependencies still call it. One definition, so a change of target or
 * format reaches every function at once.
 */
export const LAMBDA_BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  target: 'node22',
  minify: true,
  sourceMap: false,
  forceDockerBundling: false,
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
};
