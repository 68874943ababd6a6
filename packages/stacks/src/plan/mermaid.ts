import { TopologyModel } from '../topology/model';
import { namespaceFilter, namespacesRoutedTo, repositoriesRoutedTo } from '../topology/routing';

/**
 * A Mermaid `flowchart LR` of the topology: registries grouped by account,
 * replication edges from the source labelled with what is routed along each
 * (namespaces by filter, listed repositories by count), and the pipeline that
 * deploys them.
 */
export function topologyMermaid(model: TopologyModel): string {
  const lines = ['flowchart LR'];
  const pipelineAccount = model.pipeline.account;

  // Accounts in order of appearance: source first, then destinations.
  const accounts = [...new Set([model.source.account, ...model.destinations.map((d) => d.account)])];
  for (const account of accounts) {
    const roles = [
      account === model.source.account ? 'source' : undefined,
      account === pipelineAccount ? 'pipeline' : undefined,
    ].filter((role) => role !== undefined);
    lines.push(`  subgraph ${accountId(account)}["account ${account}${roles.length > 0 ? ` (${roles.join(', ')})` : ''}"]`);
    if (account === model.source.account) {
      lines.push(`    ${nodeId(model.source.id)}["source<br/>${model.source.region}"]`);
    }
    for (const destination of model.destinations.filter((d) => d.account === account)) {
      lines.push(`    ${nodeId(destination.id)}["destination<br/>${destination.region}"]`);
    }
    if (account === pipelineAccount) {
      lines.push(`    pipeline["CDK pipeline<br/>${model.pipeline.region}"]`);
      lines.push(...alertsNode(model));
    }
    lines.push('  end');
  }
  if (!accounts.includes(pipelineAccount)) {
    lines.push(`  subgraph ${accountId(pipelineAccount)}["account ${pipelineAccount} (pipeline)"]`);
    lines.push(`    pipeline["CDK pipeline<br/>${model.pipeline.region}"]`);
    lines.push(...alertsNode(model));
    lines.push('  end');
  }

  for (const destination of model.destinations) {
    lines.push(`  ${nodeId(model.source.id)} -->|"${edgeLabel(model, destination.id)}"| ${nodeId(destination.id)}`);
  }
  for (const account of accounts) {
    lines.push(`  pipeline -.->|deploys| ${accountId(account)}`);
  }
  if (model.alerts) {
    // Failed replications are reported from the destination registries' accounts.
    for (const account of [...new Set(model.destinations.map((d) => d.account))]) {
      lines.push(`  ${accountId(account)} -.->|failed replications| alerts`);
    }
    lines.push(`  pipeline -.->|failures, approvals${model.alerts.verifySchedule ? ', scheduled verification' : ''}| alerts`);
  }
  return lines.join('\n') + '\n';
}

/** What replicates along an edge: its namespaces (by filter, or their count past three) and its listed repositories. */
function edgeLabel(model: TopologyModel, destinationId: string): string {
  const namespaces = namespacesRoutedTo(model, destinationId);
  const listed = repositoriesRoutedTo(model, destinationId).length;
  const parts: string[] = [];
  if (namespaces.length > 3) {
    parts.push(`${namespaces.length} namespaces`);
  } else if (namespaces.length > 0) {
    parts.push(namespaces.map((n) => `${namespaceFilter(n.prefix)}*`).join(', '));
  }
  if (listed > 0 || namespaces.length === 0) {
    parts.push(`${listed} ${listed === 1 ? 'repository' : 'repositories'}`);
  }
  return parts.join('; ');
}

/** The alerts topic beside the pipeline, when alerts are on. */
function alertsNode(model: TopologyModel): string[] {
  return model.alerts ? [`    alerts["alerts topic<br/>${model.pipeline.region}"]`] : [];
}

function nodeId(environmentId: string): string {
  return `r_${environmentId.replace(/-/g, '_')}`;
}

function accountId(account: string): string {
  return `account_${account}`;
}
