/**
 * What is valid but worth a second look: `validate` and `plan` print these
 * as warnings; nothing is refused.
 */
import { TopologyModel } from './model';

export function topologyWarnings(model: TopologyModel): string[] {
  const warnings: string[] = [];
  if (model.namespaces.length > 0 && model.alerts && model.alerts.verifySchedule === undefined) {
    // Repositories under a namespace appear without a pipeline run: only the
    // scheduled verification looks at them (docs/architecture.md, "Alerts").
    warnings.push(`the topology has ${model.namespaces.length} namespace(s) and alerts.verifySchedule: off: a repository created under a `
      + 'namespace without the registry\'s key (by hand, or before its template existed) reaches the alerts topic only through the '
      + 'scheduled verification; set a schedule, e.g. rate(1 day)');
  }
  if (model.namespaces.length > 0 && !model.alerts) {
    warnings.push(`the topology has ${model.namespaces.length} namespace(s) and alerts: false: nothing reports a repository created under a `
      + 'namespace without the registry\'s key; run ecr-kms-replication verify regularly');
  }
  return warnings;
}
