/**
 * What the destinations already hold when a registry is imported: replication
 * created every replicated repository that was missing there, AES-256-encrypted
 * unless a repository creation template said otherwise (ECR user guide,
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-creation-templates-create.html). The file marks them, and says what preflight
 * will then report.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseTopology } from '@ecr-kms-replication/stacks';
import { temporaryDirectory } from '@ecr-kms-replication/testing';
import { runCli } from '../../src/cli';
import { importedTopologyText, importTopology, PLACEHOLDERS, SourceRegistry } from '../../src/import/topology';
import { RepositoryData } from '../../src/registry/data';
import { Capture, fakeReaders } from '../fixtures';

const TMP = temporaryDirectory();
const EU = { region: 'eu-west-1', registryId: '111111111111' };
const CROSS = { region: 'eu-central-1', registryId: '222222222222' };
const KEY = 'arn:aws:kms:eu-central-1:222222222222:key/theirs';
const repo = (name: string, extra: Partial<RepositoryData> = {}): RepositoryData =>
  ({ name, encryptionType: 'KMS', imageTagMutability: 'IMMUTABLE', scanOnPush: true, ...extra });

function registry(destinations: SourceRegistry['destinations']): SourceRegistry {
  return {
    account: '111111111111',
    region: 'us-east-1',
    rules: [{ destinations: [EU, CROSS], repositoryFilters: [{ filter: 'app', filterType: 'PREFIX_MATCH' }, { filter: 'team/api', filterType: 'PREFIX_MATCH' }] }],
    repositories: [repo('app'), repo('team/api')],
    lifecyclePolicies: new Map(),
    destinations,
  };
}

function model(text: string) {
  return parseTopology(text
    .replace(PLACEHOLDERS.connectionArn, 'arn:aws:codeconnections:us-east-1:333333333333:connection/00000000-0000-0000-0000-000000000000')
    .replace(PLACEHOLDERS.repository, 'my-org/ecr-kms-replication'), 'imported.yaml');
}

describe('import marks what the destinations already hold', () => {
  test('KMS copies are marked existing there (with their key named); AES-256 copies get a comment saying preflight fails them', () => {
    const imported = importTopology(registry(new Map([
      ['111111111111-eu-west-1', new Map([['app', repo('app', { encryptionType: 'AES256' })]])],
      ['222222222222-eu-central-1', new Map([['app', repo('app', { kmsKey: KEY })], ['team/api', repo('team/api', { kmsKey: KEY })]])],
    ])));
    const text = importedTopologyText(imported);
    const m = model(text);
    expect(m.repositories.map((r) => [r.name, r.existingDestinations])).toEqual([
      ['app', ['222222222222-eu-central-1']],
      ['team/api', ['222222222222-eu-central-1']],
    ]);
    expect(text).toContain(`# already in 222222222222-eu-central-1: KMS with ${KEY} (adopted as it is)`);
    expect(text).toContain('# already in 111111111111-eu-west-1 with AES-256 (made by replication): preflight fails it, to be replaced');
    expect(imported.notes).toEqual([
      expect.stringMatching(/^111111111111-eu-west-1 holds 1 replicated repository encrypted with AES-256, as replication creates them \(app\): .*preflight fails each with the commands that replace it/),
      expect.stringMatching(/^222222222222-eu-central-1 holds 2 replicated repositories encrypted with KMS \(app, team\/api\): marked existing there, so preflight reports them adopted/),
    ]);
    expect(text).toContain('# In the destinations:');
  });

  test('KMS copies in every destination: existing everywhere', () => {
    const kms = new Map([['app', repo('app', { kmsKey: KEY })]]);
    const m = model(importedTopologyText(importTopology(registry(new Map([['111111111111-eu-west-1', kms], ['222222222222-eu-central-1', kms]])))));
    expect(m.repositories.find((r) => r.name === 'app')!.existingDestinations).toEqual(['111111111111-eu-west-1', '222222222222-eu-central-1']);
  });

  test('a destination that could not be read: a comment on it, nothing marked', () => {
    const imported = importTopology(registry(new Map([['222222222222-eu-central-1', { error: 'cannot assume the look-up role' }]])));
    const text = importedTopologyText(imported);
    expect(text).toContain('# Not read (cannot assume the look-up role): replication may already have created the replicated\n');
    expect(model(text).repositories.every((r) => r.existingDestinations.length === 0)).toBe(true);
    expect(imported.notes).toEqual([expect.stringContaining('222222222222-eu-central-1 could not be read')]);
  });

  test('the command reads the destinations through the look-up role and prints the notes on stderr', async () => {
    const { readerFor } = fakeReaders({
      '111111111111-us-east-1': {
        account: '111111111111',
        rules: registry(undefined).rules.map((r) => ({ ...r, destinations: [...r.destinations], repositoryFilters: [...r.repositoryFilters!] })),
        repositories: new Map([['app', repo('app')], ['team/api', repo('team/api')]]),
      },
      '222222222222-eu-central-1': { account: '222222222222', repositories: new Map([['app', repo('app', { encryptionType: 'AES256' })]]) },
    });
    const stdout = new Capture();
    const stderr = new Capture();
    const file = path.join(fs.mkdtempSync(path.join(TMP, 'case-')), 'topology.yaml');
    const code = await runCli(['import', '--region', 'us-east-1', '--output', file], { stdout, stderr, env: {}, readerFor });
    expect(code).toBe(0);
    expect(stderr.text).toMatch(/^note: 222222222222-eu-central-1 holds 1 replicated repository encrypted with AES-256/m);
    expect(fs.readFileSync(file, 'utf8')).toContain('# already in 222222222222-eu-central-1 with AES-256 (made by replication)');
  });
});
