import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { runProcess } from './run-process.js';

/** Where cyclonedx-npm's command-line script is; undefined when it is not installed. */
export function installedCycloneDxNpm(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@cyclonedx/cyclonedx-npm/package.json')), 'bin', 'cyclonedx-npm-cli.js');
  } catch {
    return undefined;
  }
}

/**
 * Runs `cyclonedx-npm --omit dev` (it reads `npm ls`: what npm ci installed from the lock file) and
 * returns the SBOM it wrote, or why there is none.
 */
export async function runCycloneDxNpm(root: string, outputFile: string, toolPath = installedCycloneDxNpm()): Promise<{ kind: 'written'; text: string } | { kind: 'failed'; problem: string }> {
  if (toolPath === undefined) return { kind: 'failed', problem: '@cyclonedx/cyclonedx-npm is not installed: run npm ci (it is a devDependency)' };
  const result = await runProcess(process.execPath, [toolPath, '--omit', 'dev', '--output-format', 'JSON', '--spec-version', '1.5', '--output-file', outputFile], { cwd: root, installHint: 'Node.js must be on the PATH.' });
  if (result.exitCode !== 0) return { kind: 'failed', problem: `cyclonedx-npm stopped with exit ${String(result.exitCode)}: ${result.stderr.trim().split('\n').slice(-2).join(' ')}` };
  const text = await readFile(outputFile, 'utf8').catch(() => undefined);
  return text === undefined ? { kind: 'failed', problem: 'cyclonedx-npm exited 0 but wrote no SBOM' } : { kind: 'written', text };
}
