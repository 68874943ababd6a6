import { problemLines, validTopology } from './helpers';
import { parseTopology, validateTopology } from '../../src/topology';

describe('alerts', () => {
  test('are on by default: no e-mail, a daily scheduled verification, GitHub', () => {
    expect(validateTopology(validTopology()).alerts).toEqual({ emails: [], verifySchedule: 'rate(1 day)', gitProvider: 'GitHub' });
  });

  test('alerts: false turns them off', () => {
    expect(validateTopology({ ...validTopology(), alerts: false }).alerts).toBeUndefined();
  });

  test('e-mails, schedule and Git host are taken as written; verifySchedule off leaves the schedule out', () => {
    const model = validateTopology({
      ...validTopology(),
      alerts: { emails: ['platform-team@example.com', 'oncall@example.com'], verifySchedule: 'cron(0 6 * * ? *)', gitProvider: 'GitLab' },
    });
    expect(model.alerts).toEqual({
      emails: ['platform-team@example.com', 'oncall@example.com'],
      verifySchedule: 'cron(0 6 * * ? *)',
      gitProvider: 'GitLab',
    });
    const off = validateTopology({ ...validTopology(), alerts: { verifySchedule: 'off' } });
    expect(off.alerts).toEqual({ emails: [], gitProvider: 'GitHub' });
  });

  test.each(['rate(1 day)', 'rate(12 hours)', 'rate(30 minutes)', 'cron(0 6 * * ? *)', 'off'])('verifySchedule %s is accepted', (verifySchedule) => {
    expect(() => validateTopology({ ...validTopology(), alerts: { verifySchedule } })).not.toThrow();
  });

  test.each([
    ['daily', "alerts.verifySchedule: 'daily' is not a recurring schedule: use rate(<n> minutes|hours|days), e.g. rate(1 day), or cron(<6 fields>), e.g. cron(0 6 * * ? *), or 'off'"],
    ['rate(1 days)', "alerts.verifySchedule: 'rate(1 days)' must say 1 day, or 'off'"],
    ['rate(2 hour)', "alerts.verifySchedule: 'rate(2 hour)' must say 2 hours, or 'off'"],
    ['cron(0 6 * * ?)', "alerts.verifySchedule: 'cron(0 6 * * ?)' is not a recurring schedule: use rate(<n> minutes|hours|days), e.g. rate(1 day), or cron(<6 fields>), e.g. cron(0 6 * * ? *), or 'off'"],
  ])('verifySchedule %s is refused, saying how to write it', (verifySchedule, message) => {
    expect(problemLines(() => validateTopology({ ...validTopology(), alerts: { verifySchedule } }))).toEqual([message]);
  });

  test('a malformed e-mail address is named by its position', () => {
    expect(problemLines(() => validateTopology({ ...validTopology(), alerts: { emails: ['ok@example.com', 'platform-team'] } })))
      .toEqual(['alerts.emails[1]: must be an e-mail address, e.g. platform-team@example.com']);
  });

  test('alerts: true, or a list, says what is expected', () => {
    expect(problemLines(() => validateTopology({ ...validTopology(), alerts: true })))
      .toEqual(['alerts: must be false (no alerts) or a mapping with emails, verifySchedule, gitProvider']);
    expect(problemLines(() => validateTopology({ ...validTopology(), alerts: ['a@example.com'] })))
      .toEqual(['alerts: must be false (no alerts) or a mapping with emails, verifySchedule, gitProvider']);
  });

  test('an unknown field under alerts gets a suggestion from the alerts fields', () => {
    expect(problemLines(() => validateTopology({ ...validTopology(), alerts: { email: ['a@example.com'] } })))
      .toEqual(["alerts.email: is not a known field; did you mean 'emails'?"]);
  });

  test('an unknown Git host lists the known ones', () => {
    expect(problemLines(() => validateTopology({ ...validTopology(), alerts: { gitProvider: 'Gitea' } })))
      .toEqual(['alerts.gitProvider: must be one of GitHub, GitLab, Bitbucket']);
  });

  test('problems are located on their line in the file', () => {
    const text = [
      'source: { account: "111111111111", region: us-east-1 }',
      'destinations: [{ account: "222222222222", region: eu-west-1 }]',
      'repositories: [{ name: app }]',
      'pipeline:',
      '  account: "333333333333"',
      '  region: us-east-1',
      '  connectionArn: arn:aws:codeconnections:us-east-1:333333333333:connection/00000000-0000-0000-0000-000000000000',
      '  repository: my-org/ecr-kms-replication',
      'alerts:',
      '  verifySchedule: weekly',
    ].join('\n');
    try {
      parseTopology(text, 'topology.yaml');
      throw new Error('expected a TopologyError');
    } catch (error) {
      expect((error as { problems: { path: string; line?: number }[] }).problems).toEqual([
        expect.objectContaining({ path: 'alerts.verifySchedule', line: 10 }),
      ]);
    }
  });
});

test('alerts: a field of the wrong type is named', () => {
  expect(problemLines(() => validateTopology({ ...validTopology(), alerts: { emails: 'a@example.com' } })))
    .toEqual(['alerts: emails must be a list']);
});
