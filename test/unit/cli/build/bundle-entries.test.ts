import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLE_ENTRIES } from '../../../../src/cli/build/bundle-entries.js';

const ROOT = new URL('../../../../', import.meta.url).pathname;

/** Every handler name or entry file the constructs under infrastructure/lib pass to a bundler. */
function entriesInConstructs(): string[] {
  const found: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        const text = readFileSync(path, 'utf8');
        for (const match of text.matchAll(/(?:handlerName: |handlerEntry\()'([a-z-]+)'/g)) found.push(`src/pipeline/handlers/${match[1] ?? ''}.ts`);
        for (const match of text.matchAll(/'\.\.\/(?:\.\.\/)+(src\/worker\/handlers\/[a-z-]+\.ts)'/g)) found.push(match[1] ?? '');
      }
    }
  };
  walk(join(ROOT, 'infrastructure/lib'));
  return [...new Set(found)].sort();
}

describe('bundle entries', () => {
  it('lists exactly the entry points the CDK constructs bundle', () => {
    expect(BUNDLE_ENTRIES.map((bundle) => bundle.entry).sort()).toEqual(entriesInConstructs());
  });
});
