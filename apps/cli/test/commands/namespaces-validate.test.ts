import * as fs from 'fs';
import * as path from 'path';
import { runCli } from '../../src/cli';
import { Capture, topologyFile, topologyInput } from '../fixtures';

async function validate(file: string) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runCli(['validate', '--topology', file], { stdout, stderr, env: {} });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('validate with namespaces and routing', () => {
  test('a bad namespace topology exits 2, naming each field and value, and writes nothing', async () => {
    const file = topologyFile([
      'source: { account: "111111111111", region: us-east-1 }',
      'destinations:',
      '  - { account: "111111111111", region: eu-west-1 }',
      '  - { account: "222222222222", region: eu-central-1, creationTemplate: false }',
      'namespaces:',
      '  - prefix: team-a',
      '    destinations: [222222222222-eu-centrl-1]',
      '  - prefix: team-a/x',
      '    scanOnPush: true',
      'repositories:',
      '  - name: app',
      '  - name: app-old',
      'pipeline:',
      '  account: "333333333333"',
      '  region: us-east-1',
      '  connectionArn: arn:aws:codeconnections:us-east-1:333333333333:connection/00000000-0000-0000-0000-000000000000',
      '  repository: my-org/ecr-kms-replication',
      '',
    ].join('\n'));
    const before = fs.readdirSync(path.dirname(file));
    const { code, stdout, stderr } = await validate(file);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain("  - namespaces[0].destinations[0] (line 7): is not a destination of this topology; did you mean '222222222222-eu-central-1'? "
      + '(value: "222222222222-eu-centrl-1")');
    expect(stderr).toContain('  - namespaces[1].prefix (line 8): overlaps namespaces[0] (team-a)');
    expect(stderr).toContain('  - namespaces[1] (line 8): routes namespace team-a/x to 222222222222-eu-central-1, which has creationTemplate: false');
    expect(stderr).toContain('  - namespaces[1].scanOnPush (line 9): is not allowed on a namespace');
    expect(stderr).toContain('  - repositories[0].name (line 11): is a prefix of repositories[1] (app-old)');
    expect(fs.readdirSync(path.dirname(file))).toEqual(before);
  });

  test('namespaces with verifySchedule off: valid, with a warning on stderr', async () => {
    const file = topologyFile(topologyInput({ namespaces: [{ prefix: 'team-a' }], alerts: { verifySchedule: 'off' } }));
    const { code, stdout, stderr } = await validate(file);
    expect(code).toBe(0);
    expect(stdout).toMatch(/ is valid: /);
    expect(stderr).toMatch(/^warning: the topology has 1 namespace\(s\) and alerts\.verifySchedule: off: /);
  });
});
