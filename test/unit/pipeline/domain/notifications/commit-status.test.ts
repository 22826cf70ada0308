import { describe, expect, it } from 'vitest';
import { commitStatusFor, decideRetry } from '../../../../../src/pipeline/domain/notifications/commit-status.js';
import type { StageEvent } from '../../../../../src/pipeline/domain/history-model.js';

const NOW = Date.parse('2026-01-05T09:00:00Z');

describe('decideRetry', () => {
  it.each([
    { why: 'created', answer: { status: 201 }, attempt: 1, expected: { kind: 'done' } },
    { why: 'server error backs off, doubling', answer: { status: 502 }, attempt: 2, expected: { kind: 'retry', delayMs: 1000 } },
    { why: 'server errors stop after the last attempt', answer: { status: 500 }, attempt: 4, expected: { kind: 'give-up', reason: 'GitHub answered 500 4 times.' } },
    { why: 'a bad token is not retried', answer: { status: 401 }, attempt: 1, expected: { kind: 'give-up', reason: expect.stringMatching(/token/) } },
    { why: 'a plain 403 (no rate-limit headers) is a permission problem', answer: { status: 403 }, attempt: 1, expected: { kind: 'give-up', reason: expect.stringMatching(/scope/) } },
    { why: 'a secondary rate limit waits retry-after', answer: { status: 403, retryAfter: '2' }, attempt: 1, expected: { kind: 'retry', delayMs: 2000 } },
    { why: 'a primary rate limit waits until the reset', answer: { status: 403, rateLimitRemaining: '0', rateLimitReset: String(NOW / 1000 + 5) }, attempt: 1, expected: { kind: 'retry', delayMs: 5000 } },
    { why: 'a reset too far away gives up instead of holding the Lambda', answer: { status: 429, retryAfter: '60' }, attempt: 1, expected: { kind: 'give-up', reason: expect.stringMatching(/wait 60 s/) } },
  ])('$why', ({ answer, attempt, expected }) => {
    expect(decideRetry(answer, attempt, NOW)).toEqual(expected);
  });
});

describe('commitStatusFor', () => {
  const stage = (name: string, state: StageEvent['state']): StageEvent => ({ kind: 'stage', eventId: 'x', pipelineName: 'p', executionId: 'e', at: '2026-01-05T09:00:00Z', stage: name, state });
  it.each([
    { why: 'pending when the environment starts', event: stage('Staging-Infrastructure', 'STARTED'), expected: ['pending', 'kiro-cd/staging'] },
    { why: 'success when its application stage succeeds', event: stage('Staging-Application', 'SUCCEEDED'), expected: ['success', 'kiro-cd/staging'] },
    { why: 'failure when any of its stages fails', event: stage('Production-Infrastructure', 'FAILED'), expected: ['failure', 'kiro-cd/production'] },
    { why: 'error when stopped', event: stage('Test-Application', 'STOPPED'), expected: ['error', 'kiro-cd/test'] },
  ])('$why', ({ event, expected }) => {
    const decision = commitStatusFor(event, 'https://link');
    expect(decision.kind === 'set' ? [decision.status.state, decision.status.context] : decision).toEqual(expected);
  });

  it('skips pipeline stages and intermediate states', () => {
    expect(commitStatusFor(stage('Build', 'SUCCEEDED'), 'l').kind).toBe('skip');
    expect(commitStatusFor(stage('Test-Infrastructure', 'SUCCEEDED'), 'l').kind).toBe('skip');
  });
});
