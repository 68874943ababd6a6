import { App, Stack } from 'aws-cdk-lib';
import { STACKS } from '@ecr-kms-replication/stacks';
const app = new App();
new Stack(app, STACKS, { env: { account: '111111111111', region: 'us-east-1' } });
app.synth();
