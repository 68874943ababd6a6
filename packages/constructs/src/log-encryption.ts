import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * Lets CloudWatch Logs use `key` for one log group of `scope`'s stack, and no
 * other (AWS Control Tower control CT.CLOUDWATCH.PR.3 asks for encrypted log groups).
 */
export function allowLogGroupEncryption(scope: Construct, key: kms.IKey, logGroupName: string, sid: string): void {
  const stack = Stack.of(scope);
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid,
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    // The actions AWS documents for encrypting a log group (CloudWatch Logs user guide, encrypt-log-data-kms).
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: {
      ArnEquals: {
        'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
          service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    },
  }));
}
