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
 * format reaches every function at once. It keeps the shape of NodejsFunction's bundling options:
 * lambda-bundler.ts turns it into the options of its one esbuild run, and
 * test/unit/infrastructure/constructs/lambda-bundler.test.ts proves that run writes what
 * NodejsFunction's own bundling of these options writes.
 */
export const LAMBDA_BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  target: 'node22',
  minify: true,
  sourceMap: false,
  forceDockerBundling: false,
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
};

/**
 * The handler of every Lambda function of the product, relative to the repository root: what the one
 * esbuild run of a synthesis bundles (lambda-bundler.ts), so that the first function's bundle
 * request builds all of them. A function whose entry is missing here is still bundled correctly, by a
 * second run; test/unit/infrastructure/constructs/lambda-bundler.test.ts fails when this list and the
 * product's functions differ either way.
 */
export const LAMBDA_ENTRY_POINTS: readonly string[] = [
  'src/pipeline/handlers/alarm-state-change.ts',
  'src/pipeline/handlers/health-monitor.ts',
  'src/pipeline/handlers/notify-pipeline-event.ts',
  'src/pipeline/handlers/publish-delivery-metrics.ts',
  'src/pipeline/handlers/record-pipeline-event.ts',
  'src/pipeline/handlers/rollback-advance.ts',
  'src/pipeline/handlers/rollback-trigger.ts',
  'src/pipeline/handlers/update-commit-status.ts',
  'src/worker/handlers/build-state-change.ts',
  'src/worker/handlers/poller.ts',
];
