/**
 * One line for a human from whatever the AWS SDK threw: the usual causes
 * (credentials, permissions, throttling, a Region not enabled, no network)
 * are named as such; anything else keeps the service's own words.
 */
export function describeAwsError(err: unknown, region?: string, env: NodeJS.ProcessEnv = process.env): string {
  const e = (err ?? {}) as { name?: string; code?: string; message?: string; $metadata?: { attempts?: number; httpStatusCode?: number } };
  const name = e.name ?? e.code ?? 'Error';
  const message = firstLine(e.message ?? String(err));
  const inRegion = region ? ` in ${region}` : '';

  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return 'no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
  }
  if (name === 'ExpiredToken' || name === 'ExpiredTokenException' || name === 'RequestExpired') {
    return 'the AWS credentials have expired: refresh them (e.g. aws sso login)';
  }
  if (/AccessDenied|UnauthorizedOperation|NotAuthorized/i.test(name)) {
    return `access denied${inRegion}: ${message}`;
  }
  if (/Throttl|TooManyRequests|RequestLimitExceeded|SlowDown/i.test(name)) {
    return `throttled by AWS${inRegion} after ${e.$metadata?.attempts ?? 'several'} attempts: try a lower --concurrency`;
  }
  if (name === 'UnrecognizedClientException' || name === 'InvalidSignatureException' || name === 'InvalidClientTokenId'
    || name === 'AuthFailure' || name === 'OptInRequired') {
    return `the credentials are not accepted${inRegion} (${name}): is the Region enabled for the account?`;
  }
  const status = e.$metadata?.httpStatusCode;
  if (name === 'SyntaxError' && status) {
    return `unreadable answer (HTTP ${status})${inRegion}: the endpoint may not support this API`;
  }
  const code = (err as { code?: string } | undefined)?.code ?? name;
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|TimeoutError|EndpointError/i.test(`${code} ${name}`)) {
    const endpoint = env.AWS_ENDPOINT_URL;
    if (endpoint) {
      return `cannot reach ${endpoint} (AWS_ENDPOINT_URL, ${code}): is the endpoint running? Unset AWS_ENDPOINT_URL to use AWS itself`;
    }
    const address = (err as { address?: string; port?: number; hostname?: string } | undefined);
    const where = address?.hostname ?? (address?.address ? `${address.address}${address.port ? `:${address.port}` : ''}` : undefined);
    return `cannot reach the AWS endpoint${where ? ` ${where}` : ''}${inRegion} (${code}): check the Region name and the network`;
  }
  return `${name}: ${message}`;
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}
