import { deploymentOrder } from './order';
import { DestinationModel, KeyPrincipals, NamespaceModel, RepositoryModel, SourceModel, TopologyModel, deploysCreationTemplate } from '../topology/model';
import { coveringNamespace, createRepositoryPrefixes, namespaceFilter, namespacesRoutedTo, replicationRules, repositoriesRoutedTo } from '../topology/routing';
import { topologyWarnings } from '../topology/warnings';

/**
 * A plain-text description of what a topology deploys and in which order,
 * for a person to check before the pipeline runs. Deterministic: the same
 * model always gives the same text.
 */
export function planSummary(model: TopologyModel): string {
  const lines: string[] = [];
  const registries = 1 + model.destinations.length;

  lines.push('Source registry (images are pushed here)');
  lines.push(`  ${environmentLine(model.source)}`);
  lines.push(...keyLines(model, model.source));
  lines.push('');

  lines.push(`Destination registries (${model.destinations.length}, created with their repositories before the source replicates to them)`);
  const routing = isRouted(model);
  model.destinations.forEach((destination, i) => {
    lines.push(`  ${i + 1}. ${environmentLine(destination)}`);
    lines.push(`     ${crossAccountLine(model, destination)}`);
    lines.push(`     creation template: ${creationTemplateLine(model, destination)}`);
    const namespaces = namespacesRoutedTo(model, destination.id);
    if (namespaces.length > 0) {
      lines.push(`     namespace templates (replication, this registry's key): ${namespaces.map((n) => namespaceFilter(n.prefix)).join(', ')}`);
    }
    if (routing) {
      lines.push(`     routed here: ${count(namespaces.length, 'namespace')}, ${count(repositoriesRoutedTo(model, destination.id).length, 'listed repository', 'listed repositories')}`);
    }
    lines.push(...keyLines(model, destination).map((line) => `   ${line}`));
  });
  lines.push('');

  if (model.namespaces.length > 0) {
    lines.push(`Namespaces (${model.namespaces.length}: every repository under each prefix, created on push in the source and by replication `
      + 'in the destinations it is routed to, with each registry\'s key)');
    for (const namespace of model.namespaces) {
      lines.push(`  - ${namespaceLine(model, namespace)}`);
    }
    lines.push('');
  }

  lines.push(`Repositories (${model.repositories.length}, in the source and in ${routing ? 'the destinations each is routed to' : 'every destination'})`);
  for (const repository of model.repositories) {
    lines.push(`  - ${repositoryLine(model, repository)}`);
  }
  const withoutLifecycle = model.repositories.filter((r) => r.lifecycle === undefined).length;
  if (withoutLifecycle > 0) {
    lines.push(`  ${withoutLifecycle} without a lifecycle policy: where AWS Control Tower's control CT.ECR.PR.1 is on, `
      + 'it rejects them; defaults.lifecycle (or lifecycle per repository) lifts it');
  }
  lines.push('');

  if (routing) {
    const rules = replicationRules(model);
    lines.push(`Replication rules (${rules.length} of at most 10; filters match by prefix)`);
    rules.forEach((rule, i) => lines.push(`  ${i + 1}. ${rule.filters.join(', ')} -> ${rule.destinations.join(', ')}`));
    lines.push('');
  }

  lines.push(`Removal: ${model.removal === 'retain'
    ? 'retain (keys and repositories outlive their stacks)'
    : 'destroy (deleting a stack deletes its repositories with their images and schedules its key for deletion)'}`);
  const tags = Object.entries(model.tags).sort(([a], [b]) => a.localeCompare(b));
  if (tags.length > 0) {
    lines.push(`Tags: ${tags.map(([key, value]) => `${key}=${value}`).join(', ')}`);
  }
  lines.push(`KMS keys: ${registries} (one per registry, shared by its repositories)`);
  lines.push(`Pipeline: account ${model.pipeline.account}, Region ${model.pipeline.region}, `
    + `started by pushes to ${model.pipeline.repository}@${model.pipeline.branch}`);
  lines.push(...alertsLines(model));
  lines.push('');

  lines.push('Deployment order');
  const order = deploymentOrder(model);
  const steps: string[] = ['preflight (stops the run before anything is deployed when something in a registry stands in the way)'];
  if (model.pipeline.approveDestinations) {
    steps.push('manual approval');
  }
  steps.push(`destinations (in parallel): ${order.destinations.map((d) => d.id).join(', ')}`);
  steps.push('manual approval');
  steps.push(`source: ${order.source.id}`);
  if (model.pipeline.backfill) {
    steps.push('backfill: replicate the images pushed before replication, where a destination misses some');
  }
  steps.push('verification');
  steps.forEach((step, i) => lines.push(`  ${i + 1}. ${step}`));

  const warnings = topologyWarnings(model);
  if (warnings.length > 0) {
    lines.push('');
    lines.push(...warnings.map((warning) => `Warning: ${warning}`));
  }

  return lines.join('\n') + '\n';
}

