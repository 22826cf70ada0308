/**
 * One local endpoint for every AWS call of the rehearsal: CodePipeline's JSON 1.1 API
 * (`X-Amz-Target: CodePipeline_20150709.<Operation>`) is answered by the local CodePipeline, every
 * other request is passed on to moto_server as it came, less the headers that describe one
 * connection (endToEndHeaders). So the product's own SDK clients (the
 * rollback orchestrator's CodePipelineControl, `kiro-cd --endpoint-url`) talk to it as to AWS.
 * Step Functions' StartExecution, DescribeExecution and StopExecution (JSON 1.0,
 * `X-Amz-Target: AWSStepFunctions.<Operation>`) are answered by the local Step Functions when one is
 * given: moto stores executions but never runs them, while the rollback trigger needs its state
 * machine to run.
 * Errors follow the JSON protocol: HTTP 400 with `{"__type": <error name>, "message": ...}`
 * ([JSON protocol errors](https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html#operation-error-serialization)).
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { CodePipelineApiError } from './api-errors.js';
import { getPipeline, getPipelineExecution, getPipelineState, listActionExecutions, listPipelineExecutions } from './api-views.js';
import type { LocalCodePipeline } from './local-codepipeline.js';
import { listenOnLoopback } from '../loopback-server.js';
import { StepFunctionsApiError, type LocalStepFunctions } from '../local-step-functions.js';

const TARGET_PREFIX = 'CodePipeline_20150709.';
const STEP_FUNCTIONS_PREFIX = 'AWSStepFunctions.';

/** The Step Functions operations served locally; every other one goes to moto. */
function stepFunctionsOperations(local: LocalStepFunctions): Readonly<Record<string, (input: never) => unknown>> {
  return {
    StartExecution: (input: Parameters<LocalStepFunctions['startExecution']>[0]) => local.startExecution(input),
    DescribeExecution: (input: Parameters<LocalStepFunctions['describeExecution']>[0]) => local.describeExecution(input),
    StopExecution: (input: Parameters<LocalStepFunctions['stopExecution']>[0]) => local.stopExecution(input),
  };
}

/** The operations served, by name; anything else answers UnknownOperationException naming it. */
type Operation = (pipeline: LocalCodePipeline, input: never) => unknown;

function operations(account: string, region: string): Readonly<Record<string, Operation>> {
  return {
    GetPipelineState: getPipelineState,
    GetPipelineExecution: getPipelineExecution,
    ListPipelineExecutions: listPipelineExecutions,
    ListActionExecutions: listActionExecutions,
    GetPipeline: (pipeline, input: { name?: string }) => getPipeline(pipeline, input, account, region),
    StartPipelineExecution: (pipeline, input: Parameters<LocalCodePipeline['startPipelineExecution']>[0]) => pipeline.startPipelineExecution(input),
    StopPipelineExecution: (pipeline, input: Parameters<LocalCodePipeline['stopPipelineExecution']>[0]) => pipeline.stopPipelineExecution(input),
    RollbackStage: (pipeline, input: Parameters<LocalCodePipeline['rollbackStage']>[0]) => pipeline.rollbackStage(input),
    PutApprovalResult: (pipeline, input: Parameters<LocalCodePipeline['putApprovalResult']>[0]) => pipeline.putApprovalResult(input),
  };
}

/** A running endpoint. */
export interface LocalAwsEndpoint {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Every CodePipeline operation called, in order (for tests and the report). */
  readonly calls: readonly string[];
  /** Every Step Functions operation answered locally, in order. */
  readonly stepFunctionsCalls: readonly string[];
  close(): Promise<void>;
}

/** JSON 1.1 writes timestamps as epoch seconds. */
function withEpochSeconds(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(withEpochSeconds);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withEpochSeconds(item)]));
  return value;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => { resolve(Buffer.concat(chunks)); });
    request.on('error', reject);
  });
}

function answer(response: ServerResponse, status: number, body: unknown, contentType = 'application/x-amz-json-1.1'): void {
  response.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': `local-${Date.now().toString(36)}` });
  response.end(JSON.stringify(withEpochSeconds(body)));
}

/**
 * The service and operation of a request passed on to the emulator, for counting: JSON protocols name
 * it in `X-Amz-Target` (`DynamoDB_20120810.Query`), Smithy RPC v2 CBOR in the path
 * (`/service/GraniteServiceVersion20100801/operation/DescribeAlarms`), the query protocol (SNS) in
 * the form body's `Action`, with the service from the signature's credential scope.
 */
export function upstreamOperation(request: { readonly method?: string; readonly url?: string; readonly headers: Readonly<Record<string, string | string[] | undefined>> }, body: Buffer): string {
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string' && target.includes('.')) return target;
  const rpc = /\/service\/([^/]+)\/operation\/([^/?]+)/.exec(request.url ?? '');
  if (rpc !== null) return `${rpc[1] ?? ''}.${rpc[2] ?? ''}`;
  const authorization = request.headers.authorization;
  const service = typeof authorization === 'string' ? /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(authorization)?.[1] : undefined;
  const action = /(?:^|&)Action=([^&]+)/.exec(body.toString('utf8'));
  if (action !== null) return `${service ?? 'query'}.${decodeURIComponent(action[1] ?? '')}`;
  return `${service ?? 'http'} ${request.method ?? 'GET'}`;
}

