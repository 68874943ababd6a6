/**
 * `npm run bench:verify`: times `verify` against moto_server on
 * 5 registries (the source and 4 destinations, 2 of them in other accounts)
 * holding 2,000 repositories each under namespaces, against `verify` of the
 * same registries by a topology that lists only the 10 repositories (the
 * ratio says what checking every repository under the namespaces costs; the
 * source is read whole in both, for what replicates unmanaged). Each case runs BENCH_REPEATS times
 * (default 3); the table shows medians. Set-up time is not counted.
 *
 * moto has no creation templates: reading them fails after the SDK's retries,
 * which the figure includes (on AWS that call answers at once).
 */
import * as os from 'os';
import { CreateRepositoryCommand, PutRegistryPolicyCommand, PutReplicationConfigurationCommand } from '@aws-sdk/client-ecr';
import { CreateAliasCommand, CreateKeyCommand } from '@aws-sdk/client-kms';
import { TopologyModel, validateTopology } from '@ecr-kms-replication/stacks';
import { emulatorEnv, findMotoServer, MotoServer, patchEnv } from '@ecr-kms-replication/testing';
import { LOOKUP_ROLE_NAME } from '../src/registry/access';
import { mapLimit } from '../src/registry/pool';
import { verifyTopology } from '../src/verify/verify';
import { clientsFor, MOTO_ACCOUNT } from '../test/integration/moto-registries';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const ALIAS = 'alias/ecr-kms-replication';
const NAMESPACES = 20;
const PER_NAMESPACE = 100;
const LISTED = 10;

const pipeline = {
  account: '333333333333',
  region: 'us-east-1',
  connectionArn: 'arn:aws:codeconnections:us-east-1:333333333333:connection/00000000-0000-0000-0000-000000000000',
  repository: 'my-org/ecr-kms-replication',
};

/** The listed repositories only. */
const LISTED_ONLY = validateTopology({
  source: { account: MOTO_ACCOUNT, region: 'us-east-1' },
  destinations: [
    { account: MOTO_ACCOUNT, region: 'eu-west-1', creationTemplate: false },
    { account: MOTO_ACCOUNT, region: 'us-west-2', creationTemplate: false },
    { account: '111111111111', region: 'eu-central-1' },
    { account: '222222222222', region: 'ap-southeast-2' },
  ],
  repositories: Array.from({ length: LISTED }, (_, i) => ({ name: `shared/base-${i}` })),
  keyAlias: ALIAS,
  pipeline,
}, 'the bench topology');

/** The same with namespaces routed everywhere (the file's `namespaces:` is read by the stacks package; set on the model here). */
const NAMESPACED: TopologyModel = {
  ...LISTED_ONLY,
  namespaces: Array.from({ length: NAMESPACES }, (_, i) => ({
    prefix: `team-${String(i).padStart(2, '0')}`,
    destinations: LISTED_ONLY.destinations.map((d) => d.id),
    imageTagMutability: 'IMMUTABLE' as const,
  })),
};

/** Every registry as deployed, with PER_NAMESPACE repositories under each namespace (made through the templates, KMS). */
async function setUp(): Promise<number> {
  let repositories = 0;
  for (const env of [NAMESPACED.source, ...NAMESPACED.destinations]) {
    const { ecr, kms } = await clientsFor(env.account, env.region);
    const key = await kms.send(new CreateKeyCommand({ Description: 'ecr-kms-replication' }));
    await kms.send(new CreateAliasCommand({ AliasName: ALIAS, TargetKeyId: key.KeyMetadata!.KeyId }));
    const names = [
      ...NAMESPACED.repositories.map((r) => r.name),
      ...NAMESPACED.namespaces.flatMap((n) => Array.from({ length: PER_NAMESPACE }, (_, i) => `${n.prefix}/service-${i}`)),
    ];
    await mapLimit(names, 16, (name) => ecr.send(new CreateRepositoryCommand({
      repositoryName: name, imageTagMutability: 'IMMUTABLE', encryptionConfiguration: { encryptionType: 'KMS', kmsKey: key.KeyMetadata!.Arn },
    })));
    repositories += names.length;
    if (env.id === NAMESPACED.source.id) {
      await ecr.send(new PutReplicationConfigurationCommand({
        replicationConfiguration: {
          rules: [{
            destinations: NAMESPACED.destinations.map((d) => ({ region: d.region, registryId: d.account })),
            repositoryFilters: [
              ...NAMESPACED.repositories.map((r) => ({ filter: r.name, filterType: 'PREFIX_MATCH' as const })),
              ...NAMESPACED.namespaces.map((n) => ({ filter: `${n.prefix}/`, filterType: 'PREFIX_MATCH' as const })),
            ],
          }],
        },
      }));
    } else if (env.account !== MOTO_ACCOUNT) {
      const arn = (name: string) => `arn:aws:ecr:${env.region}:${env.account}:repository/${name}`;
      await ecr.send(new PutRegistryPolicyCommand({
        policyText: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Sid: 'Replication', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${MOTO_ACCOUNT}:root` }, Action: 'ecr:ReplicateImage', Resource: arn('*') },
            {
              Sid: 'NamespaceCreation', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${MOTO_ACCOUNT}:root` }, Action: 'ecr:CreateRepository',
              Resource: NAMESPACED.namespaces.map((n) => arn(`${n.prefix}/*`)),
            },
          ],
        }),
      }));
    }
  }
  return repositories;
}

