import { STACKS } from '@ecr-kms-replication/stacks';
console.log(STACKS);
