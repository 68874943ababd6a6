'use strict';
// Node.js 20 reached end of life on 2026-04-30; this project supports
// Node.js 22 and later (package.json engines). On an older Node.js the AWS
// SDK for JavaScript (v3) writes a ten-line NodeVersionSupportWarning with
// process.emitWarning (to stderr) the first time a client is created, unless
// AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED is "true"
// (@aws-sdk/core, emitWarningIfUnsupportedVersion). On a supported version
// the SDK says nothing and neither does this file. On an unsupported one it
// replaces the SDK's warning with one line about this command, also on
// stderr: standard output (`--json`) only ever carries the command's output.

/** The oldest Node.js major version this project supports. */
const SUPPORTED_MAJOR = 22;
/** The variable the AWS SDK reads before it warns about the Node.js version. */
const SDK_WARNING_SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

/**
 * On a Node.js older than {@link SUPPORTED_MAJOR}, writes one notice to
 * `proc.stderr` and turns the SDK's own warning off. Does nothing on a
 * supported version, or when the SDK's switch is already set by the user.
 */
function handleUnsupportedNode(proc) {
  const major = Number(/^v(\d+)\./.exec(proc.version)?.[1]);
  if (!(major < SUPPORTED_MAJOR) || proc.env[SDK_WARNING_SWITCH] !== undefined) return;
  proc.env[SDK_WARNING_SWITCH] = 'true';
  proc.stderr.write(`ecr-kms-replication: Node.js ${proc.version} is past its end of life and not supported; use Node.js ${SUPPORTED_MAJOR} or later.\n`);
}

module.exports = { handleUnsupportedNode, SUPPORTED_MAJOR, SDK_WARNING_SWITCH };
