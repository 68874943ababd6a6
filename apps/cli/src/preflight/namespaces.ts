/**
 * The checks of `preflight` for namespaces: creation templates already in a
 * registry that are not this deployment's own and overlap what the topology
 * manages. Pure functions over what the reader read.
 */
import { DestinationModel, SourceModel, TopologyModel } from '@ecr-kms-replication/stacks';
import { Ownership, ownerOf } from './checks';
import { CreationTemplateData } from '../registry/data';
import { expectedTemplates, templateOverlaps } from '../registry/namespaces';
import { CheckResult } from '../report/result';
import { registryName } from '../verify/checks';

const where = registryName;

function encryptionOf(template: CreationTemplateData): string {
  return template.encryptionType === 'KMS' || template.encryptionType === 'KMS_DSSE'
    ? `KMS with ${template.kmsKey ?? 'an unnamed key'}` : (template.encryptionType ?? 'AES256').replace('AES256', 'AES-256');
}

/**
 * Every creation template of the registry that this deployment does not own
 * and whose prefix overlaps a namespace or a listed repository: one with a
 * namespace's own prefix blocks the stage that creates that template
 * (AlreadyExists); the others decide, or may decide, the settings of
 * repositories the topology manages. `rootCheckedElsewhere`: the `ROOT`
 * template already has its own check here (same-account safety net).
 * `templates` is every template of the registry, or why it could not be read.
 */
export function checkForeignTemplates(
  topology: TopologyModel,
  env: SourceModel | DestinationModel,
  templates: readonly CreationTemplateData[] | { readonly error: string },
  ownership: Ownership,
  rootCheckedElsewhere: boolean,
): CheckResult[] {
  const base = { check: 'creation-template' } as const;
  const expected = expectedTemplates(topology, env.id);
  const stage = env.id === topology.source.id ? 'source stage' : 'destination stage';
  if ('error' in templates) {
    // Without namespaces here nothing of this deployment depends on templates: said, not failed.
    return [{
      ...base,
      status: expected.length > 0 ? 'error' : 'warn',
      detail: `the creation templates of ${where(env)} cannot be read, so none that overlaps the topology is reported: ${templates.error}`,
    }];
  }
  const results: CheckResult[] = [];
  for (const template of templates) {
    if (template.prefix === 'ROOT' && rootCheckedElsewhere) continue;
    if (ownerOf(ownership, 'AWS::ECR::RepositoryCreationTemplate', template.prefix)) continue;
    const overlap = templateOverlaps(topology, template.prefix);
    if (overlap.namespaces.length === 0 && overlap.repositories.length === 0) continue;
    const what = `a ${template.prefix} creation template that this deployment did not make (applies to ${template.appliedFor.join(', ') || 'nothing'}, `
      + `encrypts with ${encryptionOf(template)})`;
    const clash = expected.find((t) => t.prefix === template.prefix);
    if (clash) {
      results.push({
        ...base,
        status: 'fail',
        detail: `${where(env)} already has ${what}: the ${stage} creates the template of the namespace ${clash.prefix} and would fail with AlreadyExists`,
        fix: `delete it just before the ${stage} is deployed: aws ecr delete-repository-creation-template --prefix ${template.prefix} --region ${env.region}`,
      });
      continue;
    }
    const names = [
      ...overlap.namespaces.map((n) => `namespace ${n}`),
      ...overlap.repositories.slice(0, 5).map((r) => `repository ${r}`),
      ...(overlap.repositories.length > 5 ? [`${overlap.repositories.length - 5} more repositories`] : []),
    ];
    // ECR documents a prefix as `<prefix>/` and ROOT as the template of repositories no other template matches
    // (CreateRepositoryCreationTemplateRequest.prefix, @aws-sdk/client-ecr models); which of two nested prefixes applies is not documented.
    const which = template.prefix === 'ROOT'
      ? 'it applies to every repository ECR creates there that no other template matches'
      : 'for a repository ECR creates under both prefixes, which template applies is not documented';
    results.push({
      ...base,
      status: 'warn',
      detail: `${where(env)} has ${what}, which overlaps ${names.join(', ')}: ${which} (replication, create-on-push, pull through cache), `
        + 'so it may decide encryption and settings instead of this deployment',
      fix: `check it is meant to stay; otherwise delete it: aws ecr delete-repository-creation-template --prefix ${template.prefix} --region ${env.region}`,
    });
  }
  if (results.length === 0) {
    results.push({ ...base, status: 'pass', detail: `no creation template of another owner overlaps the topology in ${where(env)}` });
  }
  return results;
}
