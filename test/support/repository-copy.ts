import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A throw-away copy of the sources (node_modules linked), so a test can break a file and run a real process on it. */
export interface RepositoryCopy {
  readonly dir: string;
  /** Rewrites one file of the copy: `edit` receives its current text. */
  edit(path: string, edit: (text: string) => string): void;
  write(path: string, text: string): void;
  /** Runs `node_modules/.bin/tsx <script> ...args` in the copy. */
  tsx(script: string, args?: readonly string[]): Promise<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }>;
  remove(): void;
}

/** Copies src/, infrastructure/, package.json, tsconfig.json and cdk.json into a temporary directory. */
export function copyRepository(): RepositoryCopy {
  const dir = mkdtempSync(join(tmpdir(), 'kiro-repo-'));
  for (const entry of ['src', 'infrastructure', 'package.json', 'tsconfig.json', 'cdk.json']) cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return {
    dir,
    edit: (path, edit) => { writeFileSync(join(dir, path), edit(readFileSync(join(dir, path), 'utf8'))); },
    write: (path, text) => { writeFileSync(join(dir, path), text); },
    tsx: (script, args = []) =>
      new Promise((resolve, reject) => {
        const child = spawn(join(dir, 'node_modules', '.bin', 'tsx'), [script, ...args], {
          cwd: dir,
          env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', CDK_VALIDATION: 'false' },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('error', reject);
        child.on('close', (code) => { resolve({ code, stdout, stderr }); });
      }),
    remove: () => { rmSync(dir, { recursive: true, force: true }); },
  };
}
