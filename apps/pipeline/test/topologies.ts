import { DestinationModel, RepositoryModel, TopologyModel } from '@ecr-kms-replication/stacks';

const SOURCE_ACCOUNT = '111111111111';
const OTHER_ACCOUNT = '222222222222';
const PIPELINE_ACCOUNT = '333333333333';
/** Regions in a fixed order, so generated topologies are deterministic. */
const REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1',
  'eu-north-1', 'eu-south-1', 'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1',
  'ap-southeast-2', 'ca-central-1', 'sa-east-1', 'af-south-1', 'me-south-1',
];

export interface GeneratedTopologyOptions {
  readonly destinations: number;
  readonly repositories: number;
  readonly approveDestinations?: boolean;
}

/**
 * A validated-model topology with the source in 111111111111/us-east-1 and
 * destinations spread over the two other example accounts and many Regions.
 */
export function generatedTopology(options: GeneratedTopologyOptions): TopologyModel {
  const keyPrincipals = {
    keyAdmins: [`arn:aws:iam::${SOURCE_ACCOUNT}:role/KeyAdmin`],
    keyUsers: [`arn:aws:iam::${SOURCE_ACCOUNT}:role/CiPush`],
  };
  const source = { account: SOURCE_ACCOUNT, region: 'us-east-1', id: `${SOURCE_ACCOUNT}-us-east-1`, ...keyPrincipals };
  const destinations: DestinationModel[] = [];
  for (let i = 0; destinations.length < options.destinations; i++) {
    const account = [SOURCE_ACCOUNT, OTHER_ACCOUNT, PIPELINE_ACCOUNT][Math.floor(i / REGIONS.length)];
    const region = REGIONS[i % REGIONS.length];
    if (account === source.account && region === source.region) continue;
    destinations.push({
      account, region, id: `${account}-${region}`, crossAccount: account !== SOURCE_ACCOUNT, creationTemplate: true, ...keyPrincipals,
    });
  }
  const repositories: RepositoryModel[] = Array.from({ length: options.repositories }, (_, i) => ({
    name: `team-${i % 10}/service-${i}`,
    existing: i % 7 === 3,
    imageTagMutability: 'IMMUTABLE',
    scanOnPush: true,
  }));
  return {
    source,
    destinations,
    repositories,
    pipeline: {
      account: PIPELINE_ACCOUNT,
      region: 'us-east-1',
      connectionArn: `arn:aws:codeconnections:us-east-1:${PIPELINE_ACCOUNT}:connection/00000000-0000-0000-0000-000000000000`,
      repository: 'my-org/ecr-kms-replication',
      branch: 'main',
      approveDestinations: options.approveDestinations ?? false,
    },
    keyAlias: 'alias/ecr-kms-replication',
    removal: 'retain',
    tags: {},
  };
}
