import { renderJson, renderTable } from '../../src/report/render';
import { buildReport } from '../../src/report/result';

const report = buildReport([
  {
    id: '111111111111-us-east-1',
    kind: 'source',
    account: '111111111111',
    region: 'us-east-1',
    role: null,
    checks: [{ check: 'replication', repository: 'app', status: 'pass', detail: 'replicated to 1 destination(s)' }],
  },
  {
    id: '222222222222-eu-west-1',
    kind: 'destination',
    account: '222222222222',
    region: 'eu-west-1',
    role: 'arn:aws:iam::222222222222:role/reader',
    checks: [
      { check: 'repository', repository: 'app', status: 'pass', detail: 'exists' },
      { check: 'encryption', repository: 'app', status: 'fail', detail: 'app in 222222222222/eu-west-1 is encrypted with AES256, not KMS' },
      { check: 'registry-policy', status: 'error', detail: 'access denied in eu-west-1: nope' },
    ],
  },
]);

test('the summary counts every status', () => {
  expect(report.ok).toBe(false);
  expect(report.summary).toEqual({ environments: 2, checks: 4, passed: 2, warnings: 0, failed: 1, errors: 1 });
});

test('the table lists what does not pass, per environment', () => {
  expect(renderTable(report)).toBe([
    'source 111111111111-us-east-1 (current credentials): ok, 1/1 checks passed',
    '',
    'destination 222222222222-eu-west-1 (via arn:aws:iam::222222222222:role/reader): ERROR, 1/3 checks passed',
    '  STATUS  CHECK            REPOSITORY  DETAIL',
    '  FAIL    encryption       app         app in 222222222222/eu-west-1 is encrypted with AES256, not KMS',
    '  ERROR   registry-policy  -           access denied in eu-west-1: nope',
    '',
    'NOT OK: 2 passed, 1 failed, 1 errors in 2 environments',
    '',
  ].join('\n'));
});

test('--verbose lists the passing checks too', () => {
  expect(renderTable(report, { verbose: true })).toContain('  ok      replication  app         replicated to 1 destination(s)');
});

test('the JSON is the report itself', () => {
  const parsed = JSON.parse(renderJson(report));
  expect(parsed).toEqual(JSON.parse(JSON.stringify(report)));
  expect(Object.keys(parsed)).toEqual(['ok', 'environments', 'summary']);
  expect(Object.keys(parsed.environments[0])).toEqual(['id', 'kind', 'account', 'region', 'role', 'checks']);
});

test('warnings do not fail a report; fixes are listed under their environment', () => {
  const warned = buildReport([{
    id: '222222222222-eu-west-1',
    kind: 'destination',
    account: '222222222222',
    region: 'eu-west-1',
    role: null,
    checks: [
      { check: 'registry-policy', status: 'warn', detail: 'grants more than replication', fix: 'remove the statement' },
      { check: 'access', status: 'pass', detail: 'read' },
    ],
  }]);
  expect(warned.ok).toBe(true);
  expect(warned.summary).toMatchObject({ passed: 1, warnings: 1, failed: 0, errors: 0 });
  const text = renderTable(warned);
  expect(text).toContain('destination 222222222222-eu-west-1 (current credentials): WARN, 1/2 checks passed');
  expect(text).toContain('  WARN    registry-policy');
  expect(text).toContain('  what to do:\n  - registry-policy: remove the statement');
  expect(text).toMatch(/^OK: 1 passed, 1 warnings, 0 failed, 0 errors in 1 environments$/m);
});
