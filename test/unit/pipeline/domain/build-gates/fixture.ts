import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Reads a recorded tool output from test/fixtures/build-tools/<tool>/<name>. */
export function buildToolFixture(tool: 'npm-audit' | 'coverage' | 'eslint' | 'junit', name: string): string {
  return readFileSync(fileURLToPath(new URL(`../../../../fixtures/build-tools/${tool}/${name}`, import.meta.url)), 'utf8');
}

/** Absolute path of a recorded tool output, for command tests that read files themselves. */
export function buildToolFixturePath(tool: 'npm-audit' | 'coverage' | 'eslint' | 'junit', name: string): string {
  return fileURLToPath(new URL(`../../../../fixtures/build-tools/${tool}/${name}`, import.meta.url));
}
