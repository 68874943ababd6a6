/**
 * The repair role of a destination registry (the `RepairRole` construct, as
 * the destination stage deploys it), under the permissions boundary every
 * role of the stages carries, evaluated by an IAM policy simulator
 * (@cloud-copilot/iam-simulate): allowed on the topology's repositories and
 * namespaces, denied on any other repository and on anything beyond
 * rebuilding a repository.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { DestinationStage, TopologyModel, validateTopology } from '@ecr-kms-replication/stacks';
import { temporaryDirectory } from '@ecr-kms-replication/testing';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

const BOUNDARY_POLICY = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'permissions-boundary.json'), 'utf8'));
const ACCOUNT = '222222222222';
const REGION = 'eu-west-1';
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const REPAIR_ROLE = `arn:aws:iam::${ACCOUNT}:role/ecr-replication-repair-${REGION}`;
const TEMPLATE_ROLE = `arn:aws:iam::${ACCOUNT}:role/ecr-replication-template-${REGION}`;
const repository = (name: string) => `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`;
const KEY_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
};
const MANAGED = { 'aws:ResourceTag/ManagedBy': 'ecr-kms-replication' };
/** What ECR's CreateGrant on the caller's behalf carries (CreateRepository with KMS). */
const GRANT_VIA_ECR = { ...MANAGED, 'kms:ViaService': `ecr.${REGION}.amazonaws.com`, 'kms:GrantIsForAWSResource': 'true' };

/** A cross-account destination with a listed repository and a namespace. */
function topology(): TopologyModel {
  const base = validateTopology({
    source: { account: '111111111111', region: 'us-east-1' },
    destinations: [{ account: ACCOUNT, region: REGION }],
    repositories: [{ name: 'shop/api' }],
    keyAdmins: ['arn:aws:iam::111111111111:role/KeyAdmin'],
    pipeline: {
      account: '333333333333',
      region: 'us-east-1',
      connectionArn: 'arn:aws:codeconnections:us-east-1:333333333333:connection/00000000-0000-0000-0000-000000000000',
      repository: 'my-org/ecr-kms-replication',
    },
  }, 'repair role test');
  return { ...base, namespaces: [{ prefix: 'team-a', destinations: base.destinations.map((d) => d.id), imageTagMutability: 'IMMUTABLE' }] };
}

/** CloudFormation values of the role's policy made concrete: the partition, and the registry key's ARN. */
function resolve(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolve);
  if (value && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    if (node.Ref === 'AWS::Partition') return 'aws';
    if (node['Fn::GetAtt']) return KEY;
    if (node['Fn::Join']) {
      const [sep, parts] = node['Fn::Join'] as [string, unknown[]];
      return parts.map(resolve).join(sep);
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolve(v)]));
  }
  return value;
}

function repairPolicy(): object {
  const t = topology();
  const app = new App({ outdir: temporaryDirectory(), builtinCloudFormationValidation: false });
  const stage = new DestinationStage(app, { topology: t, destination: t.destinations[0] });
  const role = Object.values(Template.fromStack(stage.registryStack).findResources('AWS::IAM::Role'))
    .find((r) => r.Properties.RoleName === `ecr-replication-repair-${REGION}`)!;
  return resolve(role.Properties.Policies[0].PolicyDocument) as object;
}

const POLICY = repairPolicy();

async function decide(principal: string, action: string, resource: string, context: Record<string, string> = {}): Promise<string> {
  const result = await runSimulation({
    // IAM sets aws:PrincipalArn on every request; the boundary's repair statement keys on it.
    request: { principal, action, resource: { resource, accountId: ACCOUNT }, contextVariables: { 'aws:PrincipalArn': principal, ...context } },
    identityPolicies: [{ name: 'repair', policy: POLICY }],
    permissionBoundaryPolicies: [{ name: 'boundary', policy: BOUNDARY_POLICY }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: action.startsWith('kms:') ? KEY_POLICY : undefined,
  }, {});
  if (result.resultType === 'error') throw new Error(`cannot simulate ${action} on ${resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

describe('the repair role, under the permissions boundary', () => {
  test.each([
    ['shop/api (listed)', 'shop/api'],
    ['team-a/web (under the namespace team-a)', 'team-a/web'],
  ])('rebuilds %s: describe, delete, create, tag, set tag mutability', async (_, name) => {
    for (const action of ['ecr:DescribeRepositories', 'ecr:DescribeImages', 'ecr:DeleteRepository', 'ecr:CreateRepository', 'ecr:TagResource', 'ecr:PutImageTagMutability']) {
      expect([action, await decide(REPAIR_ROLE, action, repository(name))]).toEqual([action, 'Allowed']);
    }
  });

  test('lets ECR use the registry key for a recreated repository, and resolves the key', async () => {
    expect(await decide(REPAIR_ROLE, 'kms:CreateGrant', KEY, GRANT_VIA_ECR)).toBe('Allowed');
    expect(await decide(REPAIR_ROLE, 'kms:DescribeKey', KEY, MANAGED)).toBe('Allowed');
  });

  test.each([
    ['a repository not in the topology', 'other'],
    ['a repository named like the namespace itself', 'team-a'],
    ['a repository under a look-alike namespace', 'team-ab/web'],
    ['a repository under a listed name', 'shop/api/v2'],
  ])('cannot delete or create %s', async (_, name) => {
    expect(await decide(REPAIR_ROLE, 'ecr:DeleteRepository', repository(name))).toBe('ImplicitlyDenied');
    expect(await decide(REPAIR_ROLE, 'ecr:CreateRepository', repository(name))).toBe('ImplicitlyDenied');
  });

  test('cannot write images, change registry settings, or use the key outside ECR', async () => {
    for (const action of ['ecr:PutImage', 'ecr:BatchDeleteImage', 'ecr:SetRepositoryPolicy', 'ecr:PutLifecyclePolicy']) {
      expect([action, await decide(REPAIR_ROLE, action, repository('shop/api'))]).toEqual([action, 'ImplicitlyDenied']);
    }
    expect(await decide(REPAIR_ROLE, 'ecr:PutRegistryPolicy', '*')).toBe('ImplicitlyDenied');
    expect(await decide(REPAIR_ROLE, 'kms:CreateGrant', KEY, { ...MANAGED, 'kms:GrantIsForAWSResource': 'true' })).toBe('ImplicitlyDenied');
    expect(await decide(REPAIR_ROLE, 'kms:Decrypt', KEY, MANAGED)).toBe('ImplicitlyDenied');
  });

  test('the boundary lets only a role named ecr-replication-repair-* delete repositories, whatever its policy', async () => {
    expect(await decide(TEMPLATE_ROLE, 'ecr:DeleteRepository', repository('shop/api'))).toBe('ImplicitlyDenied');
    expect(await decide(TEMPLATE_ROLE, 'ecr:PutImageTagMutability', repository('shop/api'))).toBe('ImplicitlyDenied');
  });
});
