import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** A running local AWS emulator (moto_server) bound to 127.0.0.1. */
export interface MotoServer {
  /** Base URL, for example `http://127.0.0.1:40123`. */
  readonly endpoint: string;
  /** Process id of the emulator, so a kept emulator can be found and stopped by hand. */
  readonly pid?: number;
  /** Clears every resource the emulator holds (`POST /moto-api/reset`). */
  reset(): Promise<void>;
  /** Stops the emulator process and waits for it to exit. */
  stop(): Promise<void>;
}

/** Raised when the emulator is not installed or does not come up. */
export class MotoServerUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MotoServerUnavailableError';
  }
}

const INSTALL_HINT =
  'The local AWS emulator is missing. Install it for python3 with `python3 -m pip install "moto[server]"` (Python 3.9+), ' +
  'or run `bash scripts/ensure-tools.sh`, then try again.';

/**
 * moto_server's entry point as the emulator runs it (moto-launcher.py, beside this file): one request at
 * a time, so moto's conditional writes are atomic as DynamoDB's are, and DynamoDB Query without
 * moto's sort of the whole table before each query (the launcher's docstring says why the answers
 * are the same; test/integration/local/moto-query.property.test.ts compares them with moto's own).
 */
export const MOTO_LAUNCHER = fileURLToPath(new URL('./moto-launcher.py', import.meta.url));

/** True when python3 can import moto's server (what `pip install "moto[server]"` installs). */
export function isMotoServerInstalled(): boolean {
  const probe = spawnSync('python3', ['-c', 'import moto.server'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

/** Asks the kernel for a free TCP port on 127.0.0.1. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('Could not read the port the kernel assigned.'));
        return;
      }
      server.close(() => {
        resolve(address.port);
      });
    });
  });
}

async function waitUntilReady(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) {
      // Only now, on the failure path, is it worth a second Python start to say whether moto is installed at all.
      if (!isMotoServerInstalled()) throw new MotoServerUnavailableError(INSTALL_HINT);
      throw new MotoServerUnavailableError(`moto_server exited with code ${child.exitCode} before it was ready.`);
    }
    try {
      const response = await fetch(`${endpoint}/moto-api/data.json`);
      if (response.ok) return;
      lastError = new Error(`HTTP ${response.status}`);
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new MotoServerUnavailableError(`moto_server did not answer at ${endpoint} within ${timeoutMs} ms.`, {
    cause: lastError,
  });
}

/** How {@link startMotoServer} starts the emulator. */
export interface MotoServerOptions {
  /** How long to wait for the emulator to answer. @default 20_000 */
  readonly timeoutMs?: number;
  /** The Python to run. @default 'python3' */
  readonly python?: string;
  /**
   * Serve DynamoDB Query with moto's own code path, which sorts the whole table first: only for the
   * test that compares it with the launcher's faster one. @default false
   */
  readonly plainQuery?: boolean;
}

/**
 * Starts moto_server on 127.0.0.1 on a free port and waits until it answers.
 * Fails with an install hint when the emulator is not installed. Whether it is installed is asked
 * only after the server has failed to start, not by an `import moto.server` probe before every start:
 * that probe is a second Python start (1.5 s idle, 6.5 s measured on two busy cores) run with
 * `spawnSync`, so it blocked the event loop while `npm start` had synthesis to run beside it.
 */
export async function startMotoServer(options: MotoServerOptions = {}): Promise<MotoServer> {
  const port = await findFreePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const launcherArguments = options.plainQuery === true ? ['--plain-query'] : [];
  const child = spawn(options.python ?? 'python3', [MOTO_LAUNCHER, ...launcherArguments, '-H', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore',
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'true' },
  });
  const spawnFailed = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' ? new MotoServerUnavailableError(`python3 is not on the PATH. ${INSTALL_HINT}`, { cause: error }) : error);
    });
  });
  spawnFailed.catch(() => undefined);
  try {
    await Promise.race([waitUntilReady(endpoint, child, options.timeoutMs ?? 20_000), spawnFailed]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    endpoint,
    ...(child.pid === undefined ? {} : { pid: child.pid }),
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset failed with HTTP ${response.status}`);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
      }, 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
