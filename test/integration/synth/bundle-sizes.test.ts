import { beforeAll, describe, expect, it } from 'vitest';
import { readBundleSizes } from '../../../src/pipeline/adapters/tools/bundle-sizes.js';
import { BUNDLE_SIZE_LIMIT_BYTES, oversizedBundles, type BundleSize } from '../../../src/pipeline/domain/bundles/bundle-size-limit.js';
import { BUNDLE_ENTRIES } from '../../../src/cli/build/bundle-entries.js';
import { productAssembly } from '../../support/shared-assembly.js';

/**
 * Issue 16, item 6: every code bundle the synthesis produces (each Lambda function's `index.mjs`),
 * measured in the asset folders of the shared product assembly.
 */
describe('bundle sizes of the synthesized assembly', () => {
  let bundles: BundleSize[];
  beforeAll(async () => {
    bundles = readBundleSizes(await productAssembly());
  }, 300_000);

  it('measures every bundle the CDK app builds, each once', () => {
    // One asset per entry point: the seven pipeline Lambdas, the worker's poller and build-end Lambdas.
    expect(bundles).toHaveLength(BUNDLE_ENTRIES.length);
    expect(bundles.map((bundle) => bundle.name)).toEqual(expect.arrayContaining(['Poller/Function', 'BuildEnd/Function', 'PipelineEvents/Recorder']));
    expect(bundles.every((bundle) => bundle.bytes > 1024)).toBe(true);
  });

  it('keeps every bundle at or under 500 KB', () => {
    expect(oversizedBundles(bundles).map((bundle) => `${bundle.name}: ${String(bundle.bytes)} bytes`)).toEqual([]);
    expect(Math.max(...bundles.map((bundle) => bundle.bytes))).toBeLessThanOrEqual(BUNDLE_SIZE_LIMIT_BYTES);
  });
});
