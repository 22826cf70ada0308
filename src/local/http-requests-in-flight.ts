/**
 * Counts the HTTP requests this process has in flight, whoever sends them (the SDK clients of the
 * rehearsal, the local endpoint passing calls on to the emulator, the commit-status function calling
 * the local GitHub): the rehearsal clock skips idle time only when none is. A request counts from
 * Node's `http.client.request.start` diagnostics channel (published when the request gets its socket,
 * before the turn of the event loop that sent it ends) until its `close` event, which Node emits once
 * the response has been read to its end or the request failed, so a request is never out of the count
 * while its answer can still arrive.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

const REQUEST_START = 'http.client.request.start';

/** Calls `onChange` with the number of requests in flight whenever it changes; returns the function that stops watching. */
export function watchHttpRequestsInFlight(onChange: (inFlight: number) => void): () => void {
  let inFlight = 0;
  let watching = true;
  const started = (message: unknown): void => {
    const request = (message as { request?: ClientRequest }).request;
    if (request === undefined) return;
    inFlight += 1;
    onChange(inFlight);
    request.once('close', () => {
      inFlight -= 1;
      if (watching) onChange(inFlight);
    });
  };
  subscribe(REQUEST_START, started);
  return () => {
    watching = false;
    unsubscribe(REQUEST_START, started);
  };
}
