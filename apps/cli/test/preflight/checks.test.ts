import {
  checkCreationTemplate,
  checkKeyAlias,
  checkRegistryPolicy,
  checkReplicationConfiguration,
  checkRepositories,
  checkStacks,
  Ownership,
  ownerOf,
} from '../../src/preflight/checks';
import { StackData } from '../../src/registry/data';
import { CROSS_ACCOUNT, deployedStacks, goodTemplate, keyIn, policyAllowing, SAME_ACCOUNT, SOURCE, topology } from '../fixtures';

const t = topology();
const NONE: Ownership = { repositoriesStacks: [] };

function owned(env: typeof SOURCE, model = t): Ownership {
  const [registryStack, ...repositoriesStacks] = deployedStacks(model, env);
  return { registryStack, repositoriesStacks };
}

describe('ownership', () => {
  test('a resource is ours when a stack of ours holds it', () => {
    const ownership = owned(CROSS_ACCOUNT);
    expect(ownerOf(ownership, 'AWS::ECR::RegistryPolicy')).toBe('ecr-replication-destination-222222222222-eu-central-1');
    expect(ownerOf(ownership, 'AWS::ECR::Repository', 'app')).toMatch(/^ecr-replication-destination-222222222222-eu-central-1-repositories-[1-4]$/);
    expect(ownerOf(ownership, 'AWS::ECR::Repository', 'other')).toBeUndefined();
  });

  test('what a ROLLBACK_COMPLETE stack retained is not ours', () => {
    const registryStack: StackData = {
      name: 'ecr-replication-destination-222222222222-eu-central-1',
      status: 'ROLLBACK_COMPLETE',
      resources: [{ logicalId: 'KeyAlias', type: 'AWS::KMS::Alias', physicalId: t.keyAlias, status: 'DELETE_SKIPPED' }],
    };
    expect(ownerOf({ registryStack, repositoriesStacks: [] }, 'AWS::KMS::Alias', t.keyAlias)).toBeUndefined();
  });
});

describe('checkStacks', () => {
  test('no stack yet, or stacks that are fine, pass', () => {
    expect(checkStacks(SOURCE, NONE)).toEqual([{ check: 'stack', status: 'pass', detail: 'no stack of this deployment yet' }]);
    expect(checkStacks(SOURCE, owned(SOURCE))[0].status).toBe('pass');
  });

  test('a stack in ROLLBACK_COMPLETE blocks, with the command that deletes it and what it retained', () => {
    const [registryStack] = deployedStacks(t, CROSS_ACCOUNT, 'ROLLBACK_COMPLETE');
    const stuck = { ...registryStack, resources: [{ logicalId: 'Key', type: 'AWS::KMS::Key', physicalId: 'key-1', status: 'DELETE_SKIPPED' }] };
    const [result] = checkStacks(CROSS_ACCOUNT, { registryStack: stuck, repositoriesStacks: [] });
    expect(result).toMatchObject({ check: 'stack', status: 'fail' });
    expect(result.detail).toBe('the stack ecr-replication-destination-222222222222-eu-central-1 in 222222222222/eu-central-1 is in ROLLBACK_COMPLETE '
      + '(its creation failed and was rolled back: it can only be deleted): every deployment of it fails until it is deleted; it retained AWS::KMS::Key key-1');
    expect(result.fix).toMatch(/^aws cloudformation delete-stack --stack-name ecr-replication-destination-222222222222-eu-central-1 --region eu-central-1, then run preflight again/);
  });

  test('an update that could not roll back is continued, not deleted', () => {
    const [registryStack] = deployedStacks(t, SOURCE, 'UPDATE_ROLLBACK_FAILED');
    expect(checkStacks(SOURCE, { registryStack, repositoriesStacks: [] })[0].fix)
      .toMatch(/^aws cloudformation continue-update-rollback --stack-name ecr-replication-source-111111111111-us-east-1 --region us-east-1/);
  });

  test('a deployment in progress is a warning', () => {
    const [registryStack] = deployedStacks(t, SOURCE, 'UPDATE_IN_PROGRESS');
    expect(checkStacks(SOURCE, { registryStack, repositoriesStacks: [] })[0]).toMatchObject({ status: 'warn' });
  });
});

