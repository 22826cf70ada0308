import * as z from 'zod';
import { AWS_REGION_FIX, AWS_REGION_FORMAT } from './aws-regions.js';
import { WORKER_ALARM_IDS } from './alarm-catalog.js';
import { REVIEW_TIMEOUT_MAX_MINUTES } from './aws-limits.js';
import { DEPLOYMENT_WINDOW_EXAMPLE, cronProblem, isIanaTimeZone } from './deployment-window.js';
import { ENVIRONMENT_NAMES } from './environment-names.js';

// Re-exported: every reader of the configuration names environments through the schema's module.
export { ENVIRONMENT_NAMES, type EnvironmentName } from './environment-names.js';

const ACCOUNT_ID_FIX = 'must be a 12-digit AWS account id in quotes, for example "123456789012"';
const accountId = z.string({ message: ACCOUNT_ID_FIX }).regex(/^\d{12}$/, { message: ACCOUNT_ID_FIX });

// Shape only: whether the region exists is checked at synth time (see aws-regions.ts for why).
const region = z.string({ message: AWS_REGION_FIX }).regex(AWS_REGION_FORMAT, { message: AWS_REGION_FIX });

/** Prefixes of GitHub tokens (classic, fine-grained, OAuth, app and refresh tokens). */
const GITHUB_TOKEN_PREFIX = /^(gh[pousr]_|github_pat_)/;

/**
 * Keys whose value (and, for a map, the value of every entry under them) is never echoed in a
 * configuration error: a pasted secret would end up in logs.
 */
export const SECRET_REFERENCE_KEYS: readonly string[] = ['githubTokenSecret', 'implementationSecrets'];

/** A Secrets Manager secret, referenced by name or ARN: the value itself never appears in configuration. */
const secretReference = z
  .string()
  .regex(/^(arn:aws[\w-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+|[\w/+=.@-]{1,512})$/, {
    message: 'must be a Secrets Manager secret name (such as "kiro-cd/github-token") or a secret ARN, never the secret value',
  })
  // A GitHub token is also a valid secret *name*; refuse the documented token prefixes outright.
  .refine((value) => !GITHUB_TOKEN_PREFIX.test(value), {
    message:
      'looks like a GitHub token, not a secret name: store the token in Secrets Manager, put the secret\'s name here, and revoke this token (it has been written into a file)',
  });

/**
 * A secret the implementation command reads: a Secrets Manager name, or the secret's full ARN with the
 * six characters Secrets Manager appends (the role is granted exactly that ARN; a name is granted as
 * `<name>-??????`).
 */
const implementationSecretReference = secretReference.refine((value) => !value.startsWith('arn:') || /-[A-Za-z0-9]{6}$/.test(value), {
  message: 'must be the secret\'s full ARN as Secrets Manager shows it, ending in "-" and six characters, or the secret\'s name',
});

/**
 * The environment variable a secret is given to the implementation command as. `KIRO_` names are the
 * work item's (the poller sets them), `CODEBUILD_` names are CodeBuild's own.
 */
const implementationVariableName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, { message: 'must be an environment variable name: letters, digits and _, not starting with a digit' })
  .refine((name) => !/^(KIRO_|CODEBUILD_)/i.test(name), { message: 'must not start with KIRO_ (the work item\'s variables) or CODEBUILD_ (CodeBuild\'s own): choose another name' });

const email = z.email({ message: 'must be an e-mail address such as "oncall@example.com"' });

const slackChannel = z.strictObject({
  workspaceId: z.string().regex(/^T[A-Z0-9]{6,}$/, {
    message: 'must be the Slack workspace id (starts with "T"), authorised once in the AWS Chatbot console',
  }),
  channelId: z.string().regex(/^[CG][A-Z0-9]{6,}$/, {
    message: 'must be a Slack channel id (starts with "C" or "G"; right-click the channel, "Copy link")',
  }),
});

const notifications = z.strictObject({
  emails: z.array(email).default([]),
  slack: slackChannel.optional(),
});

const approval = z.strictObject({
  required: z.boolean({ message: 'must be true or false' }),
  timeoutMinutes: z
    .number()
    .int({ message: 'must be a whole number of minutes' })
    .min(5, { message: 'must be at least 5 minutes (CodePipeline minimum)' })
    .max(86_400, { message: 'must be at most 86400 minutes (60 days, the CodePipeline maximum)' })
    .default(1440),
});

const healthCheck = z.strictObject({
  durationSeconds: z
    .number()
    .int({ message: 'must be a whole number of seconds' })
    .positive({ message: 'must be a positive number of seconds (the default is 300, 5 minutes)' })
    .max(3600, { message: 'must be at most 3600 seconds; a longer bake belongs in a separate soak stage' })
    .default(300),
  intervalSeconds: z
    .number()
    .int({ message: 'must be a whole number of seconds' })
    .min(10, { message: 'must be at least 10 seconds (CloudWatch standard-resolution alarms change at most every 10 s)' })
    .max(300, { message: 'must be at most 300 seconds' })
    .default(30),
  reviewTimeoutMinutes: z
    .number()
    .int({ message: 'must be a whole number of minutes' })
    .min(5, { message: 'must be at least 5 minutes' })
    // The review waits inside the health-check action, which CodePipeline times out after one hour.
    .max(REVIEW_TIMEOUT_MAX_MINUTES, {
      message: `must be at most ${REVIEW_TIMEOUT_MAX_MINUTES} minutes: the review waits inside the health-check action, which CodePipeline times out after one hour (docs/health-monitor.md)`,
    })
    .default(30),
});

