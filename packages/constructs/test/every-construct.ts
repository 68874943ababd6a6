import { Stack } from 'aws-cdk-lib';
import {
  BackfillRole,
  CreationTemplateSafetyNet,
  EncryptedRepository,
  RegistryReplication,
  ReplicationAccess,
  ReplicationKey,
} from '../src';

/** One stack holding every construct, as a registry that is both a source and a destination. */
export function everyConstruct(stack: Stack): void {
  const key = new ReplicationKey(stack, 'Key', {
    keyAdmins: ['arn:aws:iam::111111111111:role/key-admin'],
    keyUsers: ['arn:aws:iam::222222222222:root'],
  });
  new EncryptedRepository(stack, 'Repository', { repositoryName: 'team/app', encryptionKey: key.key });
  new EncryptedRepository(stack, 'OwnKey', { repositoryName: 'team/web' });
  new RegistryReplication(stack, 'Replication', {
    destinations: [{ account: '222222222222', region: 'us-west-2' }, { account: '111111111111', region: 'eu-west-1' }],
    repositoryFilters: ['team/'],
  });
  new ReplicationAccess(stack, 'Access', {
    sourceAccounts: ['333333333333'],
    repositoryNames: ['team/app', 'team/web'],
    allowCreateRepository: true,
  });
  new CreationTemplateSafetyNet(stack, 'SafetyNet', { encryptionKey: key.key });
  new CreationTemplateSafetyNet(stack, 'ProdSafetyNet', { encryptionKey: key.key, prefix: 'prod' });
  new BackfillRole(stack, 'Backfill', { trustedAccounts: ['333333333333'] });
}