interface Run { readonly seconds: number; readonly checks: number; readonly unexpected: string[] }

/** `expected`: the checks that may be other than pass (moto has no creation templates). */
async function timeVerify(topology: TopologyModel, expected: readonly string[] = ['creation-template']): Promise<Run> {
  const started = process.hrtime.bigint();
  const report = await verifyTopology(topology, {
    assumeRole: 'other-accounts', roleName: LOOKUP_ROLE_NAME, concurrency: 5, stsRegion: 'us-east-1', env: process.env,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // Anything else than expected means the bench measured a broken set-up.
  const unexpected = report.environments.flatMap((e) => e.checks
    .filter((c) => c.status !== 'pass' && !expected.includes(c.check))
    .map((c) => `${e.id} ${c.check} ${c.repository ?? ''}: ${c.detail}`));
  return { seconds, checks: report.summary.checks, unexpected };
}

async function median(label: string, run: () => Promise<Run>): Promise<Run> {
  const runs: Run[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const r = await run();
    process.stderr.write(`  ${label}: run ${i + 1}/${REPEATS} ${r.seconds.toFixed(2)} s\n`);
    if (r.unexpected.length > 0) throw new Error(`${label}: unexpected findings:\n${r.unexpected.slice(0, 10).join('\n')}`);
    runs.push(r);
  }
  return runs.sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)];
}

async function main() {
  const executable = findMotoServer();
  if (!executable) throw new Error('moto_server not found on PATH: this bench runs against it');
  const moto = await MotoServer.start(executable);
  const restore = patchEnv({ ...emulatorEnv(moto.endpoint), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
  try {
    process.stderr.write(`Benchmark: verify against moto_server, ${REPEATS} runs a case, medians\n`);
    const setUpStarted = Date.now();
    const repositories = await setUp();
    process.stderr.write(`  set-up: ${repositories} repositories in ${((Date.now() - setUpStarted) / 1000).toFixed(0)} s\n`);
    const namespaced = await median('namespaces', () => timeVerify(NAMESPACED));
    // Without the namespaces, every repository under them is replicated but unmanaged and the grants on them are drift: reported, as they should be.
    const listed = await median('listed only', () => timeVerify(LISTED_ONLY, ['unmanaged', 'registry-policy']));
    const cpu = os.cpus();
    const registries = 1 + NAMESPACED.destinations.length;
    process.stdout.write([
      `Machine: ${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown CPU'}, load average ${os.loadavg()[0].toFixed(1)}, Node.js ${process.version}; `
        + `${REPEATS} runs a case, median wall time of verifyTopology (reads, checks, report), moto_server on the same machine.`,
      '',
      `Every case reads the same ${registries} registries of ${LISTED + NAMESPACES * PER_NAMESPACE} repositories each.`,
      '',
      '| topology | checks | wall time | vs listed only |',
      '|---|---|---|---|',
      `| ${LISTED} listed repositories, no namespace | ${listed.checks} | ${listed.seconds.toFixed(2)} s | 1.00x |`,
      `| the same and ${NAMESPACES} namespaces x ${PER_NAMESPACE} repositories | ${namespaced.checks} | ${namespaced.seconds.toFixed(2)} s `
        + `| ${(namespaced.seconds / listed.seconds).toFixed(2)}x |`,
      '',
    ].join('\n'));
  } finally {
    restore();
    moto.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
