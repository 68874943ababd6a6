/**
 * The report of verify, preflight and backfill for people (a table per
 * environment, then what to do) and for machines (`--json`, the
 * {@link VerifyReport} shape as is).
 */
import { CheckResult, VerifyReport } from './result';

export function renderJson(report: VerifyReport): string {
  return JSON.stringify(report, undefined, 2) + '\n';
}

export interface TableOptions {
  /** List the passing checks too, not only their count. */
  readonly verbose?: boolean;
}

const MARK = { pass: 'ok', warn: 'WARN', fail: 'FAIL', error: 'ERROR' } as const;

export function renderTable(report: VerifyReport, options: TableOptions = {}): string {
  if (report.error !== undefined) return `error: ${report.error}\n`;
  const lines: string[] = [];
  for (const env of report.environments) {
    const via = env.role ? `via ${env.role}` : 'current credentials';
    const passed = env.checks.filter((c) => c.status === 'pass').length;
    const shown = options.verbose ? env.checks : env.checks.filter((c) => c.status !== 'pass');
    const state = env.checks.some((c) => c.status === 'error') ? 'ERROR'
      : env.checks.some((c) => c.status === 'fail') ? 'FAIL'
        : env.checks.some((c) => c.status === 'warn') ? 'WARN' : 'ok';
    lines.push(`${env.kind} ${env.id} (${via}): ${state}, ${passed}/${env.checks.length} checks passed`);
    if (shown.length > 0) lines.push(...table(shown).map((l) => `  ${l}`));
    const fixes = env.checks.filter((c) => c.status !== 'pass' && c.fix);
    if (fixes.length > 0) {
      lines.push('  what to do:');
      for (const c of fixes) lines.push(`  - ${c.repository ?? c.check}: ${c.fix}`);
    }
    lines.push('');
  }
  const s = report.summary;
  const warned = s.warnings > 0 ? `, ${s.warnings} warnings` : '';
  lines.push(`${report.ok ? 'OK' : 'NOT OK'}: ${s.passed} passed${warned}, ${s.failed} failed, ${s.errors} errors in ${s.environments} environments`);
  return lines.join('\n') + '\n';
}

function table(checks: readonly CheckResult[]): string[] {
  const rows = checks.map((c) => [MARK[c.status], c.check, c.repository ?? '-', c.detail]);
  const header = ['STATUS', 'CHECK', 'REPOSITORY', 'DETAIL'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  // The detail column is last: never padded, never cut.
  const format = (r: string[]) => r.map((cell, i) => (i < r.length - 1 ? cell.padEnd(widths[i]) : cell)).join('  ');
  return [format(header), ...rows.map(format)];
}
