import { problemLines, problemsOf, validTopology } from './helpers';
import { parseTopology, replicationRules, validateTopology } from '../../src/topology';

const SAME = '111111111111-us-west-2';
const CROSS = '222222222222-eu-west-1';

function withChange(change: (t: any) => void): any {
  const topology = validTopology();
  change(topology);
  return topology;
}

describe('namespaces and routing in the file', () => {
  test('load into the model with defaults: every destination, immutable tags, the file\'s defaults', () => {
    const model = validateTopology(withChange((t) => {
      t.defaults = { lifecycle: { maxImageCount: 30 } };
      t.namespaces = [
        { prefix: 'team-c', destinations: [CROSS], imageTagMutability: 'MUTABLE' },
        { prefix: 'org/team-d' },
      ];
      t.repositories.push({ name: 'shared/base', destinations: [SAME] });
    }));
    expect(model.namespaces).toEqual([
      { prefix: 'team-c', destinations: [CROSS], imageTagMutability: 'MUTABLE', lifecycle: { maxImageCount: 30 } },
      { prefix: 'org/team-d', destinations: [SAME, CROSS], imageTagMutability: 'IMMUTABLE', lifecycle: { maxImageCount: 30 } },
    ]);
    expect(model.repositories.map((r) => [r.name, r.destinations])).toEqual([
      ['team-a/service', [SAME, CROSS]],
      ['team-b/api', [SAME, CROSS]],
      ['shared/base', [SAME]],
    ]);
  });

  test('routing keeps the topology\'s destination order, whatever order it is written in', () => {
    const model = validateTopology(withChange((t) => { t.repositories[0].destinations = [CROSS, SAME]; }));
    expect(model.repositories[0].destinations).toEqual([SAME, CROSS]);
  });

  test('a topology with namespaces only needs no repositories', () => {
    const model = validateTopology(withChange((t) => { delete t.repositories; t.namespaces = [{ prefix: 'team-a' }]; }));
    expect(model.repositories).toEqual([]);
    expect(model.namespaces.map((n) => n.prefix)).toEqual(['team-a']);
  });

  test('neither repositories nor namespaces is refused', () => {
    expect(problemLines(() => validateTopology(withChange((t) => { delete t.repositories; }))))
      .toEqual(['repositories: is required: list at least one repository, or namespaces']);
  });
});

