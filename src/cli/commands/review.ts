import { SFNClient } from '@aws-sdk/client-sfn';
import { SfnReviewGate } from '../../pipeline/adapters/aws/sfn-review-gate.js';
import type { ReviewGate } from '../../pipeline/ports/review-gate.js';
import { ConfigurationError } from '../../shared/errors.js';
import { ExitCode, type Command, type OptionValues } from '../command.js';
import { awsCall } from '../aws/aws-errors.js';
import { AWS_CLI_OPTIONS, AWS_CLI_OPTIONS_HELP, awsClientConfig, resolveAwsOptions, type AwsClientConfig } from '../aws/aws-options.js';
import { configuredDefaults } from '../aws/configured-defaults.js';
import { checkServesTaskTokens } from '../aws/task-token-probe.js';
import { recordCliCalls } from '../aws/cli-caller.js';

/** What the review commands need: defaults and a way to reach Step Functions. */
export interface ReviewCommandDeps {
  readonly defaults: () => { readonly region: string } | Promise<{ readonly region: string }>;
  readonly openGate: (client: AwsClientConfig) => ReviewGate;
  /** Checks that an `--endpoint-url` override runs task tokens (the local emulator does not). @default no check */
  readonly checkEndpoint?: (client: AwsClientConfig, endpoint: string) => Promise<void>;
}

/** Step Functions task tokens are 1 to 2048 characters. */
const MAX_TOKEN = 2048;

function parse(values: OptionValues, env: Readonly<Record<string, string | undefined>>): { token: string; comment?: string; actor: string } {
  const token = values.token;
  if (typeof token !== 'string' || token.trim() === '' || token.length > MAX_TOKEN) {
    throw new ConfigurationError('--token is required: the task token from the review notice ("Approve: kiro-cd approve --token \'…\'").', { option: 'token' });
  }
  const comment = values.comment;
  if (comment !== undefined && typeof comment !== 'string') throw new ConfigurationError('--comment needs a value.', { option: 'comment' });
  const actor = typeof values.actor === 'string' && values.actor.trim() !== '' ? values.actor : (env.USER ?? env.USERNAME ?? 'cli');
  return { token, actor, ...(comment === undefined ? {} : { comment }) };
}

function reviewCommand(decision: 'approve' | 'reject', deps: ReviewCommandDeps): Command {
  const effect = decision === 'approve' ? 'the bake continues and the release can pass' : 'the health check fails and the stage rolls back';
  return {
    name: decision,
    summary: `${decision === 'approve' ? 'Approve' : 'Reject'} a release the health monitor paused for review (a warning alarm).`,
    help: `Usage: kiro-cd ${decision} --token <taskToken> [--comment <why>] [--actor <name>] [options]

Answers the health monitor's review pause: ${effect}. The token and the alarms that fired are in the
review-needed notice. No answer within the review timeout counts as a rejection.

Options:
  --token <taskToken>     The task token from the notice (required).
  --comment <why>         Recorded in the deployment history with the decision.
  --actor <name>          Who decides (default: $USER).

${AWS_CLI_OPTIONS_HELP}

Needs AWS: the local emulator does not run task tokens, and an endpoint that accepts any token is
refused (exit 2) rather than reported as answered.

Exit codes: 0 answered, 2 bad input or an endpoint without Step Functions task tokens, 3 Step
Functions could not be reached or did not answer like Step Functions.`,
    options: { ...AWS_CLI_OPTIONS, token: { type: 'string' }, comment: { type: 'string' }, actor: { type: 'string' } },
    async run(context, values, positionals) {
      if (positionals.length > 0) throw new ConfigurationError(`${decision} takes no arguments; pass the token with --token.`);
      const { token, comment, actor } = parse(values, context.env);
      const aws = resolveAwsOptions(values, context.env, await deps.defaults());
      const client = awsClientConfig(aws);
      if (aws.endpointUrl !== undefined) await deps.checkEndpoint?.(client, aws.endpointUrl);
      const gate = deps.openGate(client);
      await awsCall(
        `sending the ${decision === 'approve' ? 'approval' : 'rejection'} to Step Functions`,
        () => (decision === 'approve' ? gate.approve(token, actor, comment) : gate.reject(token, actor, comment)),
        { service: 'Step Functions', ...(aws.endpointUrl === undefined ? {} : { endpoint: aws.endpointUrl }) },
      );
      if (aws.output === 'json') context.out.json({ decision: decision === 'approve' ? 'approved' : 'rejected', actor, ...(comment === undefined ? {} : { comment }) });
      else context.out.info(`${decision === 'approve' ? 'Approved' : 'Rejected'} by ${actor}: ${effect}.`);
      return ExitCode.Ok;
    },
  };
}

/** Builds `approve` and `reject` around their dependencies. */
export function createReviewCommands(deps: ReviewCommandDeps): { readonly approve: Command; readonly reject: Command } {
  return { approve: reviewCommand('approve', deps), reject: reviewCommand('reject', deps) };
}

/** Step Functions behind `approve` and `reject` (the least-privilege proof drops only the endpoint check, which the emulator fails). */
export const reviewDependencies: ReviewCommandDeps = { defaults: () => configuredDefaults(), openGate: (client) => new SfnReviewGate(recordCliCalls(new SFNClient(client))), checkEndpoint: checkServesTaskTokens };

const real = createReviewCommands(reviewDependencies);

/** `kiro-cd approve` on Step Functions. */
export const approveCommand: Command = real.approve;
/** `kiro-cd reject` on Step Functions. */
export const rejectCommand: Command = real.reject;
