/**
 * What `repair` shows: per destination, every repository with something to
 * repair (its images, what repair does or why it refuses), then what a
 * rebuild costs (the window during which pulls fail), how a rebuilt
 * repository is owned and the topology change that says so, and after
 * `--execute` where each repository stands and the backfill's own report.
 * `--json` prints the {@link RepairReport} as is.
 */
import { TopologyModel } from '@ecr-kms-replication/stacks';
import { RepositoryAssessment } from './assess';
import { DestinationRepair, RepairReport, RepositoryRepair } from './repair';
import { imageName } from '../backfill/compare';
import { interruptedMessage, renderBackfillTable } from '../backfill/render';

export function renderRepairJson(report: RepairReport): string {
  return JSON.stringify(report, undefined, 2) + '\n';
}

const ACTION: Record<RepositoryAssessment['action'], string> = {
  'none': 'ok',
  'fix-tag-mutability': 'FIX TAG MUTABILITY',
  'rebuild': 'REBUILD',
  'refused': 'REFUSED',
  'absent': 'absent',
};

/** The registry host of an environment, as `docker` and `crane` name it. */
function registryHost(env: { account: string; region: string }): string {
  return `${env.account}.dkr.ecr.${env.region}.amazonaws.com`;
}

export function renderRepairTable(report: RepairReport, topology: TopologyModel, options: { verbose?: boolean } = {}): string {
  if (report.error !== undefined) return `error: ${report.error}\n`;
  const lines: string[] = [];
  if (!report.execute) lines.push('Read-only: nothing is changed without --execute.', '');
  for (const d of report.destinations) {
    const via = d.role ? `via ${d.role}` : 'current credentials';
    if (d.error !== undefined) {
      lines.push(`destination ${d.id} (${via}): ERROR: ${d.error}`, '');
      continue;
    }
    const toRepair = d.repositories.filter((r) => r.action !== 'none' && r.action !== 'absent');
    const shown = options.verbose ? d.repositories : toRepair;
    lines.push(`destination ${d.id} (${via}): ${toRepair.length === 0 ? 'nothing to repair' : `${toRepair.length} of ${d.repositories.length} repositories to repair`}`);
    if (shown.length > 0) {
      const header = ['REPOSITORY', 'ACTION', 'IMAGES', ...(report.execute ? ['STATE'] : []), 'DETAIL'];
      const rows = shown.map((r) => [
        r.name,
        ACTION[r.action],
        // Images are read only for the repositories whose rebuild is considered.
        r.action === 'rebuild' || r.action === 'refused' ? String(r.images.length) : '-',
        ...(report.execute ? [r.state ?? '-'] : []),
        r.error ?? r.detail,
      ]);
      lines.push(...table(header, rows).map((l) => `  ${l}`));
    }
    for (const r of shown.filter((x) => x.action === 'rebuild' && x.images.length > 0 && !report.execute)) {
      lines.push(`  ${r.name} images: ${r.images.map((i) => `${imageName(i)}${i.status && i.status !== 'ACTIVE' ? ` [${i.status}]` : ''}`).join(', ')}`);
    }
    lines.push(...refusedLines(d, topology).map((l) => `  ${l}`));
    lines.push('');
  }
  const rebuild = report.destinations.flatMap((d) => d.repositories.filter((r) => r.action === 'rebuild').map((r) => ({ d, r })));
  if (rebuild.length > 0) {
    lines.push(...windowLines(report.destinations), '', ...ownershipLines(report.destinations, topology), '');
  }
  if (report.execute) lines.push(...executionLines(report));
  lines.push(summaryLine(report));
  return lines.join('\n') + '\n';
}