/** The topology uses namespaces or routes something to fewer than every destination. */
function isRouted(model: TopologyModel): boolean {
  const all = model.destinations.length;
  return model.namespaces.length > 0 || model.repositories.some((r) => r.destinations.length !== all);
}

function crossAccountLine(model: TopologyModel, destination: DestinationModel): string {
  if (!destination.crossAccount) return 'same account as the source';
  const prefixes = createRepositoryPrefixes(model, destination.id);
  return prefixes.length === 0
    ? 'cross-account (registry policy lets the source replicate here)'
    : `cross-account (registry policy lets the source replicate here, and create repositories only under ${prefixes.map((p) => `${p}/*`).join(', ')})`;
}

function namespaceLine(model: TopologyModel, namespace: NamespaceModel): string {
  const notes = [
    `filter ${namespaceFilter(namespace.prefix)}`,
    `to ${destinationsText(model, namespace.destinations)}`,
    `image tags ${namespace.imageTagMutability.toLowerCase()}`,
  ];
  if (namespace.lifecycle?.maxImageCount !== undefined) notes.push(`keep ${namespace.lifecycle.maxImageCount} images`);
  if (namespace.lifecycle?.untaggedExpiryDays !== undefined) notes.push(`untagged expire after ${namespace.lifecycle.untaggedExpiryDays} days`);
  return `${namespace.prefix} (${notes.join('; ')})`;
}

function destinationsText(model: TopologyModel, ids: readonly string[]): string {
  return ids.length === model.destinations.length ? 'every destination' : ids.join(', ');
}

function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

function creationTemplateLine(model: TopologyModel, destination: DestinationModel): string {
  if (deploysCreationTemplate(destination)) {
    return 'on (repositories replication creates here are KMS-encrypted too)';
  }
  if (destination.crossAccount) {
    // The registry policy grants ecr:CreateRepository only under routed namespaces, never on the whole registry.
    if (namespacesRoutedTo(model, destination.id).length > 0) {
      return 'ROOT not deployed (cross-account: replication may create repositories here only under the namespaces routed here)';
    }
    return 'not deployed (cross-account: replication cannot create repositories here, so a template would never act)';
  }
  return 'off';
}

function environmentLine(env: SourceModel | DestinationModel): string {
  return `account ${env.account}, Region ${env.region} (${env.id})`;
}

function keyLines(model: TopologyModel, principals: KeyPrincipals): string[] {
  return [
    `  key: ${model.keyAlias}`,
    `  key admins: ${listOrNone(principals.keyAdmins)}`,
    `  key users: ${listOrNone(principals.keyUsers)}`,
  ];
}

function listOrNone(values: readonly string[]): string {
  return values.length > 0 ? values.join(', ') : '(none)';
}

function repositoryLine(model: TopologyModel, repository: RepositoryModel): string {
  const notes: string[] = [];
  if (repository.destinations.length !== model.destinations.length) notes.push(`to ${destinationsText(model, repository.destinations)}`);
  const namespace = coveringNamespace(model, repository.name);
  if (namespace) notes.push(`in namespace ${namespace.prefix}`);
  const adoptedIn = [...(repository.existing ? ['the source'] : []), ...repository.existingDestinations];
  if (adoptedIn.length > 0) notes.push(`existing: adopted in ${adoptedIn.join(', ')}, not created`);
  notes.push(`image tags ${repository.imageTagMutability.toLowerCase()}`);
  notes.push(`scan on push ${repository.scanOnPush ? 'on' : 'off'}`);
  if (repository.lifecycle?.maxImageCount !== undefined) notes.push(`keep ${repository.lifecycle.maxImageCount} images`);
  if (repository.lifecycle?.untaggedExpiryDays !== undefined) notes.push(`untagged expire after ${repository.lifecycle.untaggedExpiryDays} days`);
  return `${repository.name} (${notes.join('; ')})`;
}

function alertsLines(model: TopologyModel): string[] {
  const alerts = model.alerts;
  if (!alerts) return ['Alerts: off (alerts: false)'];
  return [
    `Alerts: SNS topic in account ${model.pipeline.account}, Region ${model.pipeline.region}; `
      + `e-mail: ${alerts.emails.length > 0 ? alerts.emails.join(', ') : '(none; subscribe later)'}`,
    `  failed replications into the ${model.destinations.length} destination registries`,
    `  scheduled verification: ${alerts.verifySchedule ?? 'off'}`,
    '  pipeline: failed executions, manual approvals waiting',
  ];
}
