import * as path from 'path';
import { deploymentOrder, planSummary } from '../../src/plan';
import { loadTopology, validateTopology } from '../../src/topology';
import { validTopology } from '../topology/helpers';

const model = loadTopology(path.join(__dirname, '..', 'fixtures', 'topology.yaml'));

describe('planSummary', () => {
  const summary = planSummary(model);

  test('names the source', () => {
    expect(summary).toContain('Source registry (images are pushed here)\n  account 111111111111, Region us-east-1 (111111111111-us-east-1)');
  });

  test('lists each destination with same/cross-account and creation template', () => {
    expect(summary).toContain([
      '  1. account 111111111111, Region us-west-2 (111111111111-us-west-2)',
      '     same account as the source',
      '     creation template: on (repositories replication creates here are KMS-encrypted too)',
    ].join('\n'));
    expect(summary).toContain([
      '  2. account 222222222222, Region eu-west-1 (222222222222-eu-west-1)',
      '     cross-account (registry policy lets the source replicate here)',
      '     creation template: not deployed (cross-account: replication cannot create repositories here, so a template would never act)',
    ].join('\n'));
    expect(summary.match(/creation template: on/g)).toHaveLength(1);
  });

  test('shows the key alias and principals per environment, with overrides', () => {
    expect(summary.match(/key: alias\/ecr-kms-replication/g)).toHaveLength(3);
    expect(summary).toContain('     key admins: arn:aws:iam::222222222222:role/KeyAdmin');
  });

  test('marks adopted repositories', () => {
    expect(summary).toContain('  - team-a/service (image tags immutable; scan on push on)');
    expect(summary).toContain('  - team-b/api (existing: adopted in the source, not created; image tags immutable; scan on push on)');
  });

  test('says which repositories AWS Control Tower\'s lifecycle control would reject', () => {
    expect(summary).toContain('  2 without a lifecycle policy: where AWS Control Tower\'s control CT.ECR.PR.1 is on, '
      + 'it rejects them; defaults.lifecycle (or lifecycle per repository) lifts it\n');
    const topology = validTopology();
    topology.defaults = { lifecycle: { untaggedExpiryDays: 14 } };
    expect(planSummary(validateTopology(topology))).not.toContain('CT.ECR.PR.1');
  });

  test('states the removal mode', () => {
    expect(summary).toContain('Removal: retain (keys and repositories outlive their stacks)');
  });

  test('gives the deployment order', () => {
    expect(summary).toContain([
      'Deployment order',
      '  1. preflight (stops the run before anything is deployed when something in a registry stands in the way)',
      '  2. destinations (in parallel): 111111111111-us-west-2, 222222222222-eu-west-1',
      '  3. manual approval',
      '  4. source: 111111111111-us-east-1',
      '  5. backfill: replicate the images pushed before replication, where a destination misses some',
      '  6. verification',
    ].join('\n'));
  });

  test('no backfill step with pipeline.backfill: false', () => {
    const topology = validTopology();
    topology.pipeline.backfill = false;
    const text = planSummary(validateTopology(topology));
    expect(text).not.toContain('backfill');
    expect(text).toMatch(/ {2}4\. source: \S+\n {2}5\. verification/);
  });

  test('an approval before the destinations too, when asked for', () => {
    const topology = validTopology();
    topology.pipeline.approveDestinations = true;
    topology.removal = 'destroy';
    topology.destinations[0].creationTemplate = false;
    topology.tags = { team: 'platform', app: 'ecr' };
    const text = planSummary(validateTopology(topology));
    expect(text).toMatch(/ {2}1\. preflight .*\n {2}2\. manual approval\n {2}3\. destinations \(in parallel\)/);
    expect(text).toContain('  7. verification');
    expect(text).toContain('Removal: destroy');
    expect(text).toContain('creation template: off');
    expect(text).toContain('Tags: app=ecr, team=platform');
  });

  test('is deterministic', () => {
    expect(planSummary(model)).toBe(summary);
  });
});

