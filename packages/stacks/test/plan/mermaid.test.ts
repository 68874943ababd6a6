import * as path from 'path';
import { topologyMermaid } from '../../src/plan';
import { loadTopology, validateTopology } from '../../src/topology';
import { validTopology } from '../topology/helpers';

const model = loadTopology(path.join(__dirname, '..', 'fixtures', 'topology.yaml'));

describe('topologyMermaid', () => {
  const diagram = topologyMermaid(model);
  const lines = diagram.trimEnd().split('\n');

  test('is a left-to-right flowchart', () => {
    expect(lines[0]).toBe('flowchart LR');
  });

  test('groups registries by account, the source with its own account', () => {
    expect(diagram).toContain([
      '  subgraph account_111111111111["account 111111111111 (source)"]',
      '    r_111111111111_us_east_1["source<br/>us-east-1"]',
      '    r_111111111111_us_west_2["destination<br/>us-west-2"]',
      '  end',
      '  subgraph account_222222222222["account 222222222222"]',
      '    r_222222222222_eu_west_1["destination<br/>eu-west-1"]',
      '  end',
    ].join('\n'));
  });

  test('labels replication edges with the repository count', () => {
    expect(lines).toContain('  r_111111111111_us_east_1 -->|"2 repositories"| r_111111111111_us_west_2');
    expect(lines).toContain('  r_111111111111_us_east_1 -->|"2 repositories"| r_222222222222_eu_west_1');
  });

  test('shows the pipeline account and what it deploys', () => {
    expect(diagram).toContain('  subgraph account_333333333333["account 333333333333 (pipeline)"]\n    pipeline["CDK pipeline<br/>us-east-1"]\n'
      + '    alerts["alerts topic<br/>us-east-1"]\n  end');
    expect(lines).toContain('  pipeline -.->|deploys| account_111111111111');
    expect(lines).toContain('  pipeline -.->|deploys| account_222222222222');
  });

  test('shows the alerts topic and what reports to it: destination accounts, the pipeline', () => {
    expect(lines).toContain('  account_111111111111 -.->|failed replications| alerts');
    expect(lines).toContain('  account_222222222222 -.->|failed replications| alerts');
    expect(lines).toContain('  pipeline -.->|failures, approvals, scheduled verification| alerts');
  });

  test('alerts: false shows no alerts topic; verifySchedule off leaves the scheduled verification out', () => {
    const off = topologyMermaid(validateTopology({ ...validTopology(), alerts: false }));
    expect(off).not.toContain('alerts');
    const noSchedule = topologyMermaid(validateTopology({ ...validTopology(), alerts: { verifySchedule: 'off' } }));
    expect(noSchedule).toContain('  pipeline -.->|failures, approvals| alerts');
  });

  test('a pipeline in the source account sits in that subgraph; one repository is singular', () => {
    const topology = validTopology();
    topology.pipeline.account = '111111111111';
    topology.repositories = [{ name: 'app' }];
    const text = topologyMermaid(validateTopology(topology));
    expect(text).toContain('  subgraph account_111111111111["account 111111111111 (source, pipeline)"]');
    expect(text.match(/subgraph/g)).toHaveLength(2);
    expect(text).toContain('-->|"1 repository"|');
  });
});

test('topologyMermaid: each edge carries what is routed along it, namespaces by filter', () => {
  const topology = validTopology();
  topology.namespaces = [{ prefix: 'team-c', destinations: ['222222222222-eu-west-1'] }, { prefix: 'platform' }];
  topology.repositories.push({ name: 'shared/base', destinations: ['111111111111-us-west-2'] });
  const lines = topologyMermaid(validateTopology(topology)).split('\n');
  expect(lines).toContain('  r_111111111111_us_east_1 -->|"platform/*; 3 repositories"| r_111111111111_us_west_2');
  expect(lines).toContain('  r_111111111111_us_east_1 -->|"team-c/*, platform/*; 2 repositories"| r_222222222222_eu_west_1');
});
