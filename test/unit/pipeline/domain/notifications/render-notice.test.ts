import { describe, expect, it } from 'vitest';
import type { DeploymentNotice } from '../../../../../src/pipeline/domain/notice.js';
import { describeCommit, renderNotice } from '../../../../../src/pipeline/domain/notifications/render-notice.js';

const notice: DeploymentNotice = {
  kind: 'rollback-failed',
  pipelineName: 'kiro-codebuild-worker',
  executionId: 'e-1',
  commit: { id: '3f2c1b9a8e7d6c5b4a39281706f5e4d3c2b1a090', message: 'Poller: back off\n\nLonger body', author: 'Ada' },
  environment: 'production',
  stage: 'Production-Application',
  outcome: 'ROLLBACK_FAILED',
  reason: 'RollbackStage answered ConflictException three times',
  link: 'https://example.com/e-1',
  details: ['Triggered by alarm:poller-errors'],
  at: '2026-01-05T09:00:00Z',
};

describe('renderNotice', () => {
  it('keeps the SNS subject within 100 printable characters on one line', () => {
    const long = renderNotice({ ...notice, pipelineName: 'p'.repeat(95), stage: 'Ünïcode stage' });
    expect(long.subject.length).toBeLessThanOrEqual(100);
    expect(long.subject).toMatch(/^[\x20-\x7E]+$/);
  });

  it('names only the first line of the commit message', () => {
    expect(describeCommit(notice.commit)).toBe('3f2c1b9a8e7d6c5b4a39281706f5e4d3c2b1a090 "Poller: back off" by Ada');
    expect(describeCommit(undefined)).toMatch(/^unknown/);
  });

  it('gives Slack a Chatbot custom notification with the same facts and a next step', () => {
    const { chatbot } = renderNotice(notice);
    expect(chatbot).toMatchObject({ version: '1.0', source: 'custom', content: { textType: 'client-markdown' } });
    expect(chatbot.content.description).toContain('*Reason:* RollbackStage answered ConflictException three times');
    expect(chatbot.content.description).toContain('<https://example.com/e-1|Open the execution>');
    expect(chatbot.content.nextSteps?.[0]).toMatch(/manual rollback procedure/);
    expect(chatbot.metadata.threadId).toBe('kiro-codebuild-worker-e-1');
  });

  it('says plainly when a notice concerns the whole pipeline', () => {
    const { text } = renderNotice({ ...notice, kind: 'execution-started', environment: undefined, stage: undefined });
    expect(text).toContain('Environment: none (whole pipeline)');
    expect(text).toContain('Stage:       none (whole execution)');
  });
});
