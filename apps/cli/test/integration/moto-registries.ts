/**
 * What the emulator suites (and the verify bench) need to lay out registries
 * in moto_server: moto's own account, clients for another account reached
 * through `sts assume-role` (moto gives an assumed role's credentials the
 * role's account), and image manifests with a digest chosen by the test.
 */
import { ECRClient } from '@aws-sdk/client-ecr';
import { KMSClient } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';

/** The account moto answers as for the credentials it is given. */
export const MOTO_ACCOUNT = '123456789012';

/** ECR and KMS clients acting in `account`: moto's own, or another one through a role assumed there. */
export async function clientsFor(account: string, region: string): Promise<{ ecr: ECRClient; kms: KMSClient }> {
  let credentials;
  if (account !== MOTO_ACCOUNT) {
    const sts = new STSClient({ region: 'us-east-1' });
    const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/setup`, RoleSessionName: 'setup' }));
    credentials = { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken };
  }
  return { ecr: new ECRClient({ region, credentials }), kms: new KMSClient({ region, credentials }) };
}

/** An image manifest whose one layer makes its digest: the same `layer` gives the same image in every registry. */
export function manifest(layer: string): string {
  const digest = (c: string) => `sha256:${c.repeat(64)}`;
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 100, digest: digest('0') },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 1000, digest: digest(layer) }],
  });
}
