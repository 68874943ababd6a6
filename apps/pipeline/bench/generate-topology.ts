/**
 * Topology files of any size, in the public file format, for the benchmark
 * and the tests: the source in 111111111111/us-east-1, destinations over the
 * three example accounts (alternating) and twenty Regions, repositories in
 * ten teams, one in seven of them adopted (`existing`). Numbers are padded
 * so that no name is a prefix of another (ECR filters by prefix).
 */

/** Regions in a fixed order, so generated topologies are deterministic. */
const REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1',
  'eu-north-1', 'eu-south-1', 'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1',
  'ap-southeast-2', 'ca-central-1', 'sa-east-1', 'af-south-1', 'me-south-1',
];
const ACCOUNTS = ['111111111111', '222222222222', '333333333333'];

export interface GenerateTopologyOptions {
  readonly destinations: number;
  readonly repositories: number;
  /** @default false */
  readonly approveDestinations?: boolean;
}

/** The topology document (what `yaml.parse` of a topology file gives). */
export function generateTopologyDocument(options: GenerateTopologyOptions): Record<string, unknown> {
  const destinations: { account: string; region: string }[] = [];
  // Accounts alternate, so even small topologies mix same-account and
  // cross-account destinations.
  for (let i = 0; destinations.length < options.destinations && i < ACCOUNTS.length * REGIONS.length; i++) {
    const account = ACCOUNTS[i % ACCOUNTS.length];
    const region = REGIONS[Math.floor(i / ACCOUNTS.length)];
    if (account === ACCOUNTS[0] && region === 'us-east-1') continue; // the source
    destinations.push({ account, region });
  }
  const repositories = Array.from({ length: options.repositories }, (_, i) => ({
    name: `team-${i % 10}/service-${String(i).padStart(4, '0')}`,
    ...(i % 7 === 3 ? { existing: true } : {}),
  }));
  return {
    source: { account: ACCOUNTS[0], region: 'us-east-1' },
    destinations,
    repositories,
    keyAdmins: [`arn:aws:iam::${ACCOUNTS[0]}:role/KeyAdmin`],
    keyUsers: [`arn:aws:iam::${ACCOUNTS[0]}:role/CiPush`],
    pipeline: {
      account: ACCOUNTS[2],
      region: 'us-east-1',
      connectionArn: `arn:aws:codeconnections:us-east-1:${ACCOUNTS[2]}:connection/00000000-0000-0000-0000-000000000000`,
      repository: 'my-org/ecr-kms-replication',
      branch: 'main',
      ...(options.approveDestinations ? { approveDestinations: true } : {}),
    },
  };
}

export interface GenerateNamespacedTopologyOptions {
  readonly destinations: number;
  /** Namespaces, spread evenly over the routing groups. */
  readonly namespaces: number;
  /** Listed repositories outside every namespace, spread evenly over the routing groups. */
  readonly repositories: number;
  /** Distinct destination sets; together they cover every destination. */
  readonly routingGroups: number;
}

/**
 * A topology with namespaces and routing: routing group `g` goes to every
 * destination whose index is `g` modulo the number of groups (so the groups
 * are distinct and together reach every destination), and holds its share of
 * the namespaces (`team-<g>-<n>`) and of the listed repositories
 * (`apps-<g>/service-<n>`, outside every namespace). Names are padded so that
 * none is a prefix of another.
 */
export function generateNamespacedTopologyDocument(options: GenerateNamespacedTopologyOptions): Record<string, unknown> {
  const base = generateTopologyDocument({ destinations: options.destinations, repositories: 0 });
  const ids = (base.destinations as { account: string; region: string }[]).map((d) => `${d.account}-${d.region}`);
  const group = (i: number) => i % options.routingGroups;
  const routed = (g: number) => ids.filter((_, index) => index % options.routingGroups === g);
  const pad = (n: number) => String(n).padStart(4, '0');
  return {
    ...base,
    namespaces: Array.from({ length: options.namespaces }, (_, i) => ({ prefix: `team-${pad(group(i))}-${pad(i)}`, destinations: routed(group(i)) })),
    repositories: Array.from({ length: options.repositories }, (_, i) => ({
      name: `apps-${pad(group(i))}/service-${pad(i)}`,
      destinations: routed(group(i)),
      ...(i % 7 === 3 ? { existing: true } : {}),
    })),
  };
}
