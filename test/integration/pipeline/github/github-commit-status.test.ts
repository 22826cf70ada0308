import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { CreateSecretCommand, DeleteSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SecretsManagerSecretReader } from '../../../../src/pipeline/adapters/aws/secrets-manager-secret-reader.js';
import { GitHubCommitStatus } from '../../../../src/pipeline/adapters/github/github-commit-status.js';
import { createHandler } from '../../../../src/pipeline/handlers/update-commit-status.js';
import type { Clock } from '../../../../src/shared/clock.js';
import { motoClientConfig, useFreshMoto } from '../../../support/moto.js';
import { InMemoryDeploymentHistory } from '../../../support/fakes/in-memory-deployment-history.js';
import { createHandler as createRecorder } from '../../../../src/pipeline/handlers/record-pipeline-event.js';

const TOKEN = 'ghp_localTestToken0123456789';
const SHA = '3f2c1b9a8e7d6c5b4a39281706f5e4d3c2b1a090';

interface Received { readonly method: string; readonly url: string; readonly authorization: string | undefined; readonly body: Record<string, unknown> }
type Reply = { status: number; headers?: Record<string, string> };

/** A local server speaking GitHub's statuses API: answers from a script, records every request. */
class FakeGitHub {
  readonly received: Received[] = [];
  script: Reply[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request: IncomingMessage, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.received.push({ method: request.method ?? '', url: request.url ?? '', authorization: request.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown> });
        const reply = this.script.shift() ?? { status: 201 };
        const ok = /^\/repos\/[^/]+\/[^/]+\/statuses\/[0-9a-f]{40}$/.test(request.url ?? '') && request.method === 'POST';
        response.writeHead(ok ? reply.status : 404, { 'content-type': 'application/json', ...reply.headers });
        response.end(JSON.stringify(ok ? { state: 'pending' } : { message: 'Not Found' }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.server!.close((error) => {
      if (error) reject(error);
      else resolve();
    }));
  }
}

const github = new FakeGitHub();
const sleeps: number[] = [];
const clock: Clock = { now: () => new Date('2026-01-05T09:00:00Z'), sleep: (ms) => { sleeps.push(ms); return Promise.resolve(); } };

async function publisher(): Promise<{ statuses: GitHubCommitStatus; secrets: SecretsManagerClient }> {
  const secrets = new SecretsManagerClient(motoClientConfig());
  await secrets.send(new CreateSecretCommand({ Name: 'kiro-cd/github-token', SecretString: TOKEN }));
  const statuses = new GitHubCommitStatus({ owner: 'kiro-dev', repository: 'kiro-codebuild-worker', tokenSecretId: 'kiro-cd/github-token', secrets: new SecretsManagerSecretReader(secrets), clock, apiUrl: github.url });
  return { statuses, secrets };
}

const status = { state: 'pending' as const, context: 'kiro-cd/test', description: 'Deploying to test', targetUrl: 'https://console.example/e' };

describe('GitHub commit status against a local statuses API', () => {
  useFreshMoto();
  beforeAll(() => github.start());
  afterAll(() => github.stop());
  beforeEach(() => {
    github.received.length = 0;
    github.script = [];
    sleeps.length = 0;
  });

  it('posts the status with the token from Secrets Manager, read once per cold start', async () => {
    const { statuses, secrets } = await publisher();
    await statuses.publish(SHA, status);
    await secrets.send(new DeleteSecretCommand({ SecretId: 'kiro-cd/github-token', ForceDeleteWithoutRecovery: true }));
    await statuses.publish(SHA, { ...status, state: 'success' });
    expect(github.received.map((request) => [request.method, request.url, request.authorization, request.body.state])).toEqual([
      ['POST', `/repos/kiro-dev/kiro-codebuild-worker/statuses/${SHA}`, `Bearer ${TOKEN}`, 'pending'],
      ['POST', `/repos/kiro-dev/kiro-codebuild-worker/statuses/${SHA}`, `Bearer ${TOKEN}`, 'success'],
    ]);
    expect(github.received[0]!.body).toEqual({ state: 'pending', context: 'kiro-cd/test', description: 'Deploying to test', target_url: 'https://console.example/e' });
  });

  it('retries 5xx with doubling backoff', async () => {
    const { statuses } = await publisher();
    github.script = [{ status: 502 }, { status: 503 }, { status: 201 }];
    await statuses.publish(SHA, status);
    expect(github.received).toHaveLength(3);
    expect(sleeps).toEqual([500, 1000]);
  });

  it('waits as long as a secondary rate limit asks (429 retry-after)', async () => {
    const { statuses } = await publisher();
    github.script = [{ status: 429, headers: { 'retry-after': '3' } }, { status: 201 }];
    await statuses.publish(SHA, status);
    expect(sleeps).toEqual([3000]);
  });

  it('gives up at once on a primary rate limit that resets in an hour (403, remaining 0)', async () => {
    const { statuses } = await publisher();
    const reset = String(Date.parse('2026-01-05T10:00:00Z') / 1000);
    github.script = [{ status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset } }];
    await expect(statuses.publish(SHA, status)).rejects.toThrow(/rate limit/);
    expect(github.received).toHaveLength(1);
  });

  it('never fails the deployment: the handler logs the outage, without the token, and returns', async () => {
    const { statuses } = await publisher();
    github.script = Array.from({ length: 4 }, () => ({ status: 500 }));
    const history = new InMemoryDeploymentHistory();
    const record = createRecorder({ history, clock, metrics: { publish: () => undefined }, log: () => undefined });
    const events = JSON.parse(readFileSync(new URL('../../../fixtures/events/codepipeline-execution-failed.json', import.meta.url), 'utf8')) as unknown[];
    for (const event of events) await record(event);
    const logs: string[] = [];
    const update = createHandler({ history, statuses, region: 'us-east-1', log: (entry) => logs.push(JSON.stringify(entry)) });

    const testInfrastructureStarted = events[6];
    const outcomes = await update(testInfrastructureStarted);
    expect(outcomes).toEqual([{ kind: 'skipped', reason: 'Commit status kiro-cd/test not set: GitHub answered 500 4 times.' }]);
    expect(logs.join('\n')).toContain('the deployment continues');
    expect(logs.join('\n')).not.toContain(TOKEN);

    github.script = [];
    expect(await update(events[11])).toEqual([{ kind: 'set', context: 'kiro-cd/test', state: 'failure' }]);
    expect(github.received.at(-1)?.url).toBe(`/repos/kiro-dev/kiro-codebuild-worker/statuses/${SHA}`);
  });
});
