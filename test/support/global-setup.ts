import type { TestProject } from 'vitest/node';
import { startMotoServer, type MotoServer } from '../../src/local/moto-server.js';
import { TEST_WORKERS } from './workers.js';

/**
 * Starts one local AWS emulator per Vitest worker, so a test file can reset "its" emulator between
 * tests without disturbing a file that runs in parallel on the other worker.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const servers: MotoServer[] = await Promise.all(
    Array.from({ length: TEST_WORKERS }, () => startMotoServer()),
  );
  project.provide('motoEndpoints', servers.map((server) => server.endpoint));
  return async () => {
    await Promise.all(servers.map((server) => server.stop()));
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    motoEndpoints: string[];
  }
}