const alarms = z.strictObject({
  critical: z.array(z.enum(WORKER_ALARM_IDS, { message: `must name alarms from: ${WORKER_ALARM_IDS.join(', ')}` })),
  warning: z
    .array(z.enum(WORKER_ALARM_IDS, { message: `must name alarms from: ${WORKER_ALARM_IDS.join(', ')}` }))
    .default([]),
});

/** A window in which deployments into the environment may start (CodePipeline DeploymentWindow rule). */
const TIME_ZONE_FIX = 'must be an IANA time zone such as "Europe/Berlin" or "UTC" (check its spelling)';
const deploymentWindow = z.strictObject({
  cron: z.string({ message: `must be an EventBridge cron expression in quotes, such as "${DEPLOYMENT_WINDOW_EXAMPLE}"` }).superRefine((cron, context) => {
    const problem = cronProblem(cron);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: problem, input: cron });
  }),
  timeZone: z.string({ message: TIME_ZONE_FIX }).refine(isIanaTimeZone, { message: TIME_ZONE_FIX }),
});

const stackPrefix = z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,100}$/, {
  message: 'must start with a letter and hold only letters, digits and hyphens (CloudFormation stack-name rules)',
});

/** What runs against the environment once it is deployed. */
export const POST_DEPLOYMENT_SUITES = ['integration', 'e2e', 'smoke'] as const;
export type PostDeploymentSuite = (typeof POST_DEPLOYMENT_SUITES)[number];

export const environmentSchema = z.strictObject({
  name: z.enum(ENVIRONMENT_NAMES, { message: `must be one of ${ENVIRONMENT_NAMES.join(', ')}` }),
  account: accountId,
  region,
  stackPrefix,
  approval: approval.default({ required: false, timeoutMinutes: 1440 }),
  healthCheck: healthCheck.default({ durationSeconds: 300, intervalSeconds: 30, reviewTimeoutMinutes: 30 }),
  alarms,
  notifications: notifications.default({ emails: [] }),
  deploymentWindow: deploymentWindow.optional(),
  postDeploymentTests: z.enum(POST_DEPLOYMENT_SUITES, {
    message: `must be one of ${POST_DEPLOYMENT_SUITES.join(', ')}`,
  }),
  /**
   * The work item the end-to-end suite sends through the worker: a public GitHub repository and
   * branch whose implementation succeeds. Required when `postDeploymentTests` is `e2e`.
   */
  e2eFixture: z
    .strictObject({
      repository: z.string().regex(/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/, { message: 'must be a GitHub repository as owner/name, such as "kiro-dev/kiro-worker-e2e-fixture"' }),
      branch: z.string().regex(/^[\w./-]{1,255}$/, { message: 'must be a branch name such as "main"' }).default('main'),
    })
    .optional(),
  /**
   * Secrets the implementation command needs (a token to push the item's branch, for example), as
   * `VARIABLE: "secret name or ARN"`. Each reaches the build as a SECRETS_MANAGER environment variable of
   * the implementation project, never as a PLAINTEXT value (docs/application.md, "Secrets").
   */
  implementationSecrets: z.record(implementationVariableName, implementationSecretReference).default({}),
  logRetentionDays: z
    .literal([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], {
      message: 'must be a CloudWatch Logs retention such as 90 (allowed: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...)',
    })
    .default(90),
});

export const pipelineSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9.@_-]{1,100}$/, {
    message: 'must be 1-100 letters, digits or . @ _ - (CodePipeline pipeline-name rules)',
  }),
  account: accountId,
  region,
  source: z.strictObject({
    owner: z.string().regex(/^[A-Za-z0-9-]{1,39}$/, { message: 'must be a GitHub user or organisation name' }),
    repository: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, { message: 'must be a GitHub repository name' }),
    branch: z.string().min(1).default('main'),
    connectionArn: z
      .string()
      .regex(/^arn:aws[\w-]*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]{36}$/, {
        message:
          'must be the ARN of a CodeStar (CodeConnections) connection to GitHub, created once in the console: ' +
          'arn:aws:codeconnections:<region>:<account>:connection/<uuid>',
      }),
  }),
  githubTokenSecret: secretReference,
  notifications: notifications.default({ emails: [] }),
  logRetentionDays: environmentSchema.shape.logRetentionDays,
});

export const configSchema = z.strictObject({
  pipeline: pipelineSchema,
  environments: z.array(z.unknown()),
});

/** One deployment environment, validated, with defaults filled in. */
export type EnvironmentConfig = z.infer<typeof environmentSchema>;
/** The pipeline's own settings, validated, with defaults filled in. */
export type PipelineSettings = z.infer<typeof pipelineSchema>;
/** What `environments.ts` may hold before validation (defaults may be left out). */
export type EnvironmentInput = z.input<typeof environmentSchema>;
export type PipelineInput = z.input<typeof pipelineSchema>;

/** The whole validated configuration: the pipeline and its environments in deployment order. */
export interface DeploymentConfig {
  readonly pipeline: PipelineSettings;
  readonly environments: readonly EnvironmentConfig[];
}

/** The raw configuration as written in `environments.ts`. */
export interface DeploymentConfigInput {
  readonly pipeline: PipelineInput;
  readonly environments: readonly EnvironmentInput[];
}
