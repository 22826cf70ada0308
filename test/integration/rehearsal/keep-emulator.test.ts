import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A main job that keeps the emulator, as a real process: it starts moto, prints the banner and waits,
 * exactly as `npm start -- --keep-emulator` ends (issue 14, item 6). Stopping it must stop moto.
 */
describe('a kept emulator', () => {
  const directory = mkdtempSync(join(tmpdir(), 'kiro-keep-'));
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('is announced with its tables, topics and PIDs, and stops with its owner (no orphaned moto)', async () => {
    const script = join(directory, 'keep.mts');
    const module = (path: string): string => pathToFileURL(join(ROOT, path)).href;
    writeFileSync(
      script,
      [
        `import { startMotoServer } from '${module('src/local/moto-server.ts')}';`,
        `import { keptEmulatorBanner, stopEmulatorWithOwner } from '${module('src/rehearsal/keep-emulator.ts')}';`,
        'const emulator = await startMotoServer();',
        "const lines = keptEmulatorBanner({ endpoint: emulator.endpoint, emulatorPid: emulator.pid, ownerPid: process.pid, historyTable: 'h-table', ledgerTable: 'l-table', teamTopicArn: 'arn:aws:sns:us-east-1:123456789012:team', environmentTopicArns: { staging: 'arn:aws:sns:us-east-1:123456789012:staging' } });",
        "process.stdout.write(lines.join('\\n') + '\\n');",
        'stopEmulatorWithOwner(() => emulator.stop());',
        'setInterval(() => undefined, 1000);',
      ].join('\n'),
    );
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), [script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const motoPid = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const pid = /moto PID (\d+)/.exec(stdout)?.[1];
        if (pid !== undefined && stdout.includes('Stop it with')) resolve(Number(pid));
      });
      child.on('exit', (code) => { reject(new Error(`exited ${String(code)} before the banner: ${stdout}`)); });
    });
    expect(stdout).toContain('ledger table       l-table');
    expect(stdout).toContain('team topic         arn:aws:sns:us-east-1:123456789012:team');
    expect(stdout).toContain('staging topic      arn:aws:sns:us-east-1:123456789012:staging');
    const ownerPid = Number(/kill (\d+) \(PID of this main job\)/.exec(stdout)?.[1]);
    expect(isRunning(ownerPid)).toBe(true);
    expect(isRunning(motoPid)).toBe(true);

    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // As an operator would: kill the PID the banner names.
    process.kill(ownerPid, 'SIGTERM');
    await exited;
    expect(isRunning(motoPid)).toBe(false);
  }, 60_000);
});
