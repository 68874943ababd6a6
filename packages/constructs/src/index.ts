export * from './validation';
export * from './replication-key';
export * from './encrypted-repository';
export * from './registry-replication';
export * from './replication-access';
export * from './creation-template';
export * from './backfill-role';