describe('bad namespaces and routing are refused, every problem at once, with its line', () => {
  test('unknown destination ids, with a did-you-mean', () => {
    expect(problemsOf(() => validateTopology(withChange((t) => {
      t.namespaces = [{ prefix: 'team-c', destinations: ['222222222222-eu-west-2'] }];
      t.repositories[0].destinations = ['999999999999-us-east-1'];
    })))).toEqual([
      {
        path: 'namespaces[0].destinations[0]',
        message: `is not a destination of this topology; did you mean '${CROSS}'?`,
        value: '222222222222-eu-west-2',
      },
      {
        path: 'repositories[0].destinations[0]',
        message: `is not a destination of this topology (destinations: ${SAME}, ${CROSS})`,
        value: '999999999999-us-east-1',
      },
      // team-a/service routed nowhere: the other destination still gets team-b/api and team-c.
    ]);
  });

  test('overlapping and repeated namespaces', () => {
    expect(problemLines(() => validateTopology(withChange((t) => {
      t.namespaces = [{ prefix: 'team-c' }, { prefix: 'team-c/x' }, { prefix: 'team-c' }, { prefix: 'team-cd' }];
    })))).toEqual([
      'namespaces[1].prefix: overlaps namespaces[0] (team-c): every repository under team-c/x/ would belong to both; '
        + 'keep only the outer namespace, or make them siblings',
      'namespaces[2].prefix: repeats namespaces[0]; list each namespace once',
    ]);
  });

  test('a listed repository inside a namespace with other routing or settings', () => {
    expect(problemLines(() => validateTopology(withChange((t) => {
      t.namespaces = [{ prefix: 'team-a', destinations: [CROSS] }];
      t.repositories[0] = { name: 'team-a/service', imageTagMutability: 'MUTABLE', lifecycle: { maxImageCount: 5 } };
    })))).toEqual([
      `repositories[0].name: is inside namespace team-a (namespaces[0]) but routed differently (${SAME}, ${CROSS} instead of ${CROSS}); `
        + 'one filter team-a/ replicates both: route them alike',
      'repositories[0].imageTagMutability: is MUTABLE but namespace team-a (namespaces[0]) creates its repositories IMMUTABLE; give them the same setting',
      'repositories[0].lifecycle: differs from the lifecycle of namespace team-a (namespaces[0]); give them the same lifecycle',
    ]);
  });

  test('a listed repository inside a namespace with the same routing and settings is fine, and needs no filter of its own', () => {
    const model = validateTopology(withChange((t) => { t.namespaces = [{ prefix: 'team-a' }]; }));
    expect(replicationRules(model)).toEqual([{ filters: ['team-a/', 'team-b/api'], destinations: [SAME, CROSS] }]);
  });

  test('a listed name that is a prefix of a namespace', () => {
    expect(problemLines(() => validateTopology(withChange((t) => {
      t.namespaces = [{ prefix: 'team-c' }];
      t.repositories.push({ name: 'app' }, { name: 'team-c' });
    })))).toEqual([
      'repositories[3].name: is a prefix of namespace team-c (namespaces[0]): ECR filters by prefix, so the filter team-c would also replicate '
        + 'every repository under team-c/ to this repository\'s destinations; rename it, or move it into the namespace',
    ]);
  });

  test('a namespace routed to a destination without creation templates', () => {
    expect(problemLines(() => validateTopology(withChange((t) => {
      t.destinations[1].creationTemplate = false;
      t.namespaces = [{ prefix: 'team-c' }];
    })))).toEqual([
      `namespaces[0]: routes namespace team-c to ${CROSS}, which has creationTemplate: false (destinations[1]); `
        + 'a namespace needs a creation template in every registry it is routed to: route it elsewhere, or remove creationTemplate: false',
    ]);
  });

  test('scanOnPush on a namespace: a creation template cannot carry it', () => {
    expect(problemLines(() => validateTopology(withChange((t) => { t.namespaces = [{ prefix: 'team-c', scanOnPush: true }]; }))))
      .toEqual([expect.stringMatching(/^namespaces\[0\]\.scanOnPush: is not allowed on a namespace: a repository creation template cannot carry scan-on-push\. .*registry scanning.*list the repository/)]);
  });

  test('a destination routed nothing', () => {
    expect(problemLines(() => validateTopology(withChange((t) => {
      for (const r of t.repositories) r.destinations = [SAME];
    })))).toEqual([`destinations[1]: is routed nothing: no namespace or repository goes to ${CROSS}; route something to it, or remove it`]);
  });

  test('ECR\'s quotas are counted after grouping: 11 routing groups need 11 rules', () => {
    const ids = Array.from({ length: 11 }, (_, i) => `111111111111-${['us-west-1', 'us-west-2', 'us-east-2', 'eu-west-1', 'eu-west-2', 'eu-west-3',
      'eu-central-1', 'eu-north-1', 'ap-south-1', 'ap-northeast-1', 'sa-east-1'][i]}`);
    expect(problemLines(() => validateTopology(withChange((t) => {
      t.destinations = ids.map((id) => ({ account: '111111111111', region: id.slice(13) }));
      t.repositories = ids.map((id, i) => ({ name: `team-${i}/app`, destinations: [id] }));
    })))).toEqual([
      'repositories: need 11 replication rules (11 filters in 11 routing groups, one group per distinct set of destinations, 100 filters a rule); '
        + 'ECR allows 10 rules per replication configuration: route alike what can go alike, or use fewer filters',
    ]);
  });

  test('a cross-account registry policy that cannot fit the namespaces\' exact CreateRepository grant', () => {
    const namespaces = Array.from({ length: 200 }, (_, i) => ({ prefix: `a-rather-long-team-name-${String(i).padStart(3, '0')}` }));
    expect(problemLines(() => validateTopology(withChange((t) => { t.namespaces = namespaces; }))))
      .toEqual([expect.stringMatching(/^destinations\[1\]: would need a registry policy of [\d,]+ characters to let the source create repositories under the 200 namespaces routed here \(repository\/<prefix>\/\* each, never repository\/\*\); ECR allows 10,240/)]);
  });

  test('each problem has its line in the file', () => {
    const text = [
      'source: { account: "111111111111", region: us-east-1 }',
      'destinations:',
      '  - { account: "222222222222", region: eu-west-1, creationTemplate: false }',
      'namespaces:',
      '  - prefix: team-a',
      '    destinations: [222222222222-eu-west-9]',
      '  - prefix: team-a/x',
      '    scanOnPush: true',
      'pipeline: { account: "333333333333", region: us-east-1, repository: o/r,',
      '  connectionArn: "arn:aws:codeconnections:us-east-1:333333333333:connection/abc" }',
    ].join('\n');
    expect(problemsOf(() => parseTopology(text)).map((p) => [p.path, p.line])).toEqual([
      ['namespaces[0].destinations[0]', 6],
      ['namespaces[1].prefix', 7],
      ['namespaces[1]', 7],
      ['namespaces[1].scanOnPush', 8],
    ]);
  });
});

describe('replicationRules', () => {
  test('groups filters by identical destination set, namespaces as <prefix>/, in file order', () => {
    const model = validateTopology(withChange((t) => {
      t.namespaces = [{ prefix: 'team-c', destinations: [CROSS] }, { prefix: 'team-d' }, { prefix: 'team-e', destinations: [CROSS] }];
      t.repositories.push({ name: 'shared/base', destinations: [SAME] });
    }));
    expect(replicationRules(model)).toEqual([
      { filters: ['team-c/', 'team-e/'], destinations: [CROSS] },
      { filters: ['team-d/', 'team-a/service', 'team-b/api'], destinations: [SAME, CROSS] },
      { filters: ['shared/base'], destinations: [SAME] },
    ]);
  });

  test('a topology with only listed repositories keeps its rules: every name to every destination, 100 a rule', () => {
    const model = validateTopology(withChange((t) => {
      t.repositories = Array.from({ length: 150 }, (_, i) => ({ name: `app-${String(i).padStart(3, '0')}` }));
    }));
    const rules = replicationRules(model);
    expect(rules.map((r) => [r.filters.length, r.destinations])).toEqual([[100, [SAME, CROSS]], [50, [SAME, CROSS]]]);
    expect(rules.flatMap((r) => r.filters)).toEqual(model.repositories.map((r) => r.name));
  });
});

test('more namespaces than one registry stack can hold are refused', () => {
  const topology = validTopology();
  topology.namespaces = Array.from({ length: 401 }, (_, i) => ({ prefix: `team-${String(i).padStart(4, '0')}` }));
  expect(problemLines(() => validateTopology(topology))).toContain(
    'namespaces: lists 401 namespaces; at most 400 fit: each is a creation template in the source\'s registry stack, and CloudFormation allows 500 resources a stack');
});
