import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildOncePerRun, waitForRunProduct, type RunProduct } from '../../support/once-per-run.js';

/**
 * once-per-run.ts builds what the first worker to ask builds for the whole run: the shared product
 * synthesis (the suite's one full-validation synthesis), the cross-region app and the CLI bundle.
 * Two callers in one process stand for two workers: the lock is a directory, so the race is the same.
 */
describe('buildOncePerRun: the first caller builds, every other one waits for its marker', () => {
  let directory: string;
  let product: RunProduct;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'kiro-once-per-run-'));
    product = { what: 'test product', directory, doneFile: 'DONE', failedFile: 'FAILED', waitLimitMs: 5_000 };
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('builds once for two callers that ask at the same time, and both return when it is done', async () => {
    let builds = 0;
    const build = async (): Promise<void> => {
      builds += 1;
      // Long enough that the second caller finds the lock taken and the marker not yet written.
      await new Promise((resolve) => setTimeout(resolve, 250));
    };
    await Promise.all([buildOncePerRun(product, build), buildOncePerRun(product, build)]);
    expect(builds).toBe(1);
    expect(existsSync(join(directory, 'DONE'))).toBe(true);
  });

  it('does not build again once the done marker exists', async () => {
    let builds = 0;
    await buildOncePerRun(product, () => Promise.resolve(void (builds += 1)));
    await buildOncePerRun(product, () => Promise.resolve(void (builds += 1)));
    expect(builds).toBe(1);
  });

  it("gives the builder its own error and every waiter the builder's error, named after the product", async () => {
    const building = buildOncePerRun(product, async () => {
      await new Promise((resolve) => setTimeout(resolve, 250));
      throw new Error('the synthesis threw: bucket name taken');
    });
    const waiting = buildOncePerRun(product, () => Promise.reject(new Error('a waiter must not build')));
    await expect(building).rejects.toThrow('the synthesis threw: bucket name taken');
    await expect(waiting).rejects.toThrow(/^The test product failed: Error: the synthesis threw: bucket name taken/);
  });

  it('stops waiting at the wait limit when the builder never finishes', async () => {
    // A lock without a marker: a builder that died before it could write either.
    mkdirSync(join(directory, 'building'));
    await expect(waitForRunProduct({ ...product, waitLimitMs: 300 })).rejects.toThrow(`The test product did not finish within 0.3 s (${directory}).`);
    await expect(buildOncePerRun({ ...product, waitLimitMs: 300 }, () => Promise.reject(new Error('a waiter must not build')))).rejects.toThrow(/did not finish within 0\.3 s/);
  });
});