describe('checkReplicationConfiguration', () => {
  test('none, or our own, passes', () => {
    expect(checkReplicationConfiguration(t, [], NONE).status).toBe('pass');
    const rules = [{ destinations: [{ region: 'eu-west-1', registryId: '111111111111' }] }];
    expect(checkReplicationConfiguration(t, rules, owned(SOURCE))).toEqual({
      check: 'replication-configuration', status: 'pass', detail: 'this deployment\'s own (stack ecr-replication-source-111111111111-us-east-1)',
    });
  });

  test('a foreign one lists its rules, what would stop, and how to bring it under the pipeline', () => {
    const rules = [
      { destinations: [{ region: 'eu-west-1', registryId: '111111111111' }], repositoryFilters: [{ filter: 'app', filterType: 'PREFIX_MATCH' }] },
      { destinations: [{ region: 'ap-south-1', registryId: '444444444444' }], repositoryFilters: [{ filter: 'legacy/', filterType: 'PREFIX_MATCH' }] },
    ];
    const result = checkReplicationConfiguration(t, rules, NONE);
    expect(result.status).toBe('fail');
    expect(result.detail).toBe('the source registry 111111111111/us-east-1 already has a replication configuration that this deployment did not make '
      + '(rule 1: app → 111111111111/eu-west-1; rule 2: legacy/ → 444444444444/ap-south-1): the source stage would fail with AlreadyExists; '
      + 'replacing it with the topology\'s would stop replication of legacy/ to 444444444444/ap-south-1');
    expect(result.fix).toContain('ecr-kms-replication import --region us-east-1');
    expect(result.fix).toContain('aws ecr put-replication-configuration --replication-configuration \'{"rules":[]}\' --region us-east-1');
  });
});

describe('checkRegistryPolicy', () => {
  const ours = policyAllowing(SOURCE.account, 'arn:aws:ecr:eu-central-1:222222222222:repository/*');

  test('none, or our own, passes', () => {
    expect(checkRegistryPolicy(t, CROSS_ACCOUNT, undefined, NONE)).toEqual([
      { check: 'registry-policy', status: 'pass', detail: 'no registry policy yet: the destination stage creates it' },
    ]);
    expect(checkRegistryPolicy(t, CROSS_ACCOUNT, ours, owned(CROSS_ACCOUNT)).map((r) => r.status)).toEqual(['pass']);
  });

  test('a foreign one blocks and lists its statements; extra grants are warnings', () => {
    const foreign = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Legacy', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444444444444:root' }, Action: ['ecr:ReplicateImage', 'ecr:CreateRepository'], Resource: '*' },
      ],
    });
    const results = checkRegistryPolicy(t, CROSS_ACCOUNT, foreign, NONE);
    expect(results.map((r) => r.status)).toEqual(['fail', 'warn', 'warn']);
    expect(results[0].detail).toBe('222222222222/eu-central-1 already has a registry policy that this deployment did not make (1 statement(s): '
      + 'Allow statement "Legacy" (arn:aws:iam::444444444444:root: ecr:ReplicateImage, ecr:CreateRepository)): '
      + 'the destination stage would fail with AlreadyExists, and its policy would replace all of these statements');
    expect(results[0].fix).toContain('aws ecr delete-registry-policy --region eu-central-1');
    expect(results[1].detail).toContain('grants ecr:CreateRepository');
    expect(results[2].detail).toContain('grants principals other than the source account 111111111111');
  });
});

