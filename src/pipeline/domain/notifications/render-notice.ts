/**
 * Renders a structured `DeploymentNotice` into text a person reads in an e-mail, and into an AWS
 * Chatbot custom notification for Slack. Producers never write prose; this is the one place that
 * does, so every notice names the same facts in the same order: what happened, commit (id, message,
 * author), environment, stage, outcome, reason, details and the link to the execution.
 *
 * Chatbot format: "Custom notifications" in the AWS Chatbot administrator guide
 * (https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html).
 */
import type { CommitInfo } from '../history-model.js';
import type { DeploymentNotice, NoticeKind } from '../notice.js';

/** The texts a notifier publishes for one notice. */
export interface RenderedNotice {
  /** E-mail subject: at most 100 printable characters, no line breaks (an SNS `Subject` limit). */
  readonly subject: string;
  /** Plain-text body, one fact per line. */
  readonly text: string;
  /** AWS Chatbot custom-notification document, as sent to Slack. */
  readonly chatbot: ChatbotNotification;
}

/** The AWS Chatbot custom-notification schema (version 1.0). */
export interface ChatbotNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps?: readonly string[];
  };
  readonly metadata: {
    readonly threadId: string;
    readonly summary: string;
    readonly additionalContext: Readonly<Record<string, string>>;
  };
}

const HEADLINES: Readonly<Record<NoticeKind, string>> = {
  'execution-started': 'Deployment started',
  'stage-succeeded': 'Stage succeeded',
  'stage-failed': 'Stage failed',
  'deployment-succeeded': 'Deployment succeeded',
  'deployment-failed': 'Deployment failed',
  'approval-needed': 'Approval needed',
  'review-needed': 'Review needed: warning alarm during health check',
  'health-check-failed': 'Health check failed',
  'rollback-started': 'Rollback started',
  'rollback-succeeded': 'Rollback succeeded',
  'rollback-failed': 'Rollback FAILED: manual action required',
};

const NEXT_STEPS: Readonly<Partial<Record<NoticeKind, string>>> = {
  'approval-needed': 'Open the execution and approve or reject the production deployment.',
  'review-needed': 'Open the execution, check the alarms listed, then approve to continue or reject to roll back.',
  'rollback-failed': 'Follow the manual rollback procedure in the runbook; the environment may be on a mixed release.',
  'stage-failed': 'Open the failed action from the execution link to read its logs.',
  'deployment-failed': 'Open the failed action from the execution link to read its logs.',
};

const MAX_SUBJECT = 100;
const SHORT_SHA = 7;

function shortSha(commit: CommitInfo | undefined): string {
  return commit === undefined ? 'unknown commit' : commit.id.slice(0, SHORT_SHA);
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0]?.trim() ?? '';
}

/** One line naming the commit: id, first line of its message, author. */
export function describeCommit(commit: CommitInfo | undefined): string {
  if (commit === undefined) return 'unknown (the execution did not report its commit)';
  const message = commit.message === undefined ? '' : ` "${firstLine(commit.message)}"`;
  const author = commit.author === undefined ? '' : ` by ${commit.author}`;
  return `${commit.id}${message}${author}`;
}

function clampSubject(subject: string): string {
  // SNS subjects must be ASCII printable and hold no line breaks.
  const printable = subject.replace(/[^\x20-\x7E]/g, '?');
  return printable.length <= MAX_SUBJECT ? printable : `${printable.slice(0, MAX_SUBJECT - 3)}...`;
}

/** Renders the notice for people. */
export function renderNotice(notice: DeploymentNotice): RenderedNotice {
  const headline = HEADLINES[notice.kind];
  const where = notice.environment ?? 'pipeline';
  const subject = clampSubject(`[${notice.pipelineName}] ${headline}: ${where}${notice.stage === undefined ? '' : ` / ${notice.stage}`} (${shortSha(notice.commit)})`);
  const environment = notice.environment ?? 'none (whole pipeline)';
  const stage = notice.stage ?? 'none (whole execution)';
  const lines = [
    `${headline} in ${notice.pipelineName}.`,
    '',
    `Commit:      ${describeCommit(notice.commit)}`,
    ...(notice.commit?.url === undefined ? [] : [`Commit link: ${notice.commit.url}`]),
    `Environment: ${environment}`,
    `Stage:       ${stage}`,
    `Outcome:     ${notice.outcome}`,
    `Reason:      ${notice.reason}`,
    ...(notice.details === undefined || notice.details.length === 0 ? [] : ['Details:', ...notice.details.map((detail) => `  - ${detail}`)]),
    `Execution:   ${notice.executionId}`,
    ...(notice.link === undefined ? [] : [`Link:        ${notice.link}`]),
    `Time:        ${notice.at}`,
    ...(NEXT_STEPS[notice.kind] === undefined ? [] : ['', `Next step: ${NEXT_STEPS[notice.kind] ?? ''}`]),
  ];
  const description = [
    `*Commit:* ${describeCommit(notice.commit)}`,
    `*Environment:* ${environment}`,
    `*Stage:* ${stage}`,
    `*Outcome:* ${notice.outcome}`,
    `*Reason:* ${notice.reason}`,
    ...(notice.details ?? []).map((detail) => `• ${detail}`),
    ...(notice.link === undefined ? [] : [`<${notice.link}|Open the execution>`]),
  ].join('\n');
  const nextStep = NEXT_STEPS[notice.kind];
  return {
    subject,
    text: lines.join('\n'),
    chatbot: {
      version: '1.0',
      source: 'custom',
      content: {
        textType: 'client-markdown',
        title: `${headline}: ${notice.pipelineName} ${where}`,
        description,
        ...(nextStep === undefined ? {} : { nextSteps: [nextStep] }),
      },
      metadata: {
        threadId: `${notice.pipelineName}-${notice.executionId}`,
        summary: subject,
        additionalContext: { kind: notice.kind, environment: where, executionId: notice.executionId },
      },
    },
  };
}
