/**
 * A tiny local stand-in for GitHub's "create a commit status" endpoint
 * (`POST /repos/{owner}/{repo}/statuses/{sha}`, https://docs.github.com/en/rest/commits/statuses):
 * it records every status the commit-status function sets and answers 201 as GitHub does, so the
 * real function, with its real HTTP client, runs against it and the judge reads what it set.
 */
import { createServer, type Server } from 'node:http';
import { listenOnLoopback } from '../../local/loopback-server.js';

/** One status GitHub received. */
export interface ReceivedCommitStatus {
  readonly repository: string;
  readonly commitId: string;
  readonly state: string;
  readonly context: string;
  readonly description?: string;
  /** Whether the request carried a bearer token (the secret read from Secrets Manager). */
  readonly authorised: boolean;
}

/** The running server. */
export interface GitHubStatusServer {
  /** The API base URL to give the GitHub client. */
  readonly apiUrl: string;
  readonly statuses: readonly ReceivedCommitStatus[];
  close(): Promise<void>;
}

const STATUS_PATH = /^\/repos\/([^/]+)\/([^/]+)\/statuses\/([0-9a-fA-F]{7,40})$/;

/** Starts the server on 127.0.0.1 on an ephemeral port. */
export async function startGitHubStatusServer(): Promise<GitHubStatusServer> {
  const statuses: ReceivedCommitStatus[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = STATUS_PATH.exec(request.url ?? '');
      if (request.method !== 'POST' || path === null) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: 'Not Found' }));
        return;
      }
      let body: { state?: unknown; context?: unknown; description?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
      } catch {
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: 'Problems parsing JSON' }));
        return;
      }
      statuses.push({
        repository: `${decodeURIComponent(path[1] ?? '')}/${decodeURIComponent(path[2] ?? '')}`,
        commitId: path[3] ?? '',
        state: String(body.state),
        context: String(body.context),
        ...(typeof body.description === 'string' ? { description: body.description } : {}),
        authorised: /^Bearer \S+/.test(request.headers.authorization ?? ''),
      });
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ state: body.state, context: body.context }));
    });
  });
  const listener = await listenOnLoopback(server);
  return { apiUrl: listener.url, statuses, close: () => listener.close() };
}
