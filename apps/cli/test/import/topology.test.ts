import { parseTopology, TopologyError } from '@ecr-kms-replication/stacks';
import { importedTopologyText, importTopology, PLACEHOLDERS, replicatedRepositories, SourceRegistry, wrap } from '../../src/import/topology';
import { RepositoryData } from '../../src/registry/data';

const SCHEMA = '../../packages/stacks/schema/topology.schema.json';
const EU = { region: 'eu-west-1', registryId: '111111111111' };
const CROSS = { region: 'eu-central-1', registryId: '222222222222' };
const prefix = (...filters: string[]) => filters.map((filter) => ({ filter, filterType: 'PREFIX_MATCH' }));

/** A repository as ECR creates it by default: mutable tags, no scan on push. */
const ecrDefault = (name: string, extra: Partial<RepositoryData> = {}): RepositoryData => ({
  name, encryptionType: 'AES256', imageTagMutability: 'MUTABLE', scanOnPush: false, ...extra,
});
/** A repository as the product creates it: immutable tags, scan on push. */
const productDefault = (name: string, extra: Partial<RepositoryData> = {}): RepositoryData => ({
  name, encryptionType: 'KMS', imageTagMutability: 'IMMUTABLE', scanOnPush: true, ...extra,
});

function registry(overrides: Partial<SourceRegistry> = {}): SourceRegistry {
  return {
    account: '111111111111',
    region: 'us-east-1',
    rules: [{ destinations: [EU, CROSS], repositoryFilters: prefix('app', 'team/api') }],
    repositories: [productDefault('app'), productDefault('team/api'), productDefault('unreplicated')],
    lifecyclePolicies: new Map(),
    ...overrides,
  };
}

/** The text with its placeholders filled in, as a user does. */
function filled(text: string): string {
  return text
    .replace(PLACEHOLDERS.connectionArn, 'arn:aws:codeconnections:us-east-1:333333333333:connection/00000000-0000-0000-0000-000000000000')
    .replace(PLACEHOLDERS.repository, 'my-org/ecr-kms-replication');
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof TopologyError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  return [];
}

const LIFECYCLE = JSON.stringify({
  rules: [
    { rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: { type: 'expire' } },
    { rulePriority: 2, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 100 }, action: { type: 'expire' } },
  ],
});

