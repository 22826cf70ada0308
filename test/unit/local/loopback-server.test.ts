import { Agent, createServer, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { listenOnLoopback, type LoopbackListener } from '../../../src/local/loopback-server.js';

/** One GET over the given agent; resolves with whether it went over a reused keep-alive socket. */
function get(url: string, agent: Agent): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const sent = request(url, { agent }, (response) => {
      response.resume();
      response.on('end', () => {
        resolve(sent.reusedSocket);
      });
    });
    sent.on('error', reject);
    sent.end();
  });
}

describe('listenOnLoopback', () => {
  let listener: LoopbackListener | undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  afterEach(async () => {
    agent.destroy();
    await listener?.close();
  });

  // Node closes a keep-alive connection after 5 s idle by default; a client sending on it at that
  // moment reads ECONNRESET (seen in the rehearsal when the gates starved its event loop). The
  // rehearsal's endpoints keep idle connections until they are closed.
  it('keeps an idle keep-alive connection open past Node\'s 5-second default, so a client reusing it is never reset', async () => {
    listener = await listenOnLoopback(createServer((_request, response) => response.end('ok')));
    expect(await get(listener.url, agent)).toBe(false);
    await sleep(6_500);
    expect(await get(listener.url, agent)).toBe(true);
  });

  it('closes open keep-alive connections when it closes', async () => {
    listener = await listenOnLoopback(createServer((_request, response) => response.end('ok')));
    await get(listener.url, agent);
    const closing = listener;
    listener = undefined;
    await closing.close();
    await expect(get(closing.url, agent)).rejects.toThrow();
  });
});
