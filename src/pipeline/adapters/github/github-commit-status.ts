import { TransientError } from '../../../shared/errors.js';
import { decideRetry, DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../domain/notifications/commit-status.js';
import type { Clock } from '../../../shared/clock.js';
import type { CommitStatusPublisher, CommitStatusUpdate } from '../../ports/commit-status.js';
import type { SecretReader } from '../../ports/secret-reader.js';

/** Constructor arguments of {@link GitHubCommitStatus}. */
export interface GitHubCommitStatusProps {
  readonly owner: string;
  readonly repository: string;
  /** Secrets Manager name or ARN of the token (scope `repo:status`). */
  readonly tokenSecretId: string;
  readonly secrets: SecretReader;
  readonly clock: Clock;
  /**
   * Base URL of the GitHub REST API (a local server in tests).
   * @default 'https://api.github.com'
   */
  readonly apiUrl?: string;
  /** @default DEFAULT_RETRY_POLICY */
  readonly retry?: RetryPolicy;
  /** @default the global fetch */
  readonly fetch?: typeof fetch;
}

/**
 * `CommitStatusPublisher` on GitHub's REST API (`POST /repos/{owner}/{repo}/statuses/{sha}`),
 * retried with backoff on 5xx and on rate limits (`decideRetry`). The token is sent only in the
 * `Authorization` header and appears in no message.
 */
export class GitHubCommitStatus implements CommitStatusPublisher {
  private readonly apiUrl: string;
  private readonly retry: RetryPolicy;
  private readonly fetch: typeof fetch;

  constructor(private readonly props: GitHubCommitStatusProps) {
    this.apiUrl = (props.apiUrl ?? 'https://api.github.com').replace(/\/$/, '');
    this.retry = props.retry ?? DEFAULT_RETRY_POLICY;
    this.fetch = props.fetch ?? fetch;
  }

  async publish(commitId: string, status: CommitStatusUpdate): Promise<void> {
    const token = await this.props.secrets.read(this.props.tokenSecretId);
    const url = `${this.apiUrl}/repos/${encodeURIComponent(this.props.owner)}/${encodeURIComponent(this.props.repository)}/statuses/${encodeURIComponent(commitId)}`;
    const body = JSON.stringify({ state: status.state, context: status.context, description: status.description, target_url: status.targetUrl });
    for (let attempt = 1; ; attempt += 1) {
      let answer: { status: number; retryAfter?: string; rateLimitRemaining?: string; rateLimitReset?: string };
      try {
        const response = await this.fetch(url, {
          method: 'POST',
          headers: {
            accept: 'application/vnd.github+json',
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'x-github-api-version': '2022-11-28',
            'user-agent': 'kiro-cd',
          },
          body,
        });
        await response.arrayBuffer();
        const header = (name: string): Record<string, string> => {
          const value = response.headers.get(name);
          return value === null ? {} : { [name]: value };
        };
        const headers = { ...header('retry-after'), ...header('x-ratelimit-remaining'), ...header('x-ratelimit-reset') };
        answer = {
          status: response.status,
          ...(headers['retry-after'] === undefined ? {} : { retryAfter: headers['retry-after'] }),
          ...(headers['x-ratelimit-remaining'] === undefined ? {} : { rateLimitRemaining: headers['x-ratelimit-remaining'] }),
          ...(headers['x-ratelimit-reset'] === undefined ? {} : { rateLimitReset: headers['x-ratelimit-reset'] }),
        };
      } catch (error) {
        // Connection refused or reset: treat as a 5xx-like outage.
        answer = { status: 599 };
        if (attempt >= this.retry.maxAttempts) {
          throw new TransientError(`GitHub could not be reached after ${attempt} attempts.`, { context: status.context }, error);
        }
      }
      const decision = decideRetry(answer, attempt, this.props.clock.now().getTime(), this.retry);
      if (decision.kind === 'done') return;
      if (decision.kind === 'give-up') throw new TransientError(`Commit status ${status.context} not set: ${decision.reason}`, { context: status.context, status: answer.status });
      await this.props.clock.sleep(decision.delayMs);
    }
  }
}
