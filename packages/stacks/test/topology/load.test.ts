import * as fs from 'fs';
import * as path from 'path';
import { temporaryDirectory } from '@ecr-kms-replication/testing';
import { problemsOf, topologyError } from './helpers';
import { loadTopology, parseTopology, TopologyError } from '../../src/topology';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'topology.yaml');

function tempFile(name: string, text: string): string {
  const dir = temporaryDirectory('topology-');
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('loadTopology', () => {
  test('loads the example topology into the model', () => {
    const model = loadTopology(FIXTURE);
    expect(model.source).toEqual({
      account: '111111111111',
      region: 'us-east-1',
      id: '111111111111-us-east-1',
      keyAdmins: ['arn:aws:iam::111111111111:role/KeyAdmin'],
      keyUsers: ['arn:aws:iam::111111111111:role/CiPush'],
    });
    expect(model.destinations.map((d) => d.id)).toEqual(['111111111111-us-west-2', '222222222222-eu-west-1']);
    expect(model.repositories.map((r) => [r.name, r.existing])).toEqual([['team-a/service', false], ['team-b/api', true]]);
    expect(model.pipeline).toEqual({
      account: '333333333333',
      region: 'us-east-1',
      connectionArn: 'arn:aws:codeconnections:us-east-1:333333333333:connection/00000000-0000-0000-0000-000000000000',
      repository: 'my-org/ecr-kms-replication',
      branch: 'main',
      approveDestinations: false,
      backfill: true,
    });
  });

  test('a missing file says so, with the path it looked at', () => {
    const error = topologyError(() => loadTopology('does/not/exist.yaml'));
    expect(error.kind).toBe('file');
    expect(error.message).toBe(`does/not/exist.yaml cannot be read: file not found (looked for ${path.resolve('does/not/exist.yaml')})`);
  });

  test('a directory instead of a file says so', () => {
    const dir = temporaryDirectory('topology-');
    expect(topologyError(() => loadTopology(dir)).message).toBe(`${dir} cannot be read: is a directory, not a file`);
  });

  test('an empty file gets its own message', () => {
    const file = tempFile('topology.yaml', '');
    expect(topologyError(() => loadTopology(file)).message).toBe(
      `${file} is not valid (1 problem):\n  - the file is empty; it must define source, destinations, repositories (or namespaces) and pipeline`);
  });

  test('a file with only comments is empty too', () => {
    expect(problemsOf(() => parseTopology('# nothing yet\n'))[0].message).toMatch(/^the file is empty/);
  });

  test('invalid YAML reports line and column', () => {
    const error = topologyError(() => parseTopology('source:\n  region: us-east-1: x\n', 'topology.yaml'));
    expect(error.kind).toBe('yaml');
    expect(error.problems).toEqual([{ path: '', message: 'Nested mappings are not allowed in compact mappings', line: 2, column: 11 }]);
    expect(error.message).toBe('topology.yaml is not valid YAML (1 problem):\n  - line 2, column 11: Nested mappings are not allowed in compact mappings');
  });

  test('tabs used for indentation are a YAML error', () => {
    expect(topologyError(() => parseTopology('source:\n\taccount: "1"\n')).message).toContain('line 2, column 1: Tabs are not allowed as indentation');
  });

  test('a key given twice is a YAML error with its line', () => {
    const error = topologyError(() => parseTopology('source: {}\nrepositories: []\nsource: {}\n', 'topology.yaml'));
    expect(error.message).toBe(
      'topology.yaml is not valid YAML (1 problem):\n  - line 3, column 1: a field is given twice in the same mapping (keys must be unique)');
  });

  test('a list at the top level is not a topology', () => {
    expect(topologyError(() => parseTopology('- a\n- b\n', 'topology.yaml')).message).toBe(
      'topology.yaml is not valid (1 problem):\n'
      + '  - must be a mapping of fields (source, destinations, repositories (or namespaces) and pipeline), not a list (value: ["a","b"])');
  });

  test('JSON is accepted (it is YAML)', () => {
    const json = JSON.stringify({
      source: { account: '111111111111', region: 'us-east-1' },
      destinations: [{ account: '222222222222', region: 'eu-west-1' }],
      repositories: [{ name: 'app' }],
      pipeline: {
        account: '333333333333',
        region: 'us-east-1',
        connectionArn: 'arn:aws:codestar-connections:us-east-1:333333333333:connection/abc',
        repository: 'o/r',
      },
    });
    expect(parseTopology(json).destinations[0].crossAccount).toBe(true);
  });

  test('problems carry the line of their field, and come in file order', () => {
    const text = [
      'source:',
      '  account: "111111111111"',
      '  region: us-east-1',
      'destinations:',
      '  - account: "222222222222"',
      '    region: mars-north-1',
      'repositories:',
      '  - name: App',
      'pipeline:',
      '  account: "333333333333"',
      '  region: us-east-1',
      '  repository: o/r',
    ].join('\n');
    const problems = problemsOf(() => parseTopology(text));
    expect(problems.map((p) => [p.path, p.line])).toEqual([
      ['destinations[0].region', 6],
      ['repositories[0].name', 8],
      ['pipeline.connectionArn', 9],
    ]);
  });
});

describe('the error report', () => {
  test('has a headline with the count, then one line per problem with path, message and value', () => {
    const text = [
      'source:',
      '  account: "111111111111"',
      '  region: us-east-1',
      'destinations:',
      '  - account: "222222222222"',
      '    region: eu-west-1',
      '  - account: 12345',
      '    region: eu-west-2',
      'repositories:',
      '  - name: Team-A/service',
      'pipeline:',
      '  account: "333333333333"',
      '  region: us-east-1',
      '  connectionArn: arn:aws:codeconnections:us-east-1:333333333333:connection/abc',
      '  repository: my-org/ecr-kms-replication',
      '  brnch: main',
    ].join('\n');
    const error = topologyError(() => parseTopology(text, 'topology.yaml'));
    expect(error).toBeInstanceOf(TopologyError);
    expect(error).toBeInstanceOf(Error);
    expect(error.format()).toBe([
      'topology.yaml is not valid (3 problems):',
      '  - destinations[1].account (line 7): must be a quoted string of 12 digits, e.g. account: "012345678901" '
        + '(got the number 12345; YAML reads unquoted numbers as numbers and drops leading zeros)',
      '  - repositories[0].name (line 10): is not a valid ECR repository name: it must be lowercase (value: "Team-A/service")',
      "  - pipeline.brnch (line 16): is not a known field; did you mean 'branch'?",
    ].join('\n'));
    expect(error.message).toBe(error.format());
    expect(error.problems[0]).toEqual(expect.objectContaining({ path: 'destinations[1].account', value: 12345, line: 7 }));
  });
});