/** Why a repository is refused, and how to copy what the source lacks there first. */
function refusedLines(d: DestinationRepair, topology: TopologyModel): string[] {
  const lines: string[] = [];
  for (const r of d.repositories.filter((x) => x.action === 'refused')) {
    lines.push(`${r.name} is left in place: the source lacks what follows; copy it there first, then run repair again:`);
    const from = `${registryHost(d)}/${r.name}`;
    const to = `${registryHost(topology.source)}/${r.name}`;
    for (const m of r.missingFromSource) {
      if (m.what === 'archived') {
        lines.push(`  - ${imageName(m)} is archived in the source: restore it there (aws ecr update-image-storage-class --target-storage-class STANDARD)`);
      } else if (m.what === 'tags') {
        for (const tag of m.missingTags) lines.push(`  - tag ${tag} of ${imageName(m)}: crane tag ${to}@${m.digest} ${tag}`);
      } else {
        const tags = m.tags.length > 0 ? m.tags : [undefined];
        for (const tag of tags) {
          lines.push(`  - ${imageName({ digest: m.digest, tag })}: crane copy ${from}@${m.digest} ${to}${tag ? `:${tag}` : ''}`);
        }
      }
    }
  }
  if (lines.length > 0) lines.push('  (crane and skopeo copy --all keep the digest; docker pull/push may not for multi-platform images)');
  return lines;
}

/** How long pulls fail: from the delete until the backfill has copied the images back. */
function windowLines(destinations: readonly DestinationRepair[]): string[] {
  const lines = ['What a rebuild costs: pulls of a rebuilt repository from its destination fail from its deletion until the'
    + ' backfill has copied its images back (ECR gives no estimate; it grows with the number and size of the images).'
    + ' Images pushed to the source meanwhile are replicated to the recreated repository. Pull from the source or'
    + ' another destination in that window:'];
  for (const d of destinations) {
    const rebuilt = d.repositories.filter((r) => r.action === 'rebuild');
    if (rebuilt.length === 0) continue;
    const images = rebuilt.reduce((n, r) => n + r.images.length, 0);
    lines.push(`  - ${d.id}: ${rebuilt.map((r) => r.name).join(', ')} (${images} image(s) to backfill)`);
  }
  return lines;
}

/**
 * A rebuilt repository is created by this command, outside any stack: the
 * topology must mark it `existing` for that destination, so that the
 * destination stage adopts it (registry policy, verify) instead of trying to
 * create it (which would fail with AlreadyExists). Repositories under a
 * namespace are never in a stack: nothing changes for them.
 */
export function ownershipLines(destinations: readonly DestinationRepair[], topology: TopologyModel): string[] {
  const changes = new Map<string, Set<string>>();
  const namespaced: string[] = [];
  for (const d of destinations) {
    for (const r of d.repositories.filter((x) => x.action === 'rebuild')) {
      const listed = topology.repositories.find((x) => x.name === r.name);
      if (!listed) {
        namespaced.push(`${r.name} in ${d.id}`);
        continue;
      }
      if (listed.existingDestinations.includes(d.id)) continue;
      if (!changes.has(r.name)) changes.set(r.name, new Set());
      changes.get(r.name)!.add(d.id);
    }
  }
  const lines = ['Who owns a rebuilt repository: repair creates it, outside any stack. It stays in the registry policy and'
    + ' the replication rules, and verify checks it, once the topology marks it existing for its destination.'];
  if (changes.size > 0) {
    lines.push('Change the topology file as follows (before the next deployment of these destinations: otherwise their'
      + ' stage would try to create the repository and fail with AlreadyExists):', '');
    lines.push('repositories:');
    for (const [name, ids] of changes) {
      const listed = topology.repositories.find((x) => x.name === name)!;
      const existing = [...(listed.existing ? ['source'] : []), ...listed.existingDestinations, ...[...ids].filter((id) => !listed.existingDestinations.includes(id))];
      lines.push(`  - name: ${name}`, `    existing: [${existing.join(', ')}]`);
    }
  } else {
    lines.push('The topology needs no change: every rebuilt listed repository is already existing there.');
  }
  if (namespaced.length > 0) {
    lines.push(`Under a namespace, no stack ever owns a repository: nothing to change for ${namespaced.join(', ')}.`);
  }
  return lines;
}

