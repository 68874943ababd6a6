/**
 * What `backfill` shows: a progress line per destination while waiting
 * (redrawn in place on a terminal, a new line at each change otherwise),
 * then a table of destinations and the failed images; `--json` prints the
 * {@link BackfillReport} as is.
 */
import { BackfillDestinationReport, BackfillReport } from './backfill';
import { imageName } from './compare';
import { BackfillState } from './scheduler';
import { OutputStream } from '../context';

export function renderBackfillJson(report: BackfillReport): string {
  return JSON.stringify(report, undefined, 2) + '\n';
}

/** One line for a destination while the backfills run. */
export function progressLine(s: BackfillState): string {
  const counts = s.progress ? `${s.progress.completed}/${s.progress.total} done, ${s.progress.failed} failed` : '';
  switch (s.phase) {
    case 'waiting': return `${s.id}: waiting${s.waitingFor ? ` (${s.waitingFor})` : ''}`;
    case 'error': return `${s.id}: error: ${s.error}`;
    default: return `${s.id}: ${s.status ?? 'PREPARING'}${counts ? `, ${counts}` : ''}${s.attached ? ' (already running, followed)' : ''}`;
  }
}

/**
 * Shows the progress on `stream`: on a terminal the block of lines is
 * redrawn in place; otherwise a destination's line is printed when it changes.
 */
export function progressPrinter(stream: OutputStream): { update(states: readonly BackfillState[]): void; done(): void } {
  let drawn = 0;
  const last = new Map<string, string>();
  return {
    update(states) {
      const lines = states.map(progressLine);
      if (stream.isTTY) {
        const up = drawn > 0 ? `\x1b[${drawn}A` : '';
        stream.write(up + lines.map((l) => `\r\x1b[K${l}\n`).join(''));
        drawn = lines.length;
        return;
      }
      states.forEach((s, i) => {
        if (last.get(s.id) !== lines[i]) stream.write(`${lines[i]}\n`);
        last.set(s.id, lines[i]);
      });
    },
    done() {
      drawn = 0;
    },
  };
}

const OUTCOME = {
  'complete': 'COMPLETE',
  'failed': 'FAILED',
  'running': 'RUNNING',
  'not-started': 'NOT STARTED',
  'nothing-missing': 'NOTHING MISSING',
  'would-start': 'WOULD START',
  'would-attach': 'WOULD FOLLOW',
  'error': 'ERROR',
} as const;

export function renderBackfillTable(report: BackfillReport): string {
  if (report.error !== undefined) return `error: ${report.error}\n`;
  const lines: string[] = [];
  const via = report.source.role ? `via ${report.source.role}` : 'current credentials';
  lines.push(`${report.dryRun ? 'Dry run: nothing started. ' : ''}Source ${report.source.id} (${via})`);
  const header = ['DESTINATION', 'OUTCOME', 'MISSING', 'REPLICATED', 'FAILED', 'TOTAL', 'BACKFILL', 'DETAIL'];
  const rows = report.destinations.map((d) => [
    d.id,
    OUTCOME[d.outcome],
    d.missing ? String(d.missing.images) : '-',
    d.progress ? String(d.progress.completed) : '-',
    d.progress ? String(d.progress.failed) : '-',
    d.progress ? String(d.progress.total) : '-',
    d.backfillId ? `${d.backfillId}${d.attached ? ' (followed)' : ''}` : '-',
    d.detail,
  ]);
  lines.push(...table(header, rows));

  const failed = report.destinations.flatMap((d) => d.failedImages.map((f) => [d.id, f.repository, imageName(f), f.failureCode ?? '-']));
  if (failed.length > 0) {
    lines.push('', 'Failed images');
    lines.push(...table(['DESTINATION', 'REPOSITORY', 'IMAGE', 'FAILURE CODE'], failed));
  }
  const missingRepos = report.destinations.flatMap((d) => (d.missing?.repositories ?? []).filter((r) => r.repositoryMissing).map((r) => `${r.repository} in ${d.id}`));
  if (missingRepos.length > 0) {
    lines.push('', `Repositories missing at the destination (a backfill cannot fill them: deploy the destination stage): ${missingRepos.join(', ')}`);
  }
  if (report.interrupted) {
    lines.push('', interruptedMessage(report.destinations));
  }
  lines.push('', summaryLine(report));
  return lines.join('\n') + '\n';
}

/** Said when the user stops waiting: the backfills are not stopped. */
export function interruptedMessage(destinations: readonly BackfillDestinationReport[]): string {
  const running = destinations.filter((d) => d.outcome === 'running' && d.backfillId).map((d) => `${d.id} ${d.backfillId}`);
  return 'Stopped waiting: the backfills go on in AWS'
    + (running.length > 0 ? ` (${running.join(', ')})` : '')
    + '. Run backfill again to follow them (it attaches to running backfills), or stop one with aws ecr stop-replication-backfill.';
}

function summaryLine(report: BackfillReport): string {
  const count = (o: BackfillDestinationReport['outcome']) => report.destinations.filter((d) => d.outcome === o).length;
  const images = report.destinations.reduce((n, d) => n + d.failedImages.length, 0);
  if (report.dryRun) {
    return `${report.ok ? 'OK' : 'NOT OK'}: would start ${count('would-start')}, follow ${count('would-attach')}, `
      + `nothing missing in ${count('nothing-missing')}, ${count('error')} errors`;
  }
  return `${report.ok ? 'OK' : 'NOT OK'}: ${count('complete')} complete, ${count('failed')} failed (${images} failed images), `
    + `${count('running')} running, ${count('not-started')} not started, ${count('nothing-missing')} with nothing missing, ${count('error')} errors`;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const format = (r: string[]) => r.map((cell, i) => (i < r.length - 1 ? cell.padEnd(widths[i]) : cell)).join('  ').trimEnd();
  return [format(header), ...rows.map(format)];
}