describe('checkCreationTemplate', () => {
  test('none, or our own, passes; a foreign ROOT template blocks', () => {
    expect(checkCreationTemplate(SAME_ACCOUNT, [], NONE).status).toBe('pass');
    expect(checkCreationTemplate(SAME_ACCOUNT, [goodTemplate(SAME_ACCOUNT)], owned(SAME_ACCOUNT)).status).toBe('pass');
    const foreign = checkCreationTemplate(SAME_ACCOUNT, [{ prefix: 'ROOT', appliedFor: ['REPLICATION'], encryptionType: 'AES256' }], NONE);
    expect(foreign).toEqual({
      check: 'creation-template',
      status: 'fail',
      detail: '111111111111/eu-west-1 already has a ROOT repository creation template that this deployment did not make '
        + '(applies to REPLICATION, encrypts with AES256): the destination stage would fail with AlreadyExists',
      fix: 'delete it: aws ecr delete-repository-creation-template --prefix ROOT --region eu-west-1; '
        + 'or keep it and set creationTemplate: false for destination 111111111111-eu-west-1',
    });
  });
});

describe('checkKeyAlias', () => {
  test('absent or ours passes; an alias no stack of ours holds blocks, with the retained case explained', () => {
    expect(checkKeyAlias(t, SOURCE, undefined, NONE).status).toBe('pass');
    expect(checkKeyAlias(t, SOURCE, keyIn(SOURCE), owned(SOURCE)).status).toBe('pass');
    const result = checkKeyAlias(t, SOURCE, keyIn(SOURCE), NONE);
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('alias/ecr-kms-replication already exists in 111111111111/us-east-1 and points at arn:aws:kms:us-east-1:111111111111:key/key-111111111111-us-east-1');
    expect(result.detail).toContain('it is retained and no longer managed');
    expect(result.fix).toBe('delete the alias (the key and whatever it encrypts stay): aws kms delete-alias --alias-name alias/ecr-kms-replication --region us-east-1; '
      + 'or set keyAlias to another name in the topology');
  });
});

