/**
 * The count the rehearsal clock relies on before it skips idle time: a request is in flight from
 * the turn it was sent in until its answer has been read (or it failed), on a real loopback server.
 */
import { createServer, request, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchHttpRequestsInFlight } from '../../../src/local/http-requests-in-flight.js';

describe('watchHttpRequestsInFlight', () => {
  let server: Server;
  let port = 0;
  let arrivedAnswer: (answer: () => void) => void = () => undefined;
  const arrived = new Promise<() => void>((resolve) => (arrivedAnswer = resolve));

  beforeAll(async () => {
    server = createServer((incoming, response) => {
      incoming.resume();
      // The test answers when it wants to, so it can look at the count while the request waits.
      arrivedAnswer(() => response.end('answered'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('counts a request from its creation until its answer is read, and a failed one until it closed', async () => {
    const counts: number[] = [];
    const stop = watchHttpRequestsInFlight((inFlight) => counts.push(inFlight));
    try {
      const answered = new Promise<string>((resolve) => {
        const sent = request({ host: '127.0.0.1', port, method: 'POST' }, (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => { resolve(body); });
        });
        sent.end('question');
      });
      // Node publishes the start when the request gets its socket, before this turn of the event loop ends.
      await new Promise((resolve) => setImmediate(resolve));
      expect(counts).toEqual([1]);
      const answer = await arrived;
      // Received and not yet answered: still in flight.
      expect(counts).toEqual([1]);
      answer();
      expect(await answered).toBe('answered');
      // Node emits the request's close on the next tick after the response's end.
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(counts).toEqual([1, 0]);

      // Port 1 refuses the connection: in flight until the request closed after its error.
      await new Promise<void>((resolve) => {
        const refused = request({ host: '127.0.0.1', port: 1 });
        refused.on('error', () => { resolve(); });
        refused.on('close', () => { resolve(); });
        refused.end();
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(counts).toEqual([1, 0, 1, 0]);
    } finally {
      stop();
    }
    // Stopped: later requests are not counted.
    const later = request({ host: '127.0.0.1', port: 1 });
    later.on('error', () => undefined);
    later.end();
    expect(counts).toEqual([1, 0, 1, 0]);
  });
});