function executionLines(report: RepairReport): string[] {
  const lines: string[] = [];
  const deleted = report.destinations.flatMap((d) => d.repositories.filter((r) => r.state === 'deleted').map((r) => ({ d, r })));
  for (const { d, r } of deleted) {
    lines.push(`${r.name} in ${d.id} is DELETED and not recreated (${r.error}). Create it now, before a push lets replication create it:`,
      `  aws ecr create-repository --region ${d.region} --repository-name ${r.name} --encryption-configuration encryptionType=KMS,kmsKey=${d.keyArn}`
      + ` --image-tag-mutability ${r.expectedTagMutability}`, '');
  }
  if (report.halted) {
    lines.push(`Stopped: ${report.halted}; no other repository was deleted and no backfill was started. Create it (above), `
      + 'then run repair --execute again.', '');
  }
  if (report.declined) lines.push('Not confirmed: nothing was changed.', '');
  if (report.interrupted && !report.backfill) {
    const pending = report.destinations.filter((d) => d.repositories.some((r) => r.state === 'unchanged' && (r.action === 'rebuild' || r.action === 'fix-tag-mutability')));
    const rebuilt = report.destinations.filter((d) => d.repositories.some((r) => r.state === 'recreated'));
    lines.push('Interrupted between two repositories: none is left deleted. Each repository\'s STATE above says where it stands.');
    if (pending.length > 0) lines.push(`Continue with: ecr-kms-replication repair --execute ${pending.map((d) => `--destination ${d.id}`).join(' ')}`);
    if (rebuilt.length > 0) lines.push(`The rebuilt repositories are empty until: ecr-kms-replication backfill ${rebuilt.map((d) => `--destination ${d.id}`).join(' ')}`);
    lines.push('');
  }
  if (report.backfill) {
    lines.push('Backfill of the rebuilt destinations:', renderBackfillTable(report.backfill).trimEnd(), '');
    const ids = report.backfill.destinations.map((d) => `--destination ${d.id}`).join(' ');
    if (report.backfillStep === 'not-started') {
      lines.push(`The backfill could not be started: the rebuilt repositories stay empty until it runs: ecr-kms-replication backfill ${ids}`, '');
    } else if (report.backfillStep === 'interrupted') {
      lines.push(interruptedMessage(report.backfill.destinations), '');
    }
  }
  return lines;
}

function summaryLine(report: RepairReport): string {
  const all = report.destinations.flatMap((d) => d.repositories);
  const count = (f: (r: RepositoryRepair) => boolean) => all.filter(f).length;
  const errors = report.destinations.filter((d) => d.error !== undefined).length;
  if (!report.execute) {
    return `${report.ok ? 'OK' : 'NOT OK'}: ${count((r) => r.action === 'rebuild')} to rebuild, ${count((r) => r.action === 'fix-tag-mutability')} tag mutability to fix, `
      + `${count((r) => r.action === 'refused')} refused, ${errors} errors in ${report.destinations.length} destinations`;
  }
  return `${report.ok ? 'OK' : 'NOT OK'}: ${count((r) => r.state === 'recreated')} rebuilt, ${count((r) => r.state === 'fixed')} fixed, `
    + `${count((r) => r.action === 'refused')} refused, ${count((r) => r.state === 'failed' || r.state === 'deleted')} failed, `
    + `${count((r) => r.state === 'unchanged' && r.action !== 'refused')} not done, ${errors} errors`
    + (report.backfillStep ? `; backfill ${report.backfillStep}` : '');
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const format = (r: string[]) => r.map((cell, i) => (i < r.length - 1 ? cell.padEnd(widths[i]) : cell)).join('  ').trimEnd();
  return [format(header), ...rows.map(format)];
}
