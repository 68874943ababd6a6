import { HELLO } from '@ecr-kms-replication/constructs';
export const STACKS = HELLO + '-stacks';
