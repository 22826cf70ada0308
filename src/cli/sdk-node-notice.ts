/**
 * Keeps the AWS SDK's Node.js-version notice out of the CLI's output. On Node 20 every SDK client
 * prints an 8-line "NodeVersionSupportWarning" (SDK releases after early January 2027 need Node 22)
 * through `process.emitWarning`, which would bury each command's own message. The SDK reads one
 * switch for exactly that notice, `AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true`
 * (`emitWarningIfUnsupportedVersion` in @aws-sdk/core); every other process warning still prints.
 * The README says which Node versions run where. A value the user set is left alone.
 */
export const SDK_NODE_NOTICE_SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

/** Turns the notice off in `env` unless the user chose a value; call before the first SDK client is built. */
export function quietSdkNodeVersionNotice(env: Record<string, string | undefined> = process.env): void {
  if (env[SDK_NODE_NOTICE_SWITCH] === undefined || env[SDK_NODE_NOTICE_SWITCH] === '') env[SDK_NODE_NOTICE_SWITCH] = 'true';
}