describe('checkRepositories', () => {
  const kms = (name: string, imageCount = 3) => ({ name, encryptionType: 'KMS', kmsKey: 'arn:aws:kms:eu-central-1:222222222222:key/theirs', imageCount });
  const aes = (name: string, imageCount = 12) => ({ name, encryptionType: 'AES256', imageCount });

  test('missing repositories are created; our own pass', () => {
    expect(checkRepositories(t, CROSS_ACCOUNT, new Map(), NONE).map((r) => r.status)).toEqual(['pass', 'pass']);
    const found = new Map([['app', kms('app')], ['team/api', kms('team/api')]]);
    expect(checkRepositories(t, CROSS_ACCOUNT, found, owned(CROSS_ACCOUNT)).map((r) => r.detail))
      .toEqual([expect.stringMatching(/^this deployment's own \(stack .*-repositories-\d\)$/), expect.stringMatching(/^this deployment's own/)]);
  });

  test('a source repository that exists without existing: true blocks, with the field to add', () => {
    const [app] = checkRepositories(t, SOURCE, new Map([['app', { name: 'app', encryptionType: 'AES256', imageCount: 2 }]]), NONE);
    expect(app).toMatchObject({ repository: 'app', status: 'fail' });
    expect(app.detail).toContain('app already exists in 111111111111/us-east-1 (AES-256, 2 image(s)), not in a stack of this deployment: the source stage would fail with AlreadyExists');
    expect(app.fix).toMatch(/^adopt it: add existing: true to the repository in the topology/);
  });

  test('an AES-256 destination repository can never be adopted: the exact commands that replace it', () => {
    const [app] = checkRepositories(t, CROSS_ACCOUNT, new Map([['app', aes('app')]]), NONE);
    expect(app.status).toBe('fail');
    expect(app.detail).toContain('(AES-256, 12 image(s))');
    expect(app.detail).toContain('an AES-256 repository can never be adopted');
    expect(app.fix).toBe('encryption cannot be changed, so replace it: it holds images, so first make sure each of its 12 image(s) is also in the source '
      + '(backfill copies them back afterwards) or kept elsewhere: '
      + 'aws ecr describe-images --repository-name app --registry-id 222222222222 --region eu-central-1 --filter imageStatus=ANY lists them; '
      + 'then delete them (aws ecr batch-delete-image --repository-name app --registry-id 222222222222 --region eu-central-1 --image-ids ...) '
      + 'and the empty repository: aws ecr delete-repository --repository-name app --registry-id 222222222222 --region eu-central-1 '
      + '(without --force, ECR refuses while an image is left); then deploy (the pipeline creates it KMS-encrypted)');
    const adopted = topology({ repositories: [{ name: 'app', existing: [CROSS_ACCOUNT.id] }] });
    const [marked] = checkRepositories(adopted, CROSS_ACCOUNT, new Map([['app', aes('app')]]), NONE);
    expect(marked.detail).toBe('app in 222222222222/eu-central-1 is encrypted with AES-256 (12 image(s)): it can never be adopted, only KMS-encrypted repositories can');
  });

  // DescribeImages without imageStatus returns ACTIVE images only: the count is over every status (reader.images).
  test('a repository whose images are all archived is not called empty, and no advice deletes an image (--force never)', () => {
    const archived = { ...aes('app', 4), archivedImageCount: 4 };
    const [replace] = checkRepositories(t, CROSS_ACCOUNT, new Map([['app', archived]]), NONE);
    expect(replace.detail).toContain('(AES-256, 4 image(s), 4 of them archived)');
    expect(replace.fix).toContain('each of its 4 image(s) (4 archived) is also in the source');
    const [foreign] = checkRepositories(t, CROSS_ACCOUNT, new Map([['app', { ...kms('app', 2), archivedImageCount: 1 }]]), NONE);
    expect(foreign.fix).toContain('2 image(s) (1 archived)');
    const [uncounted] = checkRepositories(t, CROSS_ACCOUNT, new Map([['app', { name: 'app', encryptionType: 'AES256' }]]), NONE);
    for (const row of [replace, foreign, uncounted]) {
      expect(row.fix).not.toMatch(/delete-repository [^;(]*--force/);
      expect(row.fix).not.toContain('it holds no image');
    }
    const [empty] = checkRepositories(t, CROSS_ACCOUNT, new Map([['app', aes('app', 0)]]), NONE);
    expect(empty.fix).toContain('it holds no image: aws ecr delete-repository --repository-name app --registry-id 222222222222 --region eu-central-1;');
  });

  test('a KMS destination repository is adopted when existing names the destination, with its own key named', () => {
    const [notMarked] = checkRepositories(t, CROSS_ACCOUNT, new Map([['app', kms('app')]]), NONE);
    expect(notMarked.status).toBe('fail');
    expect(notMarked.fix).toMatch(/^adopt it: add 222222222222-eu-central-1 in its existing list \(or existing: everywhere\)/);
    const adopted = topology({ repositories: [{ name: 'app', existing: 'everywhere' }] });
    expect(checkRepositories(adopted, CROSS_ACCOUNT, new Map([['app', kms('app')]]), NONE)).toEqual([{
      check: 'repository', repository: 'app', status: 'pass', detail: 'adopted (existing): KMS with arn:aws:kms:eu-central-1:222222222222:key/theirs, 3 image(s)',
    }]);
  });

  test('a repository marked existing that does not exist blocks: nothing would create it', () => {
    const adopted = topology({ repositories: [{ name: 'app', existing: ['source', CROSS_ACCOUNT.id] }] });
    const [source] = checkRepositories(adopted, SOURCE, new Map(), NONE);
    const [dest] = checkRepositories(adopted, CROSS_ACCOUNT, new Map(), NONE);
    expect(source).toMatchObject({ status: 'fail', detail: 'app is marked existing in 111111111111/us-east-1 but does not exist there: no stage would create it' });
    expect(dest.fix).toBe('take 222222222222-eu-central-1 out of its existing field (the pipeline then creates it), or create it');
  });
});
