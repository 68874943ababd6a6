import { LOOKUP_ROLE_NAME } from '../../src/registry/access';
import { parseQueueUrl } from '../../src/registry/data';
import { verifyTopology, VerifyOptions } from '../../src/verify/verify';
import { CROSS_ACCOUNT, fakeReaders, goodRegistries, repo, topology } from '../fixtures';

const options = (readerFor: VerifyOptions['readerFor']): VerifyOptions => ({
  assumeRole: 'other-accounts', roleName: LOOKUP_ROLE_NAME, concurrency: 2, stsRegion: 'us-east-1', readerFor,
});

describe('verifyTopology', () => {
  const t = topology();

  test('a correct deployment passes, with one row per check', async () => {
    const { readerFor, roles } = fakeReaders(goodRegistries(t));
    const report = await verifyTopology(t, options(readerFor));
    expect(report.ok).toBe(true);
    // source: access + 2 replication + 2 repository; same-account: access + 2×3 + creation template;
    // cross-account: access + 2×3 + 2 policy + policy scope; source: + nothing replicated unmanaged
    expect(report.summary).toEqual({ environments: 3, checks: 6 + 8 + 10, passed: 24, warnings: 0, failed: 0, errors: 0 });
    expect(report.environments.map((e) => e.role)).toEqual([null, null, 'arn:aws:iam::222222222222:role/cdk-hnb659fds-lookup-role-222222222222-eu-central-1']);
    expect(roles).toHaveLength(3);
  });

  test('an environment that cannot be read is an error for it alone', async () => {
    const registries = goodRegistries(t);
    registries[CROSS_ACCOUNT.id].fail = Object.assign(new Error('The security token included in the request is invalid.'), { name: 'UnrecognizedClientException' });
    const report = await verifyTopology(t, options(fakeReaders(registries).readerFor));
    expect(report.ok).toBe(false);
    const cross = report.environments[2];
    expect(cross.checks).toEqual([{
      check: 'access',
      status: 'error',
      detail: 'cannot assume arn:aws:iam::222222222222:role/cdk-hnb659fds-lookup-role-222222222222-eu-central-1: '
        + 'the credentials are not accepted in eu-central-1 (UnrecognizedClientException): is the Region enabled for the account?',
    }]);
    expect(report.environments[1].checks.every((c) => c.status === 'pass')).toBe(true);
  });

  test('no credentials at all: said once for the whole report, not per environment', async () => {
    const readerFor = () => ({
      callerArn: () => Promise.reject(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' })),
    }) as never;
    const report = await verifyTopology(t, options(readerFor));
    expect(report.ok).toBe(false);
    expect(report.environments).toEqual([]);
    expect(report.error).toBe('no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  });

  test('credentials of the wrong account are reported, not trusted', async () => {
    const { readerFor } = fakeReaders(goodRegistries(t));
    const report = await verifyTopology(t, { ...options(readerFor), assumeRole: 'never' });
    expect(report.environments[2].checks[0]).toMatchObject({ check: 'access', status: 'error' });
    expect(report.environments[2].checks[0].detail).toContain('use --assume-role other-accounts');
  });

  test('--images checks the recent images of the existing source repositories', async () => {
    const registries = goodRegistries(t);
    const { readerFor } = fakeReaders(registries);
    const withImages: VerifyOptions['readerFor'] = (o) => ({
      ...readerFor(o),
      recentImages: async (name) => [{ digest: 'sha256:1', tags: ['v1'], pushedAt: new Date(), statuses: [{ region: 'eu-west-1', registryId: '111111111111', status: name === 'app' ? 'FAILED' : 'COMPLETE' }] }],
    });
    const report = await verifyTopology(t, { ...options(withImages), images: 3 });
    const images = report.environments[0].checks.filter((c) => c.check === 'image-replication');
    expect(images.map((c) => `${c.repository}:${c.status}`)).toEqual(['app:fail', 'team/api:pass']);
  });

  test('--images warns, per destination and repository, about recent source images absent there, with the backfill to run', async () => {
    const image = (d: string, tag?: string) => ({ digest: `sha256:${d.repeat(64)}`, tags: tag ? [tag] : [] });
    const registries = goodRegistries(t);
    // The most recent source image is archived: never asked for (backfill would not copy it either).
    const archived = { ...image('d', 'v4'), status: 'ARCHIVED' };
    registries[t.source.id].images = new Map([['app', [archived, image('c', 'v3'), image('b', 'v2'), image('a', 'v1')]], ['team/api', []]]);
    registries[t.destinations[0].id].images = new Map([['app', [image('c', 'v3')]]]);
    registries[CROSS_ACCOUNT.id].images = new Map([['app', [image('c', 'v3'), image('b', 'v2'), image('a')]]]);
    const report = await verifyTopology(t, { ...options(fakeReaders(registries).readerFor), images: 2 });
    const presence = report.environments.map((e) => e.checks.filter((c) => c.check === 'image-presence'));
    expect(presence[0]).toEqual([]);
    expect(presence[1]).toEqual([{
      check: 'image-presence',
      repository: 'app',
      status: 'warn',
      detail: '1 of the 2 most recent source image(s) are not in 111111111111/eu-west-1: v2 (bbbbbbbbbbbb)',
      fix: 'images pushed before replication reached 111111111111-eu-west-1 are never copied on their own: '
        + 'run ecr-kms-replication backfill --destination 111111111111-eu-west-1 --only-missing',
    }]);
    // Only the 2 most recent are compared; team/api has no image: no row.
    expect(presence[2]).toEqual([{ check: 'image-presence', repository: 'app', status: 'pass', detail: 'the 2 most recent source image(s) are here' }]);
    // A warning does not fail verify.
    expect(report.ok).toBe(true);
    expect(report.summary.warnings).toBe(1);
  });
});

test('the largest topology (25 destinations × 1,000 repositories) is checked (the checks alone) in seconds', async () => {
  // Every commercial Region but the source's us-east-1, 25 of them; every other one in another account.
  const regions = [
    'af-south-1', 'ap-east-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-south-2',
    'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ca-central-1', 'ca-west-1', 'eu-central-1',
    'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'il-central-1',
    'me-central-1', 'sa-east-1', 'us-west-2',
  ];
  const destinations = regions.map((region, i) => ({ account: i % 2 ? '222222222222' : '111111111111', region }));
  const repositories = Array.from({ length: 1000 }, (_, i) => repo(`team-${i % 10}/service-${String(i).padStart(4, '0')}`));
  const t = topology({ destinations, repositories });
  expect(t.destinations.filter((d) => d.crossAccount)).toHaveLength(12);
  const registries = goodRegistries(t);
  registries[t.source.id].rules = [{
    destinations: t.destinations.map((d) => ({ region: d.region, registryId: d.account })),
    repositoryFilters: Array.from({ length: 10 }, (_, i) => ({ filter: `team-${i}/`, filterType: 'PREFIX_MATCH' })),
  }];
  const started = Date.now();
  const report = await verifyTopology(t, { ...options(fakeReaders(registries).readerFor), concurrency: 4 });
  expect(report.summary.failed + report.summary.errors).toBe(0);
  // source: access + replication and repository per name; destinations: access + 3 per name,
  // + creation template (13 same-account) or + policy per name and policy scope (12 cross-account)
  // + the source's unmanaged row
  expect(report.summary.checks).toBe((1 + 2000) + 25 * (1 + 3000) + 13 + 12 * (1000 + 1) + 1);
  expect(Date.now() - started).toBeLessThan(5_000);
});

describe('verify --dead-letter-queue: alerts that could not be delivered are not lost silently', () => {
  const t = topology();
  const destination = t.destinations[1];
  const forwarding = parseQueueUrl(`https://sqs.${destination.region}.amazonaws.com/${destination.account}/ecr-kms-replication-forwarding-dead-letters`)!;
  const alerts = parseQueueUrl('https://sqs.us-east-1.amazonaws.com/333333333333/ecr-kms-replication-alerts-dead-letters')!;

  function registriesWith(depths: { forwarding?: number; alerts?: number }) {
    const registries = goodRegistries(t);
    if (depths.forwarding !== undefined) registries[destination.id].queues = new Map([[forwarding.url, depths.forwarding]]);
    if (depths.alerts !== undefined) registries['333333333333-us-east-1'] = { account: '333333333333', queues: new Map([[alerts.url, depths.alerts]]) };
    return registries;
  }

  test('empty queues pass, each read in its own account and Region (the pipeline\'s too, as an environment of its own)', async () => {
    const { readerFor, roles } = fakeReaders(registriesWith({ forwarding: 0, alerts: 0 }));
    const report = await verifyTopology(t, { ...options(readerFor), deadLetterQueues: [forwarding, alerts] });
    expect(report.ok).toBe(true);
    const rows = report.environments.flatMap((e) => e.checks.filter((c) => c.check === 'dead-letter-queue').map((c) => [e.id, e.kind, c.status, c.detail]));
    expect(rows).toEqual([
      [destination.id, 'destination', 'pass', 'no message in ecr-kms-replication-forwarding-dead-letters'],
      ['333333333333-us-east-1', 'alerts', 'pass', 'no message in ecr-kms-replication-alerts-dead-letters'],
    ]);
    expect(roles).toContain('arn:aws:iam::333333333333:role/cdk-hnb659fds-lookup-role-333333333333-us-east-1');
  });

  test('a message in a dead-letter queue fails verify and says what to do', async () => {
    const { readerFor } = fakeReaders(registriesWith({ forwarding: 3, alerts: 0 }));
    const report = await verifyTopology(t, { ...options(readerFor), deadLetterQueues: [forwarding, alerts] });
    expect(report.ok).toBe(false);
    const failed = report.environments.flatMap((e) => e.checks).find((c) => c.check === 'dead-letter-queue' && c.status === 'fail')!;
    expect(failed.detail).toBe(`3 messages wait in ${forwarding.url}: alerts that EventBridge or EventBridge Scheduler could not deliver`);
    expect(failed.fix).toContain(`aws sqs receive-message --queue-url ${forwarding.url} --attribute-names All --message-attribute-names All`);
    expect(failed.fix).toContain('ERROR_CODE');
    expect(failed.fix).toContain(`aws sqs purge-queue --queue-url ${forwarding.url}`);
  });

  test('a queue that cannot be read is an error, not a pass', async () => {
    const { readerFor } = fakeReaders(registriesWith({ alerts: 0 }));
    const report = await verifyTopology(t, { ...options(readerFor), deadLetterQueues: [forwarding, alerts] });
    expect(report.ok).toBe(false);
    expect(report.environments.find((e) => e.id === destination.id)!.checks.find((c) => c.check === 'dead-letter-queue')).toMatchObject({
      status: 'error', detail: expect.stringContaining('QueueDoesNotExist'),
    });
  });

  test('without the option, no queue is read', async () => {
    const { readerFor } = fakeReaders(registriesWith({ forwarding: 5 }));
    const report = await verifyTopology(t, options(readerFor));
    expect(report.ok).toBe(true);
    expect(report.environments.flatMap((e) => e.checks).some((c) => c.check === 'dead-letter-queue')).toBe(false);
  });
});

describe('parseQueueUrl', () => {
  test.each([
    ['https://sqs.eu-west-1.amazonaws.com/222222222222/q-1', { account: '222222222222', region: 'eu-west-1', queueName: 'q-1' }],
    ['https://eu-west-1.queue.amazonaws.com/222222222222/q_1', { account: '222222222222', region: 'eu-west-1', queueName: 'q_1' }],
    ['https://sqs.cn-north-1.amazonaws.com.cn/222222222222/q', { account: '222222222222', region: 'cn-north-1', queueName: 'q' }],
  ])('%s', (url, expected) => {
    expect(parseQueueUrl(url)).toEqual({ url, ...expected });
  });

  test.each(['arn:aws:sqs:eu-west-1:222222222222:q', 'https://sqs.eu-west-1.amazonaws.com/2222/q', 'http://sqs.eu-west-1.amazonaws.com/222222222222/q'])('refuses %s', (url) => {
    expect(parseQueueUrl(url)).toBeUndefined();
  });
});
