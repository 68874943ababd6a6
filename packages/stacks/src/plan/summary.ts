import { deploymentOrder } from './order';
import { alertsDeadLetterQueues } from '../stages/naming';
import { DestinationModel, KeyPrincipals, RepositoryModel, SourceModel, TopologyModel, deploysCreationTemplate } from '../topology/model';

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
  model.destinations.forEach((destination, i) => {
    lines.push(`  ${i + 1}. ${environmentLine(destination)}`);
    lines.push(`     ${destination.crossAccount ? 'cross-account (registry policy lets the source replicate here)' : 'same account as the source'}`);
    lines.push(`     creation template: ${creationTemplateLine(destination)}`);
    lines.push(...keyLines(model, destination).map((line) => `   ${line}`));
  });
  lines.push('');

  lines.push(`Repositories (${model.repositories.length}, in the source and in every destination)`);
  for (const repository of model.repositories) {
    lines.push(`  - ${repositoryLine(repository)}`);
  }
  const withoutLifecycle = model.repositories.filter((r) => r.lifecycle === undefined).length;
  if (withoutLifecycle > 0) {
    lines.push(`  ${withoutLifecycle} without a lifecycle policy: where AWS Control Tower's control CT.ECR.PR.1 is on, `
      + 'it rejects them; defaults.lifecycle (or lifecycle per repository) lifts it');
  }
  lines.push('');

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

  return lines.join('\n') + '\n';
}

function creationTemplateLine(destination: DestinationModel): string {
  if (deploysCreationTemplate(destination)) {
    return 'on (repositories replication creates here are KMS-encrypted too)';
  }
  if (destination.crossAccount) {
    // The registry policy never grants ecr:CreateRepository: replication cannot create repositories here.
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

function repositoryLine(repository: RepositoryModel): string {
  const notes: string[] = [];
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
    `  undelivered alerts: kept in ${alertsDeadLetterQueues(model).length} dead-letter queues (pipeline and each destination), `
      + 'read by the scheduled verification',
  ];
}
