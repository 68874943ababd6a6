/**
 * `verify` and `preflight` with namespaces against moto_server: real SDK
 * calls, real AssumeRole into another account. The topology file's
 * `namespaces:` is read by the stacks package: these tests give the command
 * functions a model with namespaces set.
 *
 * moto 5.2 has no repository creation templates (DescribeRepositoryCreationTemplates
 * answers HTTP 500): the template checks must say they could not be checked,
 * never pass; their content is covered by the unit tests.
 */
import { CreateRepositoryCommand, PutRegistryPolicyCommand, PutReplicationConfigurationCommand } from '@aws-sdk/client-ecr';
import { CreateAliasCommand, CreateKeyCommand } from '@aws-sdk/client-kms';
import { TopologyModel, validateTopology } from '@ecr-kms-replication/stacks';
import { describeAgainstMoto } from '@ecr-kms-replication/testing';
import { preflightTopology } from '../../src/preflight/preflight';
import { LOOKUP_ROLE_NAME } from '../../src/registry/access';
import { VerifyReport } from '../../src/report/result';
import { verifyTopology } from '../../src/verify/verify';
import { repo, topologyInput, withNamespaces } from '../fixtures';
import { clientsFor, MOTO_ACCOUNT } from './moto-registries';

/** moto's only account for the dummy `testing` credentials. */
const ALIAS = 'alias/ecr-kms-replication';

/** shop/api listed; the namespace team-a routed to both destinations. */
const MODEL: TopologyModel = withNamespaces(validateTopology(topologyInput({
  source: { account: MOTO_ACCOUNT, region: 'us-east-1' },
  destinations: [{ account: MOTO_ACCOUNT, region: 'eu-west-1', creationTemplate: false }, { account: '111111111111', region: 'eu-central-1' }],
  repositories: [repo('shop/api')],
  keyAlias: ALIAS,
})), [{ prefix: 'team-a' }]);
const [, CROSS_ACCOUNT] = MODEL.destinations;

const options = () => ({
  assumeRole: 'other-accounts' as const, roleName: LOOKUP_ROLE_NAME, concurrency: 4, stsRegion: 'us-east-1', env: process.env,
});

/**
 * What the pipeline deploys for MODEL (templates aside), plus what teams did
 * afterwards: `team-a/web` created through the templates everywhere, the
 * `extra` repositories (`<env id>/<name>`, AES-256).
 */
async function deploy(extra: string[] = []): Promise<void> {
  for (const env of [MODEL.source, ...MODEL.destinations]) {
    const { ecr, kms } = await clientsFor(env.account, env.region);
    const key = await kms.send(new CreateKeyCommand({ Description: 'ecr-kms-replication' }));
    await kms.send(new CreateAliasCommand({ AliasName: ALIAS, TargetKeyId: key.KeyMetadata!.KeyId }));
    for (const name of ['shop/api', 'team-a/web']) {
      await ecr.send(new CreateRepositoryCommand({
        repositoryName: name, imageTagMutability: 'IMMUTABLE', encryptionConfiguration: { encryptionType: 'KMS', kmsKey: key.KeyMetadata!.Arn },
      }));
    }
    for (const name of extra.filter((e) => e.startsWith(`${env.id}/`)).map((e) => e.slice(env.id.length + 1))) {
      await ecr.send(new CreateRepositoryCommand({ repositoryName: name, imageTagMutability: 'IMMUTABLE', encryptionConfiguration: { encryptionType: 'AES256' } }));
    }
    if (env.id === MODEL.source.id) {
      await ecr.send(new PutReplicationConfigurationCommand({
        replicationConfiguration: {
          rules: [{
            destinations: MODEL.destinations.map((d) => ({ region: d.region, registryId: d.account })),
            repositoryFilters: [{ filter: 'shop/api', filterType: 'PREFIX_MATCH' }, { filter: 'team-a/', filterType: 'PREFIX_MATCH' }],
          }],
        },
      }));
    } else if (env.account !== MODEL.source.account) {
      const arn = (name: string) => `arn:aws:ecr:${env.region}:${env.account}:repository/${name}`;
      await ecr.send(new PutRegistryPolicyCommand({
        policyText: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Sid: 'Replication', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${MOTO_ACCOUNT}:root` }, Action: 'ecr:ReplicateImage', Resource: [arn('shop/api'), arn('team-a/*')] },
            { Sid: 'NamespaceCreation', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${MOTO_ACCOUNT}:root` }, Action: 'ecr:CreateRepository', Resource: arn('team-a/*') },
          ],
        }),
      }));
    }
  }
}

