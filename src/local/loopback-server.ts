/**
 * Starts a local HTTP server on 127.0.0.1 at a free port (the local endpoints of the rehearsal), and
 * closes it with its open keep-alive connections, so a test or `npm start` never waits on a socket.
 */
import type { Server } from 'node:http';

/** A listening loopback server: its base URL and how to close it. */
export interface LoopbackListener {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * How long an idle keep-alive connection stays open. Node's default, 5 s, races the SDK clients: a
 * client that sends on a connection the server is closing at that moment reads ECONNRESET (seen when
 * the policy gates ran beside the rehearsal and delayed its event loop). The endpoints live only as
 * long as the rehearsal or the test, and {@link LoopbackListener.close} closes every connection.
 */
export const LOOPBACK_KEEP_ALIVE_MS = 10 * 60_000;

/** Listens on 127.0.0.1 at a port the system picks; rejects when the server cannot listen. */
export async function listenOnLoopback(server: Server): Promise<LoopbackListener> {
  server.keepAliveTimeout = LOOPBACK_KEEP_ALIVE_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
