import { describeAwsError } from '../../src/registry/errors';

const err = (name: string, message = 'm', extra: object = {}) => Object.assign(new Error(message), { name, ...extra });

test.each([
  [err('CredentialsProviderError', 'Could not load credentials from any providers'), /^no AWS credentials found/],
  [err('AccessDeniedException', 'User: x is not authorized to perform: ecr:DescribeRegistry'), /^access denied in eu-west-1: User: x is not authorized/],
  [err('ThrottlingException', 'Rate exceeded', { $metadata: { attempts: 8 } }), /^throttled by AWS in eu-west-1 after 8 attempts/],
  [err('UnrecognizedClientException'), /Region enabled/],
  [err('InvalidSignatureException'), /Region enabled/],
  [err('Error', 'getaddrinfo ENOTFOUND api.ecr.xx-east-9.amazonaws.com', { code: 'ENOTFOUND' }), /^cannot reach the AWS endpoint in eu-west-1 \(ENOTFOUND\)/],
  [err('ExpiredTokenException'), /expired/],
  [err('ServerException', 'boom\nat stack'), /^ServerException: boom$/],
])('%s', (e, expected) => {
  expect(describeAwsError(e, 'eu-west-1')).toMatch(expected);
});