const problems = (report: VerifyReport) => report.environments.flatMap((e) => e.checks
  .filter((c) => c.status !== 'pass').map((c) => ({ env: e.id, ...c })));

describeAgainstMoto('namespaces against moto_server', () => {

  test('verify names an AES-256 repository under a namespace in a destination (repository, registry, fix) and shop/api-old as replicated but unmanaged', async () => {
    await deploy([`${CROSS_ACCOUNT.id}/team-a/old`, `${MODEL.source.id}/shop/api-old`]);
    const report = await verifyTopology(MODEL, options());
    expect(report.ok).toBe(false);
    const found = problems(report);

    expect(found.filter((p) => p.check === 'encryption')).toEqual([{
      env: CROSS_ACCOUNT.id,
      check: 'encryption',
      repository: 'team-a/old',
      status: 'fail',
      detail: 'team-a/old (namespace team-a) in 111111111111/eu-central-1 is encrypted with AES256, not KMS with alias/ecr-kms-replication (cannot be changed)',
      fix: expect.stringContaining('aws ecr delete-repository --repository-name team-a/old --registry-id 111111111111 --region eu-central-1 --force'),
    }]);

    const unmanaged = found.filter((p) => p.check === 'unmanaged');
    expect(unmanaged).toEqual([expect.objectContaining({ env: MODEL.source.id, repository: 'shop/api-old', status: 'fail' })]);
    expect(unmanaged[0].detail).toContain('matched by the replication configuration\'s rule 1 filter \'shop/api\', the topology\'s rule 1 filter \'shop/api\'');
    expect(unmanaged[0].detail).toContain('111111111111/eu-central-1: refused unless shop/api-old exists there');
    expect(unmanaged[0].detail).toContain(`${MOTO_ACCOUNT}/eu-west-1: created by replication, encrypted with AES-256 unless a creation template matches it`);

    // The templates cannot be read from moto: said in the source and in each destination the namespace is routed to, as errors, never as passes.
    expect(found.filter((p) => p.check === 'creation-template').map((p) => `${p.env} ${p.status}`)).toEqual([
      `${MODEL.source.id} error`, `${MODEL.destinations[0].id} error`, `${CROSS_ACCOUNT.id} error`,
    ]);
    expect(found.find((p) => p.check === 'creation-template')!.detail).toMatch(/^the creation templates of 123456789012\/us-east-1 cannot be read, so the 1 namespace template\(s\) \(team-a\) are not checked: /);

    // Nothing else: the repositories under team-a that hold, the grants on team-a/* (template not read), the replication of the namespace.
    expect(found.map((p) => p.check).sort()).toEqual(['creation-template', 'creation-template', 'creation-template', 'encryption', 'unmanaged']);
    const cross = report.environments.find((e) => e.id === CROSS_ACCOUNT.id)!.checks;
    expect(cross.find((c) => c.check === 'namespace')?.detail).toBe('1 of 2 repositories under team-a/ encrypted with alias/ecr-kms-replication, IMMUTABLE tags');
    expect(cross.map((c) => c.detail)).toContain(
      'grants ecr:CreateRepository on arn:aws:ecr:eu-central-1:111111111111:repository/team-a/* (namespace team-a, template not read: see the creation-template check)');
  });

  test('preflight names shop/api-old next to a listed shop/api as replicated but unmanaged, before the first deploy', async () => {
    const { ecr } = await clientsFor(MOTO_ACCOUNT, 'us-east-1');
    for (const name of ['shop/api', 'shop/api-old', 'other']) await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const report = await preflightTopology(MODEL, options());
    const unmanaged = problems(report).filter((p) => p.check === 'unmanaged');
    expect(unmanaged).toEqual([expect.objectContaining({ env: MODEL.source.id, repository: 'shop/api-old', status: 'warn' })]);
    expect(unmanaged[0].detail).toContain('matched by the topology\'s rule 1 filter \'shop/api\'');
    expect(unmanaged[0].fix).toContain('list shop/api-old in repositories (existing: true) or cover it with a namespace');
    // The namespace needs templates here: that they cannot be read is an error in every registry.
    expect(problems(report).filter((p) => p.check === 'creation-template').map((p) => p.status)).toEqual(['error', 'error', 'error']);
  });
});
