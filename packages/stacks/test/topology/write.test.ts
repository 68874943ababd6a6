import * as fs from 'fs';
import * as path from 'path';
import { validTopology } from './helpers';
import { formatTopologyFile, parseTopology, schemaReference, TOPOLOGY_SCHEMA_FILE, validateTopology } from '../../src/topology';

describe('formatTopologyFile', () => {
  test('writes YAML that loads into the same model as the data', () => {
    const data = validTopology();
    const text = formatTopologyFile(data);
    expect(parseTopology(text, 'written')).toEqual(validateTopology(data));
  });

  test('quotes account IDs (YAML would read them as numbers) and separates the top-level fields by a blank line', () => {
    const text = formatTopologyFile({ source: { account: '012345678901', region: 'us-east-1' }, keyAlias: 'alias/x' });
    expect(text).toBe([
      'source:',
      '  account: "012345678901"',
      '  region: us-east-1',
      '',
      'keyAlias: alias/x',
      '',
    ].join('\n'));
  });

  test('the $schema line comes first, then the header, with an empty line as a bare #', () => {
    const text = formatTopologyFile({ keyAlias: 'alias/x' }, {
      schema: '../../packages/stacks/schema/topology.schema.json',
      header: ['Imported.', '', 'Not imported:', '  - a rule'],
    });
    expect(text.split('\n').slice(0, 5)).toEqual([
      '# yaml-language-server: $schema=../../packages/stacks/schema/topology.schema.json',
      '# Imported.',
      '#',
      '# Not imported:',
      '#   - a rule',
    ]);
  });

  test('comments go above a field, above a list item, and at the end of a value\'s line', () => {
    const data = validTopology();
    const text = formatTopologyFile(data, {
      comments: [
        { path: ['pipeline'], above: ['keyAdmins: ["arn:aws:iam::111111111111:role/KeyAdmin"]'] },
        { path: ['repositories', 1], above: ['in the source already'] },
        { path: ['pipeline', 'repository'], inline: 'fill in' },
      ],
    });
    const lines = text.split('\n');
    expect(lines[lines.indexOf('pipeline:') - 1]).toBe('# keyAdmins: ["arn:aws:iam::111111111111:role/KeyAdmin"]');
    expect(lines[lines.indexOf('  - name: team-b/api') - 1]).toBe('  # in the source already');
    expect(lines).toContain('  repository: my-org/ecr-kms-replication # fill in');
    // Comments change nothing in the data.
    expect(parseTopology(text)).toEqual(validateTopology(data));
  });

  test('a comment on a field the data does not have is a programming error', () => {
    expect(() => formatTopologyFile(validTopology(), { comments: [{ path: ['pipeline', 'branch'], above: ['x'] }] }))
      .toThrow('formatTopologyFile: no field at ["pipeline","branch"]');
    expect(() => formatTopologyFile(validTopology(), { comments: [{ path: ['pipeline'], inline: 'x' }] }))
      .toThrow('has no single value for an inline comment');
  });
});

describe('schemaReference', () => {
  const packageDir = path.join('/repo', 'packages', 'stacks');

  test('is the schema file relative to the folder of the topology file', () => {
    expect(schemaReference(path.join('/repo', 'apps', 'pipeline'), packageDir)).toBe('../../packages/stacks/schema/topology.schema.json');
    expect(schemaReference('/repo', packageDir)).toBe('packages/stacks/schema/topology.schema.json');
  });

  test('names the schema file this package ships', () => {
    const packageRoot = path.join(__dirname, '..', '..');
    expect(fs.existsSync(path.join(packageRoot, TOPOLOGY_SCHEMA_FILE))).toBe(true);
    // The example topology's own line.
    const example = fs.readFileSync(path.join(packageRoot, '..', '..', 'apps', 'pipeline', 'topology.yaml'), 'utf8');
    expect(example).toContain(`$schema=${schemaReference(path.join(packageRoot, '..', '..', 'apps', 'pipeline'), packageRoot)}\n`);
  });
});
