import { describe, expect, it } from 'vitest';
import { environmentsConfig } from '../../../../infrastructure/lib/config/environments.js';
import { loadDeploymentConfig } from '../../../../infrastructure/lib/config/load-config.js';
import type { DeploymentConfigInput } from '../../../../src/shared/config/schema.js';
import { ConfigurationError } from '../../../../src/shared/errors.js';

type Mutable = { pipeline: Record<string, unknown> & { source: Record<string, unknown> }; environments: Record<string, unknown>[] };

/** A fresh, writable copy of the checked-in configuration. */
function copy(): Mutable {
  return structuredClone(environmentsConfig) as unknown as Mutable;
}

function env(config: Mutable, name: 'test' | 'staging' | 'production'): Record<string, unknown> {
  const found = config.environments.find((environment) => environment['name'] === name);
  if (found === undefined) throw new Error(`no ${name} in the fixture`);
  return found;
}

function rejection(config: Mutable): ConfigurationError {
  try {
    loadDeploymentConfig(config as unknown as DeploymentConfigInput);
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('validateConfig rejects, naming scope, key, value and fix', () => {
  it.each<[string, (config: Mutable) => void, RegExp]>([
    ['a region that does not exist', (c) => { env(c, 'production')['region'] = 'mars-1'; }, /environment "production", key "region": got "mars-1"; must be an AWS region/],
    ['an account id that is not 12 digits', (c) => { env(c, 'test')['account'] = '12345'; }, /environment "test", key "account": got "12345"; must be a 12-digit AWS account id/],
    ['a negative health-check duration', (c) => { env(c, 'staging')['healthCheck'] = { durationSeconds: -5, intervalSeconds: 30, reviewTimeoutMinutes: 60 }; }, /environment "staging", key "healthCheck.durationSeconds": got -5; must be a positive number/],
    ['a polling interval below what CloudWatch can change in', (c) => { env(c, 'test')['healthCheck'] = { durationSeconds: 300, intervalSeconds: 5, reviewTimeoutMinutes: 60 }; }, /key "healthCheck.intervalSeconds": got 5; must be at least 10 seconds/],
    ['a duration that is not a multiple of the interval', (c) => { env(c, 'staging')['healthCheck'] = { durationSeconds: 301, intervalSeconds: 30, reviewTimeoutMinutes: 30 }; }, /environment "staging", key "healthCheck.durationSeconds": got 301; must be a whole multiple of healthCheck.intervalSeconds \(30\), for example 300/],
    ['a bake and review that outlive CodePipeline\'s one-hour action timeout', (c) => { env(c, 'staging')['healthCheck'] = { durationSeconds: 1800, intervalSeconds: 30, reviewTimeoutMinutes: 30 }; }, /environment "staging", key "healthCheck.reviewTimeoutMinutes": got 30; healthCheck.durationSeconds \(30 min\) plus healthCheck.reviewTimeoutMinutes \(30 min\) is 60 minutes, more than the 50 the health check may take: it runs as one CodePipeline action, which times out after one hour/],
    ['a review timeout that alone outlives the action', (c) => { env(c, 'test')['healthCheck'] = { durationSeconds: 300, intervalSeconds: 30, reviewTimeoutMinutes: 60 }; }, /environment "test", key "healthCheck.reviewTimeoutMinutes": got 60; must be at most 45 minutes/],
    ['production without approval', (c) => { env(c, 'production')['approval'] = { required: false }; }, /environment "production", key "approval.required": got false; production must be preceded by a manual approval/],
    ['an approval timeout above CodePipeline\'s 60 days', (c) => { env(c, 'production')['approval'] = { required: true, timeoutMinutes: 90_000 }; }, /key "approval.timeoutMinutes": got 90000; must be at most 86400 minutes/],
    ['two environments sharing a stack prefix', (c) => { env(c, 'staging')['stackPrefix'] = 'KiroWorker-Test'; }, /environment "staging", key "stackPrefix": got "KiroWorker-Test"; environment "test" already uses this prefix/],
    ['an alarm that the application stack does not create', (c) => { env(c, 'test')['alarms'] = { critical: ['disk-full'], warning: [] }; }, /key "alarms.critical.0": got "disk-full"; must name alarms from/],
    ['an alarm both critical and warning', (c) => { env(c, 'test')['alarms'] = { critical: ['poller-errors'], warning: ['poller-errors'] }; }, /key "alarms.warning": got \["poller-errors"\]; an alarm is either critical or a warning/],
    ['no critical alarm at all', (c) => { env(c, 'test')['alarms'] = { critical: [], warning: ['poller-errors'] }; }, /key "alarms.critical": got \[\]; name at least one critical alarm/],
    ['a log retention CloudWatch Logs does not offer', (c) => { env(c, 'test')['logRetentionDays'] = 91; }, /key "logRetentionDays": got 91; must be a CloudWatch Logs retention such as 90/],
    ['a misspelt key', (c) => { env(c, 'test')['healthcheck'] = {}; }, /environment "test", key "healthcheck": got \{\}; is not a known key/],
    ['an e-mail address that is not one', (c) => { env(c, 'test')['notifications'] = { emails: ['oncall'] }; }, /key "notifications.emails.0": got "oncall"; must be an e-mail address/],
    ['a Slack channel given by name instead of id', (c) => { env(c, 'test')['notifications'] = { emails: [], slack: { workspaceId: 'T0123456', channelId: '#deploys' } }; }, /key "notifications.slack.channelId": got "#deploys"; must be a Slack channel id/],
    ['a deployment window that is not a cron expression', (c) => { env(c, 'production')['deploymentWindow'] = { cron: 'weekdays 9-17', timeZone: 'UTC' }; }, /key "deploymentWindow.cron": got "weekdays 9-17"; must be an EventBridge cron expression/],
    ['an unknown post-deployment suite', (c) => { env(c, 'staging')['postDeploymentTests'] = 'load'; }, /key "postDeploymentTests": got "load"; must be one of integration, e2e, smoke/],
    ['environments out of deployment order', (c) => { c.environments.reverse(); }, /pipeline settings, key "environments": got \["production","staging","test"\]; list exactly the environments test, staging, production/],
    ['a connection ARN that is not a CodeStar connection', (c) => { c.pipeline.source['connectionArn'] = 'arn:aws:iam::111111111111:role/github'; }, /pipeline settings, key "source.connectionArn": got "arn:aws:iam::111111111111:role\/github"; must be the ARN of a CodeStar/],
    ['a secret value where a secret reference belongs', (c) => { c.pipeline['githubTokenSecret'] = 'ghp_abc def'; }, /pipeline settings, key "githubTokenSecret": got a value of 11 characters \(not shown: it may be a secret\); must be a Secrets Manager secret name/],
    ['an end-to-end suite without its fixture', (c) => { delete env(c, 'staging')['e2eFixture']; }, /environment "staging", key "e2eFixture": got nothing; is required when postDeploymentTests is "e2e": the public GitHub repository/],
    ['an e2e fixture that is not owner/name', (c) => { env(c, 'staging')['e2eFixture'] = { repository: 'https://github.com/kiro-dev/fixture' }; }, /environment "staging", key "e2eFixture.repository": got "https:\/\/github.com\/kiro-dev\/fixture"; must be a GitHub repository as owner\/name/],
    ['a GitHub token that would pass as a secret name', (c) => { c.pipeline['githubTokenSecret'] = 'github_pat_11ABCDEFG0123456789'; }, /key "githubTokenSecret": got a value of 30 characters \(not shown: it may be a secret\); looks like a GitHub token, not a secret name: store the token in Secrets Manager/],
    // Issue 13, item 9: the implementation command's secrets, by reference only.
    ['a pasted token as an implementation secret', (c) => { env(c, 'staging')['implementationSecrets'] = { GITHUB_TOKEN: 'ghp_0123456789abcdef' }; }, /environment "staging", key "implementationSecrets.GITHUB_TOKEN": got a value of 20 characters \(not shown: it may be a secret\); looks like a GitHub token, not a secret name: store the token in Secrets Manager/],
    ['an implementation secret ARN without its six-character suffix', (c) => { env(c, 'test')['implementationSecrets'] = { NPM_TOKEN: 'arn:aws:secretsmanager:us-east-1:222222222222:secret:kiro/npm' }; }, /environment "test", key "implementationSecrets.NPM_TOKEN": got a value of \d+ characters \(not shown: it may be a secret\); must be the secret's full ARN as Secrets Manager shows it, ending in "-" and six characters, or the secret's name/],
    ['an implementation secret under a work-item variable name', (c) => { env(c, 'production')['implementationSecrets'] = { KIRO_BRANCH: 'kiro/branch' }; }, /environment "production", key "implementationSecrets.KIRO_BRANCH": .*must not start with KIRO_ \(the work item's variables\) or CODEBUILD_ \(CodeBuild's own\): choose another name/],
    ['an implementation secret under a name that is no variable', (c) => { env(c, 'test')['implementationSecrets'] = { 'npm-token': 'kiro/npm' }; }, /environment "test", key "implementationSecrets.npm-token": .*must be an environment variable name/],
  ])('rejects %s', (_why, mutate, message) => {
    const config = copy();
    mutate(config);
    const error = rejection(config);
    expect(error.message).toMatch(message);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.fault).toBe('user');
  });

  it.each([['ghp_0123456789abcdefghijklmnopqrstuvwxyz'], ['gho_Zz9'], ['a b c']])('never echoes the value given for githubTokenSecret (%#)', (value) => {
    const config = copy();
    config.pipeline['githubTokenSecret'] = value;
    const error = rejection(config);
    expect(error.message).not.toContain(value);
    expect(JSON.stringify(error.context)).not.toContain(value);
  });

  it('lists every problem at once, not only the first', () => {
    const config = copy();
    env(config, 'test')['region'] = 'mars-1';
    env(config, 'production')['account'] = 'abc';
    const error = rejection(config);
    expect(error.message).toMatch(/\(2 problems\)/);
    expect(error.message).toMatch(/environment "test", key "region"/);
    expect(error.message).toMatch(/environment "production", key "account"/);
  });
});

describe('deployment windows are checked as EventBridge and CodePipeline will check them (issue 14, item 8)', () => {
  it.each<[string, string, string, RegExp]>([
    ['hour 25', 'cron(* 25 ? * MON-THU *)', 'UTC', /key "deploymentWindow.cron": got "cron\(\* 25 \? \* MON-THU \*\)"; must keep every field in its range; in hours, "25" is outside 0-23/],
    ['"*" in both day fields', 'cron(* 9-16 * * * *)', 'UTC', /key "deploymentWindow.cron": .*"\?" in exactly one of day-of-month and day-of-week/],
    ['"?" in both day fields', 'cron(* 9-16 ? * ? *)', 'UTC', /"\?" in exactly one of day-of-month and day-of-week/],
    ['a day that does not exist', 'cron(* 9-16 ? * MON-FUN *)', 'UTC', /in day-of-week, "FUN" is outside 1-7 or SUN-SAT/],
    ['minute 60', 'cron(60 9 ? * MON *)', 'UTC', /in minutes, "60" is outside 0-59/],
    ['five fields', 'cron(* 9-16 ? * MON-THU)', 'UTC', /with six fields/],
    ['a misspelt time zone', 'cron(* 9-16 ? * MON-THU *)', 'Europe/Berln', /key "deploymentWindow.timeZone": got "Europe\/Berln"; must be an IANA time zone/],
  ])('refuses %s', (_why, cron, timeZone, message) => {
    const config = copy();
    env(config, 'staging')['deploymentWindow'] = { cron, timeZone };
    expect(rejection(config).message).toMatch(message);
  });

  it.each([
    ['the documented example: every minute of 09:00-16:59, Monday to Thursday', 'cron(* 9-16 ? * MON-THU *)', 'Europe/Berlin'],
    ['steps, lists, L and #', 'cron(0/15 8,12-14 L * ? 2026-2030)', 'UTC'],
    ['the third Friday', 'cron(* 9 ? JAN-DEC 6#3 *)', 'America/New_York'],
  ])('accepts %s', (_why, cron, timeZone) => {
    const config = copy();
    env(config, 'staging')['deploymentWindow'] = { cron, timeZone };
    expect(() => loadDeploymentConfig(config as unknown as DeploymentConfigInput)).not.toThrow();
  });

  it('a missing time zone is said in the project\'s words', () => {
    const config = copy();
    env(config, 'staging')['deploymentWindow'] = { cron: 'cron(* 9-16 ? * MON-THU *)' };
    const message = rejection(config).message;
    expect(message).toContain('key "deploymentWindow.timeZone": got nothing; is required: must be an IANA time zone');
    expect(message).not.toContain('Invalid input');
  });
});

describe('someone is told (issue 14, item 10)', () => {
  it.each<[string, (config: Mutable) => void, RegExp]>([
    ['production with no e-mail and no Slack channel', (c) => { env(c, 'production')['notifications'] = { emails: [] }; }, /environment "production", key "notifications": got \{"emails":\[\]\}; must name at least one e-mail address or a Slack channel/],
    ['production with no notifications at all', (c) => { delete env(c, 'production')['notifications']; }, /environment "production", key "notifications": .*must name at least one e-mail address or a Slack channel/],
    ['the pipeline with no e-mail and no Slack channel', (c) => { c.pipeline['notifications'] = { emails: [] }; }, /pipeline settings, key "notifications": got \{"emails":\[\]\}; must name at least one e-mail address or a Slack channel/],
  ])('refuses %s', (_why, mutate, message) => {
    const config = copy();
    mutate(config);
    expect(rejection(config).message).toMatch(message);
  });

  it('accepts a Slack channel instead of e-mail', () => {
    const config = copy();
    env(config, 'production')['notifications'] = { emails: [], slack: { workspaceId: 'T0123456', channelId: 'C0123456' } };
    expect(() => loadDeploymentConfig(config as unknown as DeploymentConfigInput)).not.toThrow();
  });
});
