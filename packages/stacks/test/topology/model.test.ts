import { validTopology } from './helpers';
import { isAdopted, validateTopology } from '../../src/topology';

describe('the model derived from the file', () => {
  test('defaults are applied', () => {
    const model = validateTopology(validTopology());
    expect(model.keyAlias).toBe('alias/ecr-kms-replication');
    expect(model.removal).toBe('retain');
    expect(model.tags).toEqual({});
    expect(model.pipeline.branch).toBe('main');
    expect(model.pipeline.approveDestinations).toBe(false);
    expect(model.pipeline.backfill).toBe(true);
    expect(model.destinations.map((d) => d.creationTemplate)).toEqual([true, true]);
    expect(model.repositories[0]).toEqual({
      name: 'team-a/service',
      existing: false,
      existingDestinations: [],
      imageTagMutability: 'IMMUTABLE',
      scanOnPush: true,
      destinations: ['111111111111-us-west-2', '222222222222-eu-west-1'],
    });
    expect(model.namespaces).toEqual([]);
  });

  test('ids are <account>-<region> and crossAccount compares with the source account', () => {
    const model = validateTopology(validTopology());
    expect(model.source.id).toBe('111111111111-us-east-1');
    expect(model.destinations.map((d) => [d.id, d.crossAccount])).toEqual([
      ['111111111111-us-west-2', false],
      ['222222222222-eu-west-1', true],
    ]);
  });

  test('keyAdmins and keyUsers of an environment override the top-level ones', () => {
    const topology = validTopology();
    topology.source.keyUsers = ['arn:aws:iam::111111111111:role/SourcePush'];
    topology.destinations[1].keyAdmins = ['arn:aws:iam::222222222222:role/KeyAdmin'];
    topology.destinations[1].keyUsers = [];
    const model = validateTopology(topology);
    expect(model.source.keyAdmins).toEqual(['arn:aws:iam::111111111111:role/KeyAdmin']);
    expect(model.source.keyUsers).toEqual(['arn:aws:iam::111111111111:role/SourcePush']);
    expect(model.destinations[0].keyAdmins).toEqual(['arn:aws:iam::111111111111:role/KeyAdmin']);
    expect(model.destinations[0].keyUsers).toEqual(['arn:aws:iam::111111111111:role/CiPush']);
    expect(model.destinations[1].keyAdmins).toEqual(['arn:aws:iam::222222222222:role/KeyAdmin']);
    expect(model.destinations[1].keyUsers).toEqual([]);
  });

  test('without any key principals, every environment gets empty lists', () => {
    const topology = validTopology();
    delete topology.keyAdmins;
    delete topology.keyUsers;
    const model = validateTopology(topology);
    expect(model.source).toEqual(expect.objectContaining({ keyAdmins: [], keyUsers: [] }));
  });

  test('the defaults block applies to repositories that do not set their own', () => {
    const topology = validTopology();
    topology.defaults = { imageTagMutability: 'MUTABLE', scanOnPush: false, lifecycle: { untaggedExpiryDays: 7 } };
    topology.repositories[1] = { name: 'team-b/api', imageTagMutability: 'IMMUTABLE', scanOnPush: true, lifecycle: { maxImageCount: 50 } };
    const [first, second] = validateTopology(topology).repositories;
    expect(first).toEqual({
      name: 'team-a/service', existing: false, existingDestinations: [], imageTagMutability: 'MUTABLE', scanOnPush: false, lifecycle: { untaggedExpiryDays: 7 }, destinations: ['111111111111-us-west-2', '222222222222-eu-west-1'],
    });
    expect(second).toEqual({
      name: 'team-b/api', existing: false, existingDestinations: [], imageTagMutability: 'IMMUTABLE', scanOnPush: true, lifecycle: { maxImageCount: 50 }, destinations: ['111111111111-us-west-2', '222222222222-eu-west-1'],
    });
  });

  test('existing: true is the source, everywhere is every registry, a list names the registries', () => {
    const topology = validTopology();
    topology.repositories = [
      { name: 'aa', existing: true },
      { name: 'bb', existing: 'everywhere' },
      { name: 'cc', existing: ['222222222222-eu-west-1'] },
      { name: 'dd', existing: ['111111111111-us-east-1', '111111111111-us-west-2'] },
      { name: 'ee', existing: ['source'] },
    ];
    const model = validateTopology(topology);
    expect(model.repositories.map((r) => [r.name, r.existing, r.existingDestinations])).toEqual([
      ['aa', true, []],
      ['bb', true, ['111111111111-us-west-2', '222222222222-eu-west-1']],
      ['cc', false, ['222222222222-eu-west-1']],
      ['dd', true, ['111111111111-us-west-2']],
      ['ee', true, []],
    ]);
    expect(isAdopted(model.repositories[2], '222222222222-eu-west-1', model.source.id)).toBe(true);
    expect(isAdopted(model.repositories[2], model.source.id, model.source.id)).toBe(false);
  });

  test('an empty lifecycle is no lifecycle', () => {
    const topology = validTopology();
    topology.repositories[0].lifecycle = {};
    expect(validateTopology(topology).repositories[0].lifecycle).toBeUndefined();
  });

  test('optional settings are carried over', () => {
    const topology = validTopology();
    Object.assign(topology, { keyAlias: 'alias/team/ecr_keys-1', removal: 'destroy', tags: { 'project': 'ecr', 'cost-center': '42' } });
    Object.assign(topology.pipeline, { branch: 'release', approveDestinations: true, backfill: false });
    topology.destinations[0].creationTemplate = false;
    const model = validateTopology(topology);
    expect(model.keyAlias).toBe('alias/team/ecr_keys-1');
    expect(model.removal).toBe('destroy');
    expect(model.tags).toEqual({ 'project': 'ecr', 'cost-center': '42' });
    expect(model.pipeline).toEqual(expect.objectContaining({ branch: 'release', approveDestinations: true, backfill: false }));
    expect(model.destinations.map((d) => d.creationTemplate)).toEqual([false, true]);
  });

  test('the model does not share arrays with the input', () => {
    const topology = validTopology();
    const model = validateTopology(topology);
    topology.keyAdmins.push('arn:aws:iam::111111111111:role/Other');
    expect(model.source.keyAdmins).toEqual(['arn:aws:iam::111111111111:role/KeyAdmin']);
  });
});
