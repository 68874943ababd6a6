import { validTopology } from './helpers';
import { topologyWarnings, validateTopology } from '../../src/topology';

function model(change: (t: any) => void) {
  const t = validTopology();
  change(t);
  return validateTopology(t);
}

describe('topologyWarnings', () => {
  test('namespaces without a scheduled verification are worth a warning', () => {
    expect(topologyWarnings(model((t) => { t.namespaces = [{ prefix: 'team-c' }]; t.alerts = { verifySchedule: 'off' }; })))
      .toEqual([expect.stringMatching(/^the topology has 1 namespace\(s\) and alerts\.verifySchedule: off: .*scheduled verification; set a schedule/)]);
    expect(topologyWarnings(model((t) => { t.namespaces = [{ prefix: 'team-c' }]; t.alerts = false; })))
      .toEqual([expect.stringMatching(/^the topology has 1 namespace\(s\) and alerts: false: /)]);
  });

  test('none with a schedule, or without namespaces', () => {
    expect(topologyWarnings(model((t) => { t.namespaces = [{ prefix: 'team-c' }]; }))).toEqual([]);
    expect(topologyWarnings(model((t) => { t.alerts = { verifySchedule: 'off' }; }))).toEqual([]);
  });
});
