/**
 * Something built once per test run and shared by every worker through a directory the global set-up
 * provides: the first worker to take the lock directory builds it and writes the done marker (or the
 * failed marker with the error); every other worker waits for one of the two markers. Used by the CLI
 * bundle (cli-bundle.ts), the shared product assembly (shared-assembly.ts) and the cross-region
 * assembly (cross-region-assembly.ts).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LOCK_DIRECTORY = 'building';
const POLL_MS = 100;

/** Where a run's shared product lives and how long a waiting worker gives its builder. */
export interface RunProduct {
  /** Named in errors: "The <what> failed: …". */
  readonly what: string;
  readonly directory: string;
  readonly doneFile: string;
  readonly failedFile: string;
  readonly waitLimitMs: number;
}

/** Waits until the product's done marker exists; throws with the builder's error when the failed marker appears first, or at the wait limit. */
export async function waitForRunProduct(product: RunProduct): Promise<void> {
  const deadline = Date.now() + product.waitLimitMs;
  while (Date.now() < deadline) {
    if (existsSync(join(product.directory, product.doneFile))) return;
    if (existsSync(join(product.directory, product.failedFile))) throw new Error(`The ${product.what} failed: ${readFileSync(join(product.directory, product.failedFile), 'utf8')}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`The ${product.what} did not finish within ${product.waitLimitMs / 1000} s (${product.directory}).`);
}

/** Builds the product in this worker if no other worker has begun to, else waits for it (see the file's comment). */
export async function buildOncePerRun(product: RunProduct, build: () => Promise<void>): Promise<void> {
  if (existsSync(join(product.directory, product.doneFile))) return;
  try {
    mkdirSync(join(product.directory, LOCK_DIRECTORY), { recursive: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    await waitForRunProduct(product);
    return;
  }
  try {
    await build();
    writeFileSync(join(product.directory, product.doneFile), new Date().toISOString());
  } catch (error) {
    writeFileSync(join(product.directory, product.failedFile), error instanceof Error ? (error.stack ?? error.message) : String(error));
    throw error;
  }
}
