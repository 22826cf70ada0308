/**
 * An SDK v3 request handler that injects network faults around a real handler (the emulator) or a
 * scripted one, so the SDK's own retry strategy runs as it would on AWS:
 * - `lost-response`: the request reaches the service and is applied, then the connection is reset
 *   before the answer arrives (the SDK retries the same request);
 * - `throttle`: the service answers 400 ThrottlingException without applying anything.
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** What the SDK hands a request handler (the fields these tests read). */
export interface SdkHttpRequest {
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

/** What a request handler gives back to the SDK. */
export interface SdkHttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

/** The shape of an SDK v3 request handler. */
export interface SdkRequestHandler {
  handle(request: SdkHttpRequest, options?: unknown): Promise<{ response: SdkHttpResponse }>;
}

export type Fault = 'lost-response' | 'throttle';

/** Decides, per request, whether to inject a fault. `target` is the X-Amz-Target header (the JSON protocol's operation). */
export type FaultSchedule = (target: string, attempt: number) => Fault | undefined;

/** The request body as text (the SDK gives a string or bytes). */
export function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  return '';
}

/** The connection error the SDK treats as transient (and retries). */
function connectionReset(): Error {
  return Object.assign(new Error('socket hang up (injected: the answer was lost)'), { name: 'Error', code: 'ECONNRESET' });
}

/** A JSON-protocol answer. */
export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): { response: SdkHttpResponse } {
  return { response: { statusCode, headers: { 'content-type': 'application/x-amz-json-1.1', ...headers }, body: new TextEncoder().encode(JSON.stringify(body)) } };
}

/** Wraps `inner`, injecting the scheduled faults; records every operation it saw, with its body. */
export class FaultInjectingHandler implements SdkRequestHandler {
  readonly requests: { readonly target: string; readonly body: string; readonly fault?: Fault }[] = [];
  private readonly attempts = new Map<string, number>();

  constructor(
    private readonly inner: SdkRequestHandler,
    private readonly schedule: FaultSchedule,
  ) {}

  async handle(request: SdkHttpRequest, options?: unknown): Promise<{ response: SdkHttpResponse }> {
    const target = request.headers['x-amz-target'] ?? request.headers['X-Amz-Target'] ?? '';
    const attempt = (this.attempts.get(target) ?? 0) + 1;
    this.attempts.set(target, attempt);
    const fault = this.schedule(target, attempt);
    this.requests.push({ target, body: bodyText(request.body), ...(fault === undefined ? {} : { fault }) });
    if (fault === 'throttle') return jsonResponse(400, { __type: 'ThrottlingException', message: 'Rate exceeded (injected)' });
    const answer = await this.inner.handle(request, options);
    if (fault === 'lost-response') throw connectionReset();
    return answer;
  }
}

/** The SDK's own HTTP handler, for wrapping the emulator. */
export function realHandler(): SdkRequestHandler {
  return new NodeHttpHandler() as unknown as SdkRequestHandler;
}
