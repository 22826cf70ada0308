/**
 * A CodeBuild client for the local emulator that records the requests it sends and corrects one
 * known defect of moto's answers, so the worker's real adapters can run their success path there.
 *
 * Behaviour note. The CodeBuild API speaks the AWS JSON 1.1 protocol, in which timestamps are epoch
 * seconds as JSON numbers (https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html, "timestamp":
 * epoch-seconds). moto 5.2 answers StartBuild and BatchGetBuilds with ISO-8601 strings instead, which
 * SDK v3 refuses ("Expected real number"). The middleware below turns every ISO-8601 timestamp
 * string of an answer into the epoch-seconds number CodeBuild would have sent; nothing else of the
 * answer changes, and requests go to the emulator as the SDK serialised them.
 */
import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { motoClientConfig } from '../../support/moto.js';

/** One request as it went over the wire: the operation (X-Amz-Target) and its JSON body. */
export interface SentRequest {
  readonly operation: string;
  readonly body: Record<string, unknown>;
}

/** How an ISO-8601 timestamp starts; Date.parse then reads the whole string. */
const ISO_TIMESTAMP_START = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/;

function epochTimestamps(value: unknown): unknown {
  if (typeof value === 'string' && ISO_TIMESTAMP_START.test(value) && !Number.isNaN(Date.parse(value))) return Date.parse(value) / 1000;
  if (Array.isArray(value)) return value.map(epochTimestamps);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, epochTimestamps(inner)]));
  return value;
}

async function readBody(body: unknown): Promise<string> {
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Adds the correction above to any CodeBuild client on the emulator (one with an assumed role's credentials, say), and returns it. */
export function withCodeBuildTimestamps(client: CodeBuildClient): CodeBuildClient {
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as { statusCode?: number; body?: unknown };
      if (response.statusCode === 200 && response.body !== undefined) {
        const text = await readBody(response.body);
        response.body = new TextEncoder().encode(text === '' ? text : JSON.stringify(epochTimestamps(JSON.parse(text))));
      }
      return result;
    },
    // Inside the deserializer: it sees the raw answer before the SDK parses it.
    { step: 'deserialize', name: 'codeBuildJsonTimestamps', priority: 'low' },
  );
  return client;
}

/** A CodeBuild client on the emulator; `sent` fills with every request, in order. */
export function codeBuildOnMoto(sent: SentRequest[]): CodeBuildClient {
  const client = new CodeBuildClient(motoClientConfig());
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers: Record<string, string>; body?: unknown };
      const body = request.body instanceof Uint8Array ? Buffer.from(request.body).toString('utf8') : typeof request.body === 'string' ? request.body : '{}';
      sent.push({ operation: request.headers['x-amz-target'] ?? '', body: JSON.parse(body) as Record<string, unknown> });
      return next(args);
    },
    { step: 'build', name: 'recordSentRequests' },
  );
  return withCodeBuildTimestamps(client);
}
