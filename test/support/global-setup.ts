import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startMotoServer, type MotoServer } from '../../src/local/moto-server.js';
import { cliBundleDirectory } from './cli-bundle.js';
import { startCfnLintServer } from './cfn-lint-server-process.js';
import { TEST_WORKERS } from './workers.js';

/**
 * How long an emulator may take to answer. Idle it is ready in ~1.5 s; under a load average of 20 on
 * two cores, Python importing moto took longer than the emulator's own 20 s default, and the whole
 * run failed before its first test.
 */
const MOTO_READY_LIMIT_MS = 90_000;

/**
 * Starts one local AWS emulator per Vitest worker, so a test file can reset "its" emulator between
 * tests without disturbing a file that runs in parallel on the other worker; then provides the
 * directories of what the first test to need it builds once per run: the shared synthesis of the
 * product (shared-assembly.ts), the cross-region app and the CLI bundle; and starts the run's
 * cfn-lint server (cfn-lint-server.ts), which the gates tests lint through. No test starts before the
 * emulators answer, so no synthesis delays their start beyond their readiness limit on a busy 2-core
 * machine.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [cfnLint, servers] = await Promise.all([
    startCfnLintServer(),
    Promise.all(Array.from({ length: TEST_WORKERS }, (): Promise<MotoServer> => startMotoServer({ timeoutMs: MOTO_READY_LIMIT_MS }))),
  ]);
  project.provide('cfnLintServer', cfnLint.socketPath);
  project.provide('motoEndpoints', servers.map((server) => server.endpoint));
  // The run's directory for the product, synthesized by the first test that asks (shared-assembly.ts).
  const product = mkdtempSync(join(tmpdir(), 'kiro-shared-assembly-'));
  project.provide('productAssembly', product);
  // The run's directory for the cross-region app, synthesized by the first test that asks (cross-region-assembly.ts).
  const crossRegion = mkdtempSync(join(tmpdir(), 'kiro-cross-region-assembly-'));
  project.provide('crossRegionAssembly', crossRegion);
  // The run's directory for the kiro-cd bundle, built by the first test that starts kiro-cd (cli-bundle.ts).
  const cliBundle = cliBundleDirectory(project.config.root, `${String(process.pid)}-${String(Date.now())}`);
  mkdirSync(cliBundle, { recursive: true });
  project.provide('cliBundleDirectory', cliBundle);
  return async () => {
    rmSync(product, { recursive: true, force: true });
    rmSync(crossRegion, { recursive: true, force: true });
    rmSync(cliBundle, { recursive: true, force: true });
    await Promise.all([cfnLint.stop(), ...servers.map((server) => server.stop())]);
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    motoEndpoints: string[];
  }
}
