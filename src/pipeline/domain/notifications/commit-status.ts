/**
 * Which GitHub commit status a pipeline fact sets (US-1.6, US-8.6): per environment, `pending` when
 * its first stage starts, `success` when its application stage succeeds, `failure` when one of its
 * stages fails, `error` when it is stopped; context `kiro-cd/<environment>`, linked to the execution.
 * Also the retry timing of the GitHub API calls (pure, table-tested).
 */
import type { HistoryEvent } from '../history-model.js';
import type { CommitStatusUpdate } from '../../ports/commit-status.js';
import { stageRole } from '../stage-names.js';
import { ENVIRONMENT_NAMES } from '../../../shared/config/environment-names.js';

/** What to do for one fact. */
export type CommitStatusDecision =
  | { readonly kind: 'set'; readonly status: CommitStatusUpdate }
  | { readonly kind: 'skip'; readonly reason: string };

/** Prefix of the status contexts. */
export const STATUS_CONTEXT_PREFIX = 'kiro-cd';

/** Decides the status a fact sets on its commit. */
export function commitStatusFor(event: HistoryEvent, link: string): CommitStatusDecision {
  if (event.kind !== 'stage') return { kind: 'skip', reason: 'only stage state changes set commit statuses' };
  const role = stageRole(event.stage, ENVIRONMENT_NAMES);
  if (role.kind === 'pipeline' || role.kind === 'approval') return { kind: 'skip', reason: `stage ${event.stage} deploys no environment` };
  const context = `${STATUS_CONTEXT_PREFIX}/${role.environment}`;
  const set = (state: CommitStatusUpdate['state'], description: string): CommitStatusDecision => ({
    kind: 'set',
    status: { state, context, description: description.slice(0, 140), targetUrl: link },
  });
  if (event.state === 'STARTED' && role.kind === 'infrastructure') return set('pending', `Deploying to ${role.environment}`);
  if (event.state === 'SUCCEEDED' && role.kind === 'application') return set('success', `Deployed to ${role.environment} and healthy`);
  if (event.state === 'FAILED') return set('failure', `Stage ${event.stage} failed`);
  if (event.state === 'STOPPED' || event.state === 'CANCELED') return set('error', `Stage ${event.stage} was ${event.state.toLowerCase()}`);
  return { kind: 'skip', reason: `stage ${event.stage} ${event.state} changes no status` };
}

/** A GitHub answer, reduced to what the retry decision needs. */
export interface GitHubAnswer {
  readonly status: number;
  /** `retry-after` header, seconds. */
  readonly retryAfter?: string;
  /** `x-ratelimit-remaining` header. */
  readonly rateLimitRemaining?: string;
  /** `x-ratelimit-reset` header, epoch seconds. */
  readonly rateLimitReset?: string;
}

/** Retry policy of the GitHub calls. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  /** Longest single wait: a Lambda must not sleep for an hour-long rate-limit window. */
  readonly maxDelayMs: number;
}

/** Four attempts, 0.5 s doubling, never more than 10 s a wait. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 10_000 };

/** After an answer: done, retry after a delay, or give up with a reason. */
export type RetryDecision =
  | { readonly kind: 'done' }
  | { readonly kind: 'retry'; readonly delayMs: number }
  | { readonly kind: 'give-up'; readonly reason: string };

/**
 * Decides what follows a GitHub answer on attempt `attempt` (1-based) at `nowMs`. 2xx is done;
 * 5xx and 429 retry with doubling backoff; 403 and 429 with rate-limit headers wait for
 * `retry-after` or the rate-limit reset; other 4xx give up (retrying a bad token is useless).
 * A wait longer than `maxDelayMs` gives up rather than block the pipeline.
 */
export function decideRetry(answer: GitHubAnswer, attempt: number, nowMs: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY): RetryDecision {
  if (answer.status >= 200 && answer.status < 300) return { kind: 'done' };
  const rateLimited = answer.status === 429 || (answer.status === 403 && (answer.rateLimitRemaining === '0' || answer.retryAfter !== undefined));
  if (!rateLimited && answer.status < 500) return { kind: 'give-up', reason: `GitHub answered ${answer.status}; check the token's repo:status scope and the repository name.` };
  if (attempt >= policy.maxAttempts) return { kind: 'give-up', reason: `GitHub answered ${answer.status} ${attempt} times.` };
  let delayMs = policy.baseDelayMs * 2 ** (attempt - 1);
  if (rateLimited && answer.retryAfter !== undefined && /^\d+$/.test(answer.retryAfter)) delayMs = Number(answer.retryAfter) * 1000;
  else if (rateLimited && answer.rateLimitRemaining === '0' && answer.rateLimitReset !== undefined && /^\d+$/.test(answer.rateLimitReset)) {
    delayMs = Math.max(0, Number(answer.rateLimitReset) * 1000 - nowMs);
  }
  if (delayMs > policy.maxDelayMs) return { kind: 'give-up', reason: `GitHub asked to wait ${Math.ceil(delayMs / 1000)} s (rate limit); the status is skipped rather than hold the pipeline.` };
  return { kind: 'retry', delayMs };
}