test('deploymentOrder: destinations first in file order, then the source', () => {
  const order = deploymentOrder(model);
  expect(order.destinations.map((d) => d.id)).toEqual(['111111111111-us-west-2', '222222222222-eu-west-1']);
  expect(order.source.id).toBe('111111111111-us-east-1');
});

describe('planSummary: alerts', () => {
  test('says where the topic is, who is subscribed and what is alerted', () => {
    const text = planSummary(validateTopology({ ...validTopology(), alerts: { emails: ['platform-team@example.com'], verifySchedule: 'rate(12 hours)' } }));
    expect(text).toContain([
      'Alerts: SNS topic in account 333333333333, Region us-east-1; e-mail: platform-team@example.com',
      '  failed replications into the 2 destination registries',
      '  scheduled verification: rate(12 hours)',
      '  pipeline: failed executions, manual approvals waiting',
    ].join('\n'));
  });

  test('defaults: no subscription yet, a daily verification', () => {
    const text = planSummary(validateTopology(validTopology()));
    expect(text).toContain('e-mail: (none; subscribe later)');
    expect(text).toContain('  scheduled verification: rate(1 day)');
  });

  test('alerts: false says they are off', () => {
    const text = planSummary(validateTopology({ ...validTopology(), alerts: false }));
    expect(text).toContain('Alerts: off (alerts: false)');
    expect(text).not.toContain('failed replications');
  });
});

describe('planSummary with namespaces and routing', () => {
  const topology = validTopology();
  topology.namespaces = [{ prefix: 'team-c', destinations: ['222222222222-eu-west-1'], imageTagMutability: 'MUTABLE' }, { prefix: 'platform' }];
  topology.repositories.push({ name: 'shared/base', destinations: ['111111111111-us-west-2'] });
  topology.alerts = { verifySchedule: 'off' };
  const summary = planSummary(validateTopology(topology));

  test('lists the namespaces with their filter, routing and settings', () => {
    expect(summary).toContain([
      'Namespaces (2: every repository under each prefix, created on push in the source and by replication in the destinations it is routed to, with each registry\'s key)',
      '  - team-c (filter team-c/; to 222222222222-eu-west-1; image tags mutable)',
      '  - platform (filter platform/; to every destination; image tags immutable)',
    ].join('\n'));
  });

  test('shows per destination its namespace templates, what is routed there, and what the source may create there', () => {
    expect(summary).toContain([
      '  2. account 222222222222, Region eu-west-1 (222222222222-eu-west-1)',
      '     cross-account (registry policy lets the source replicate here, and create repositories only under team-c/*, platform/*)',
      '     creation template: ROOT not deployed (cross-account: replication may create repositories here only under the namespaces routed here)',
      '     namespace templates (replication, this registry\'s key): team-c/, platform/',
      '     routed here: 2 namespaces, 2 listed repositories',
    ].join('\n'));
    expect(summary).toContain('  - shared/base (to 111111111111-us-west-2; image tags immutable; scan on push on)');
  });

  test('shows the replication rules, one per destination set', () => {
    expect(summary).toContain([
      'Replication rules (3 of at most 10; filters match by prefix)',
      '  1. team-c/ -> 222222222222-eu-west-1',
      '  2. platform/, team-a/service, team-b/api -> 111111111111-us-west-2, 222222222222-eu-west-1',
      '  3. shared/base -> 111111111111-us-west-2',
    ].join('\n'));
  });

  test('warns when namespaces go without a scheduled verification', () => {
    expect(summary).toMatch(/\nWarning: the topology has 2 namespace\(s\) and alerts\.verifySchedule: off: /);
  });

  test('a topology with only listed repositories shows no namespaces and no rules section', () => {
    expect(planSummary(validateTopology(validTopology()))).not.toMatch(/Namespaces|Replication rules|routed here/);
  });
});
