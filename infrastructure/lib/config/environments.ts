import type { DeploymentConfigInput } from '../../../src/shared/config/schema.js';

/**
 * The deployment configuration: the pipeline and its three environments, in deployment order.
 *
 * This file is data only. It is validated once at synth time by `validateConfig` (see `schema.ts`
 * for every key, its default and its limits); a bad value fails synthesis with a message naming the
 * environment, the key and the fix. Replace the example account ids, the connection ARN, the e2e
 * fixture repository and the e-mail addresses with your own before deploying (README, "Deploy to AWS").
 *
 * Secrets are referenced by Secrets Manager name or ARN only: never put a secret value here.
 */
export const environmentsConfig: DeploymentConfigInput = {
  pipeline: {
    name: 'kiro-codebuild-worker',
    account: '111111111111',
    region: 'us-east-1',
    source: {
      owner: 'kiro-dev',
      repository: 'kiro-codebuild-worker',
      branch: 'main',
      connectionArn:
        'arn:aws:codeconnections:us-east-1:111111111111:connection/2f1d6c4e-8a3b-4c1e-9f0a-5b7d3e2c1a90',
    },
    githubTokenSecret: 'kiro-cd/github-token',
    notifications: { emails: ['delivery-team@example.com'] },
    logRetentionDays: 90,
  },
  environments: [
    {
      name: 'test',
      account: '222222222222',
      region: 'us-east-1',
      stackPrefix: 'KiroWorker-Test',
      approval: { required: false },
      healthCheck: { durationSeconds: 300, intervalSeconds: 30, reviewTimeoutMinutes: 30 },
      alarms: {
        critical: ['poller-errors', 'worker-build-failures'],
        warning: ['poller-throttles', 'poller-duration', 'lock-contention'],
      },
      notifications: { emails: ['delivery-team@example.com'] },
      postDeploymentTests: 'integration',
      logRetentionDays: 90,
    },
    {
      name: 'staging',
      account: '333333333333',
      region: 'us-east-1',
      stackPrefix: 'KiroWorker-Staging',
      approval: { required: false },
      healthCheck: { durationSeconds: 300, intervalSeconds: 30, reviewTimeoutMinutes: 30 },
      alarms: {
        critical: ['poller-errors', 'worker-build-failures'],
        warning: ['poller-throttles', 'poller-duration', 'lock-contention'],
      },
      notifications: { emails: ['delivery-team@example.com'] },
      postDeploymentTests: 'e2e',
      // A public repository whose tests pass: the end-to-end run sends a work item for it through
      // the poller and a real worker build, and expects it done.
      e2eFixture: { repository: 'kiro-dev/kiro-worker-e2e-fixture', branch: 'main' },
      logRetentionDays: 90,
    },
    {
      name: 'production',
      account: '444444444444',
      region: 'us-east-1',
      stackPrefix: 'KiroWorker-Production',
      approval: { required: true, timeoutMinutes: 1440 },
      healthCheck: { durationSeconds: 300, intervalSeconds: 30, reviewTimeoutMinutes: 30 },
      alarms: {
        critical: ['poller-errors', 'worker-build-failures', 'poller-throttles'],
        warning: ['poller-duration', 'lock-contention'],
      },
      notifications: { emails: ['delivery-team@example.com', 'sre-oncall@example.com'] },
      postDeploymentTests: 'smoke',
      logRetentionDays: 90,
    },
  ],
};
