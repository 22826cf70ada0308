import { describe, expect, it } from 'vitest';
import { BUNDLE_SIZE_LIMIT_BYTES, formatBundleSizes, oversizedBundles } from '../../../../../src/pipeline/domain/bundles/bundle-size-limit.js';

const bundle = (name: string, bytes: number) => ({ name, bytes, asset: `asset.${name}` });

describe('bundle size limit', () => {
  it.each([
    { why: 'exactly at the limit passes', bytes: BUNDLE_SIZE_LIMIT_BYTES, over: false },
    { why: 'one byte over fails', bytes: BUNDLE_SIZE_LIMIT_BYTES + 1, over: true },
    { why: 'a small bundle passes', bytes: 120_000, over: false },
  ])('$why', ({ bytes, over }) => {
    expect(oversizedBundles([bundle('A', bytes)]).length > 0).toBe(over);
  });

  it('lists oversized bundles largest first', () => {
    expect(oversizedBundles([bundle('small', 10), bundle('big', 900_000), bundle('bigger', 950_000)]).map((entry) => entry.name)).toEqual(['bigger', 'big']);
  });

  it('prints one line per bundle, largest first, marking the ones over the limit', () => {
    expect(formatBundleSizes([bundle('PipelineEvents/Recorder', 160_768), bundle('Worker/WorkerBundle', 600_000)])).toEqual([
      '  Worker/WorkerBundle       585.9 KB  117 %  OVER THE LIMIT',
      '  PipelineEvents/Recorder   157.0 KB   31 %',
      '  (limit 500.0 KB a bundle)',
    ]);
  });
});
