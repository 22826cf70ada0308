import { inject, beforeEach } from 'vitest';

/** Dummy credentials: the emulator accepts any, and no real credential is ever read in tests. */
export const TEST_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;
export const TEST_REGION = 'us-east-1';
export const TEST_ACCOUNT = '123456789012';

/** The endpoint of the emulator that belongs to this test worker. */
export function motoEndpoint(): string {
  const endpoints = inject('motoEndpoints');
  const poolId = Number(process.env.VITEST_POOL_ID ?? '1');
  const endpoint = endpoints[(poolId - 1) % endpoints.length];
  if (endpoint === undefined) throw new Error('No local emulator was started (see test/support/global-setup.ts).');
  return endpoint;
}

/** SDK v3 client configuration that talks to this worker's emulator, with no retries. */
export function motoClientConfig(): {
  endpoint: string;
  region: string;
  credentials: typeof TEST_CREDENTIALS;
  maxAttempts: number;
  forcePathStyle: boolean;
} {
  return { endpoint: motoEndpoint(), region: TEST_REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1, forcePathStyle: true };
}

/** Clears the emulator. */
export async function resetMoto(): Promise<void> {
  const response = await fetch(`${motoEndpoint()}/moto-api/reset`, { method: 'POST' });
  if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
}

/** Registers a `beforeEach` that clears the emulator, so every test starts from nothing. */
export function useFreshMoto(): void {
  beforeEach(async () => {
    await resetMoto();
  });
}