/**
 * Headers that describe one connection, not the message, which a proxy must not pass on (RFC 9110,
 * section 7.6.1, "Connection"): moto_server answers every request with `Connection: close` (it
 * serves one connection at a time, moto-launcher.py), and passed on, that header made this endpoint
 * close the SDK client's keep-alive connection after every call, so each of the rehearsal's ~1,200
 * calls to the emulator opened a new connection to this endpoint as well as to moto.
 */
const HOP_BY_HOP_HEADERS = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'] as const;

/** The headers of a message without its hop-by-hop ones, including those its `Connection` header names. */
export function endToEndHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const named = (headers.connection ?? '').split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== '');
  const dropped = new Set<string>([...HOP_BY_HOP_HEADERS, ...named]);
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !dropped.has(name.toLowerCase())));
}

function proxy(upstream: URL, request: IncomingMessage, body: Buffer, response: ServerResponse): void {
  const forwarded = httpRequest(
    { hostname: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: { ...endToEndHeaders(request.headers), host: upstream.host } },
    (reply) => {
      response.writeHead(reply.statusCode ?? 502, endToEndHeaders(reply.headers));
      reply.pipe(response);
    },
  );
  forwarded.on('error', (error) => {
    answer(response, 502, { __type: 'ServiceUnavailableException', message: `The local emulator behind this endpoint did not answer: ${error.message}` });
  });
  forwarded.end(body);
}

/**
 * Starts the endpoint on 127.0.0.1 on an ephemeral port: CodePipeline calls go to `pipeline`, all
 * others to `upstream` (moto_server).
 */
export async function startLocalAwsEndpoint(options: {
  readonly pipeline: LocalCodePipeline;
  readonly upstream: string;
  readonly account: string;
  readonly region: string;
  /** Told how many requests wait on the upstream emulator whenever that number changes. */
  readonly onUpstreamLoad?: (waiting: number) => void;
  /** Told the service and operation of every request passed on to the emulator ({@link upstreamOperation}). */
  readonly onUpstreamCall?: (operation: string) => void;
  /** Runs the templates' state machines. @default Step Functions calls go to moto too */
  readonly stepFunctions?: LocalStepFunctions;
}): Promise<LocalAwsEndpoint> {
  const served = operations(options.account, options.region);
  const stepFunctions = options.stepFunctions === undefined ? undefined : stepFunctionsOperations(options.stepFunctions);
  const upstream = new URL(options.upstream);
  const calls: string[] = [];
  const stepFunctionsCalls: string[] = [];
  let waiting = 0;
  const load = (change: number): void => {
    waiting += change;
    options.onUpstreamLoad?.(waiting);
  };
  const server: Server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const target = request.headers['x-amz-target'];
      const stepFunction = typeof target === 'string' && target.startsWith(STEP_FUNCTIONS_PREFIX) ? stepFunctions?.[target.slice(STEP_FUNCTIONS_PREFIX.length)] : undefined;
      if (stepFunction !== undefined) {
        stepFunctionsCalls.push((target as string).slice(STEP_FUNCTIONS_PREFIX.length));
        const json10 = 'application/x-amz-json-1.0';
        try {
          answer(response, 200, stepFunction((body.length === 0 ? {} : JSON.parse(body.toString('utf8'))) as never), json10);
        } catch (error) {
          if (error instanceof StepFunctionsApiError) answer(response, 400, { __type: error.name, message: error.message }, json10);
          else if (error instanceof SyntaxError) answer(response, 400, { __type: 'SerializationException', message: `The request body is not JSON: ${error.message}` }, json10);
          else answer(response, 500, { __type: 'InternalFailure', message: error instanceof Error ? error.message : String(error) }, json10);
        }
        return;
      }
      if (typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) {
        options.onUpstreamCall?.(upstreamOperation(request, body));
        load(1);
        response.once('close', () => { load(-1); });
        proxy(upstream, request, body, response);
        return;
      }
      const name = target.slice(TARGET_PREFIX.length);
      calls.push(name);
      const operation = served[name];
      if (operation === undefined) {
        answer(response, 400, { __type: 'UnknownOperationException', message: `The local CodePipeline does not serve ${name}; it serves ${Object.keys(served).join(', ')}.` });
        return;
      }
      try {
        const input = (body.length === 0 ? {} : JSON.parse(body.toString('utf8'))) as never;
        answer(response, 200, operation(options.pipeline, input));
      } catch (error) {
        if (error instanceof CodePipelineApiError) answer(response, 400, { __type: error.name, message: error.message });
        else if (error instanceof SyntaxError) answer(response, 400, { __type: 'SerializationException', message: `The request body is not JSON: ${error.message}` });
        else answer(response, 500, { __type: 'InternalFailure', message: error instanceof Error ? error.message : String(error) });
      }
    });
  });
  const listener = await listenOnLoopback(server);
  return { endpoint: listener.url, calls, stepFunctionsCalls, close: () => listener.close() };
}