describe('importTopology', () => {
  test('the replicated repositories, marked existing, with every destination; the pipeline as placeholders', () => {
    const imported = importTopology(registry());
    expect(imported.data).toEqual({
      source: { account: '111111111111', region: 'us-east-1' },
      destinations: [{ account: '111111111111', region: 'eu-west-1' }, { account: '222222222222', region: 'eu-central-1' }],
      repositories: [{ name: 'app', existing: true }, { name: 'team/api', existing: true }],
      pipeline: {
        account: '111111111111',
        region: 'us-east-1',
        connectionArn: PLACEHOLDERS.connectionArn,
        repository: PLACEHOLDERS.repository,
        branch: 'main',
      },
    });
    expect(imported.problems).toEqual([]);
    expect(imported.summary).toEqual({ destinations: 2, repositories: 2 });
  });

  test('the file is refused until the placeholders are filled in, and valid after, with the registry\'s content', () => {
    const text = importedTopologyText(importTopology(registry()), SCHEMA);
    expect(problemsOf(() => parseTopology(text))).toEqual([
      'pipeline.connectionArn: must be the ARN of a CodeConnections connection, e.g. arn:aws:codeconnections:us-east-1:111111111111:connection/00000000-0000-0000-0000-000000000000',
      "pipeline.repository: must be 'owner/name' of the Git repository, e.g. my-org/ecr-kms-replication",
    ]);
    const model = parseTopology(filled(text));
    expect(model.source.id).toBe('111111111111-us-east-1');
    expect(model.destinations.map((d) => [d.id, d.crossAccount])).toEqual([['111111111111-eu-west-1', false], ['222222222222-eu-central-1', true]]);
    const everywhere = ['111111111111-eu-west-1', '222222222222-eu-central-1'];
    expect(model.repositories).toEqual([
      { name: 'app', existing: true, existingDestinations: [], imageTagMutability: 'IMMUTABLE', scanOnPush: true, destinations: everywhere },
      { name: 'team/api', existing: true, existingDestinations: [], imageTagMutability: 'IMMUTABLE', scanOnPush: true, destinations: everywhere },
    ]);
    expect(model.source.keyAdmins).toEqual([]);
  });

  test('the text: $schema line first, what was imported, commented key principals, explained placeholders', () => {
    const text = importedTopologyText(importTopology(registry()), SCHEMA);
    const lines = text.split('\n');
    expect(lines[0]).toBe(`# yaml-language-server: $schema=${SCHEMA}`);
    expect(text).toContain('# Imported by `ecr-kms-replication import` from the registry of account 111111111111 in us-east-1: its');
    expect(text).toContain('# keyAdmins: ["arn:aws:iam::111111111111:role/KeyAdmin"]\n# keyUsers: ["arn:aws:iam::111111111111:role/CiPush"]\n');
    expect(lines).toContain('  connectionArn: <connection ARN> # placeholder: the ARN of your CodeConnections connection');
    expect(lines).toContain('  repository: <owner>/<name> # placeholder: owner/name of the Git repository holding this project');
    const repositories = lines.indexOf('repositories:');
    expect(lines.slice(repositories - 2, repositories).join(' ')).toBe(
      '# existing: true: in the source registry already; the source stage adopts them as they are (not # created, encryption unchanged).');
    expect(text).not.toContain('Not imported');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(110);
  });

  test('settings that differ from the product\'s defaults are kept per repository', () => {
    const imported = importTopology(registry({
      repositories: [productDefault('app', { imageTagMutability: 'MUTABLE' }), productDefault('team/api', { scanOnPush: false })],
      lifecyclePolicies: new Map([['app', LIFECYCLE]]),
    }));
    expect(imported.data.repositories).toEqual([
      { name: 'app', existing: true, imageTagMutability: 'MUTABLE', lifecycle: { untaggedExpiryDays: 14, maxImageCount: 100 } },
      { name: 'team/api', existing: true, scanOnPush: false },
    ]);
    expect(imported.data).not.toHaveProperty('defaults');
  });

  test('settings every repository shares go to defaults once, and the model resolves them to the live values', () => {
    const imported = importTopology(registry({
      repositories: [ecrDefault('app'), ecrDefault('team/api', { scanOnPush: true })],
      lifecyclePolicies: new Map([['app', LIFECYCLE], ['team/api', LIFECYCLE]]),
    }));
    expect(imported.data.defaults).toEqual({ imageTagMutability: 'MUTABLE', lifecycle: { untaggedExpiryDays: 14, maxImageCount: 100 } });
    expect(imported.data.repositories).toEqual([{ name: 'app', existing: true, scanOnPush: false }, { name: 'team/api', existing: true }]);
    const model = parseTopology(filled(importedTopologyText(imported)));
    expect(model.repositories.map((r) => [r.name, r.imageTagMutability, r.scanOnPush, r.lifecycle])).toEqual([
      ['app', 'MUTABLE', false, { untaggedExpiryDays: 14, maxImageCount: 100 }],
      ['team/api', 'MUTABLE', true, { untaggedExpiryDays: 14, maxImageCount: 100 }],
    ]);
  });

  test('tag mutability exceptions cannot be expressed: imported without them, and said', () => {
    const imported = importTopology(registry({
      repositories: [productDefault('app', { imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION', tagMutabilityExclusions: ['latest', 'dev-*'] }), productDefault('team/api')],
    }));
    expect(imported.data.repositories).toEqual([{ name: 'app', existing: true }, { name: 'team/api', existing: true }]);
    expect(imported.problems).toEqual([
      'repository app has IMMUTABLE_WITH_EXCLUSION (exceptions: latest, dev-*): the topology has no exceptions; imported as IMMUTABLE.',
    ]);
  });

  test('a lifecycle policy the topology cannot express is left out and said, in the file\'s header too', () => {
    const tagged = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'tagged', tagPatternList: ['pr-*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: { type: 'expire' } }] });
    const imported = importTopology(registry({ lifecyclePolicies: new Map([['team/api', tagged]]) }));
    expect(imported.data.repositories).toEqual([{ name: 'app', existing: true }, { name: 'team/api', existing: true }]);
    expect(imported.problems).toEqual([
      "repository team/api: its lifecycle policy has rules the topology's lifecycle (maxImageCount, untaggedExpiryDays) cannot express: "
      + 'rule 1 (tagStatus=tagged, tagPatternList=[pr-*], countType=sinceImagePushed, countUnit=days, countNumber=7, action.type=expire). '
      + 'Not imported: the destinations get no lifecycle policy, and the source repository keeps its own.',
    ]);
    const text = importedTopologyText(imported);
    expect(text).toContain('# Not imported as it is (1 note, also printed by the import):\n#   - repository team/api: its lifecycle policy');
    // Still valid once filled in: the note explains, it does not block.
    expect(parseTopology(filled(text)).repositories).toHaveLength(2);
  });

  test('what the replication rules cannot say is in the header, one bullet per note', () => {
    const imported = importTopology(registry({
      rules: [{ destinations: [EU], repositoryFilters: prefix('app', 'legacy/') }, { destinations: [CROSS], repositoryFilters: prefix('team/') }],
    }));
    const header = imported.header.join('\n');
    expect(imported.problems).toHaveLength(4);
    expect(header).toContain("Not imported as it is (4 notes, also printed by the import):\n  - rule 1: filter 'legacy/' matches no repository");
    expect(header).toContain("\n  - rule 2: filter 'team/' is a prefix of 1 repository (team/api)");
    expect(header).toContain('\n  - destination 111111111111 eu-west-1 receives 1 of the 2 repositories today (rule 1)');
    expect(header).toContain('\n  - destination 222222222222 eu-central-1 receives 1 of the 2 repositories today (rule 2)');
  });

  test('destinations in a partition without creation templates get creationTemplate: false, with the reason', () => {
    const imported = importTopology(registry({
      region: 'cn-north-1',
      rules: [{ destinations: [{ region: 'cn-northwest-1', registryId: '111111111111' }], repositoryFilters: prefix('app') }],
    }));
    expect(imported.data.destinations).toEqual([{ account: '111111111111', region: 'cn-northwest-1', creationTemplate: false }]);
    const text = importedTopologyText(imported);
    expect(text).toContain('    creationTemplate: false # repository creation templates are not available in aws-cn');
    expect(imported.problems).toEqual([]);
    const model = parseTopology(filled(text).replace('arn:aws:codeconnections:us-east-1', 'arn:aws-cn:codeconnections:cn-north-1'));
    expect(model.destinations[0].creationTemplate).toBe(false);
  });

  test('what validate would refuse anyway is said (more repositories than one replication configuration holds)', () => {
    const repositories = Array.from({ length: 1001 }, (_, i) => productDefault(`svc/r${String(i).padStart(4, '0')}`));
    const imported = importTopology(registry({ rules: [{ destinations: [EU], repositoryFilters: prefix('svc/') }], repositories }));
    expect(imported.problems).toContainEqual(expect.stringMatching(/^validate will refuse repositories: lists 1,001 repositories; one replication configuration holds at most 1,000/));
  });

  test('the repositories whose lifecycle policies are read are those the rules replicate', () => {
    expect(replicatedRepositories(registry().rules, registry().repositories)).toEqual(['app', 'team/api']);
  });
});

describe('wrap', () => {
  test('wraps at 100 characters, the first line after its prefix, the others after theirs', () => {
    const lines = wrap(`${'word '.repeat(30)}end`, '  - ', '    ');
    expect(lines[0].startsWith('  - word')).toBe(true);
    expect(lines.slice(1).every((l) => l.startsWith('    word') || l.startsWith('    end'))).toBe(true);
    expect(lines.every((l) => l.length <= 100)).toBe(true);
    expect(lines.join(' ').replace(/\s+/g, ' ').trim()).toBe(`- ${'word '.repeat(30)}end`);
  });
});
